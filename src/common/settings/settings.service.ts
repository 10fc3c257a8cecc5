import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrail } from '../audit-trail.js';
import { type ReferenceCache, ReferenceData } from '../reference-data.js';
import { editedVersion, StaleVersion } from '../errors.js';
import type { Setting } from './setting.entity.js';
import { SettingsRepository } from './settings.repository.js';
import { SettingsSections } from './settings-sections.js';

/**
 * Company-wide settings: a JSON value under a key, with a default until an admin changes it. Pages
 * read them on every request, so they are kept in memory as reference data (common/reference-data.ts).
 */
@Injectable()
export class SettingsService {
  private readonly stored: ReferenceCache<Map<string, Setting>>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsRepository,
    private readonly audit: AuditTrail,
    private readonly sections: SettingsSections,
    reference: ReferenceData,
  ) {
    this.stored = reference.cache(async () => new Map((await settings.findAll()).map((s) => [s.key, s])));
  }

  /** The stored value merged over the default, and the version to edit it with (0: never saved). */
  async get<T extends object>(key: string, defaults: T): Promise<{ value: T; version: number }> {
    const row = (await this.stored.get()).get(key);
    return { value: { ...defaults, ...((row?.value as Partial<T>) ?? {}) }, version: row?.version ?? 0 };
  }

  /** Saves a value edited on `version`; someone else's newer save refuses it. */
  async set<T extends object>(
    key: string,
    value: T,
    version: number | undefined,
    defaults: T,
  ): Promise<void> {
    const secrets: readonly string[] = this.sections.find(key)?.secrets ?? [];
    const expected = editedVersion(version);
    await this.dataSource.transaction(async (m) => {
      const row = await this.settings.findForUpdate(m, key);
      if ((row?.version ?? 0) !== expected) throw new StaleVersion();
      const before = { ...defaults, ...((row?.value as Partial<T>) ?? {}) };
      // A secret is never written to the audit log: only that it changed.
      const hide = (v: object, other: object) =>
        Object.fromEntries(
          Object.entries(v).map(([k, x]) =>
            secrets.includes(k) ? [k, x === (other as Record<string, unknown>)[k] ? '' : '…'] : [k, x],
          ),
        );
      await this.settings.save(m, key, value, row !== null);
      await this.audit.record(
        {
          action: 'update',
          entity: 'setting',
          entityId: key,
          diff: { [key]: { from: hide(before, value), to: hide(value, before) } },
        },
        m,
      );
    });
  }
}
