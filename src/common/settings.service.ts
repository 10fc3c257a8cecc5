import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Setting } from '../database/setting.entity.js';
import { editedVersion, StaleVersion } from './errors.js';

/** Company-wide settings: a JSON value under a key, with a default until an admin changes it. */
@Injectable()
export class SettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The stored value merged over the default, and the version to edit it with (0: never saved). */
  async get<T extends object>(key: string, defaults: T): Promise<{ value: T; version: number }> {
    const row = await this.dataSource.getRepository(Setting).findOneBy({ key });
    return { value: { ...defaults, ...((row?.value as Partial<T>) ?? {}) }, version: row?.version ?? 0 };
  }

  /** Saves a value edited on `version`; someone else's newer save refuses it. */
  async set<T extends object>(
    key: string,
    value: T,
    version: number | undefined,
    defaults: T,
  ): Promise<void> {
    const expected = editedVersion(version);
    await this.dataSource.transaction(async (m) => {
      const row = await m.findOne(Setting, { where: { key }, lock: { mode: 'pessimistic_write' } });
      if ((row?.version ?? 0) !== expected) throw new StaleVersion();
      const before = { ...defaults, ...((row?.value as Partial<T>) ?? {}) };
      if (row) await m.update(Setting, { key }, { value });
      else await m.insert(Setting, { key, value });
      await this.audit.record(
        { action: 'update', entity: 'setting', entityId: key, diff: { [key]: { from: before, to: value } } },
        m,
      );
    });
  }
}
