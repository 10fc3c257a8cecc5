import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { requestContext } from '../common/request-context.js';
import { hasKey } from '../i18n/i18n.js';
import { type Page, toPage } from '../common/pagination.js';
import { AuditEntry, type AuditDiff } from './audit-entry.entity.js';

export interface AuditView {
  id: string;
  at: Date;
  actorEmail: string | null;
  action: string;
  /** The action's message key, when the catalogs name it (an action older or newer than them shows as is). */
  actionKey: string | null;
  entity: string;
  entityKey: string | null;
  entityId: string | null;
  ip: string | null;
  changes: { field: string; from: string; to: string }[];
}

const keyIfNamed = (key: string) => (hasKey('en', key) ? key : null);

const show = (v: unknown) =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);

function toAuditView(a: AuditEntry): AuditView {
  return {
    id: a.id,
    at: a.at,
    actorEmail: a.actorEmail,
    action: a.action,
    actionKey: keyIfNamed(`audit.actions.${a.action}`),
    entity: a.entity,
    entityKey: keyIfNamed(`audit.entities.${a.entity}`),
    entityId: a.entityId,
    ip: a.ip,
    changes: Object.entries(a.diff).map(([field, c]) => ({ field, from: show(c.from), to: show(c.to) })),
  };
}

export interface AuditRecord {
  action: string;
  entity: string;
  entityId?: string | number | null;
  diff?: AuditDiff;
  /** Defaults to the signed-in user of the current request. */
  actor?: { id: number; email: string } | null;
}

/** Fields of `after` that differ from `before`, as {field: {from, to}}; dates compared by value. */
export function diffOf<T extends object>(
  before: Partial<T> | null,
  after: Partial<T>,
  fields: Extract<keyof T, string>[],
): AuditDiff {
  const norm = (v: unknown) =>
    v instanceof Date ? v.toISOString() : Array.isArray(v) ? JSON.stringify(v) : (v ?? null);
  const diff: AuditDiff = {};
  for (const f of fields) {
    const from = before ? norm(before[f]) : null;
    const to = norm(after[f]);
    if (from !== to) diff[f] = before ? { from, to } : { to };
  }
  return diff;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Appends an entry; pass the transaction's manager so the entry commits with the change. */
  async record(entry: AuditRecord, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const ctx = requestContext.get();
    const actor = entry.actor === undefined ? (ctx?.user ?? null) : entry.actor;
    const row = manager.create(AuditEntry, {
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? null,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      diff: entry.diff ?? {},
      ip: ctx?.ip ?? null,
      requestId: ctx?.requestId ?? null,
    });
    await manager.save(AuditEntry, row, { reload: false });
  }

  /** The newest entries, optionally for one kind of record or one record, for the admin's audit page. */
  async list(filter: { entity?: string; entityId?: string; page: number }): Promise<Page<AuditView>> {
    const perPage = 50;
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC');
    if (filter.entity) qb.andWhere('a.entity = :entity', { entity: filter.entity });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    const [rows, total] = await qb
      .skip((filter.page - 1) * perPage)
      .take(perPage)
      .getManyAndCount();
    return toPage(rows.map(toAuditView), total, filter.page, perPage);
  }
}
