import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditDiff, type AuditRecord, AuditTrail } from '../common/audit-trail.js';
import { type AuditRef, CustomerLifecycles } from '../common/customer-lifecycle.js';
import { requestContext } from '../common/request-context.js';
import type { SessionUser } from '../common/session-user.js';
import { hasKey } from '../i18n/i18n.js';
import { type Page, toPage } from '../common/pagination.js';
import { fieldLabel, valueText } from './audit-changes.js';
import type { AuditEntry } from './audit-entry.entity.js';
import { type AuditFilter, AuditRepository } from './audit.repository.js';

export type { AuditRecord } from '../common/audit-trail.js';

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

/**
 * An entry as `viewer` reads it: field and option labels as the record's module names them (`labels`),
 * times in the viewer's language and zone.
 */
/** Names of the users and teams a page of entries refers to, by id. */
type ReferencedNames = Record<AuditRef, Map<number, string>>;

function toAuditView(
  a: AuditEntry,
  viewer: Pick<SessionUser, 'locale' | 'timezone'>,
  labels: CustomerLifecycles,
  names: ReferencedNames,
): AuditView {
  // An action a module tells itself (a rule's firing) is labelled by it, whatever its record.
  const byAction = labels.actionLabels(a.action);
  const entry = Object.fromEntries(Object.entries(a.diff).map(([field, c]) => [field, c.to]));
  const named = (field: string, value: unknown) => {
    const ref = labels.refOf(a.entity, field);
    return ref && typeof value === 'number' ? (names[ref].get(value) ?? null) : null;
  };
  const text = (field: string, value: unknown) =>
    (value === undefined ? null : byAction?.value?.(viewer.locale, field, value, entry)) ??
    named(field, value) ??
    valueText(viewer.locale, viewer.timezone, labels.valueLabels(a.entity, field), show(value));
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
    changes: ordered(a.diff, byAction ? Object.keys(byAction.fields) : []).map(([field, c]) => ({
      // A merge counts what moved by kind of record: those fields are named as the records are.
      field: fieldLabel(
        viewer.locale,
        byAction?.fields[field] ??
          labels.fieldLabel(a.entity, field) ??
          keyIfNamed(`audit.entities.${field}`) ??
          undefined,
        field,
      ),
      from: text(field, c.from),
      to: text(field, c.to),
    })),
  };
}

/** An entry's changes, those of `order` first and in its order (PostgreSQL keeps a JSON object's keys sorted by length). */
function ordered(diff: AuditEntry['diff'], order: string[]) {
  const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
  return Object.entries(diff).sort(([x], [y]) => rank(x) - rank(y));
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

/** The audit log: every module records its actions here; admins read it on /audit. */
@Injectable()
export class AuditService implements AuditTrail {
  constructor(
    private readonly entries: AuditRepository,
    private readonly lifecycles: CustomerLifecycles,
  ) {}

  /** Appends an entry; pass the transaction's manager so the entry commits with the change. */
  async record(entry: AuditRecord, m?: EntityManager): Promise<void> {
    const ctx = requestContext.get();
    const actor = entry.actor === undefined ? (ctx?.user ?? null) : entry.actor;
    await this.entries.append(
      {
        actorId: actor?.id ?? null,
        actorEmail: actor?.email ?? null,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
        diff: entry.diff ?? {},
        ip: ctx?.ip ?? null,
        requestId: ctx?.requestId ?? null,
      },
      m,
    );
  }

  /**
   * What was done to one `entity` record, for a customer's timeline (its claims, releases and merges):
   * a SELECT of the newest entries with one of `actions` about record $1, at most $2, newest first
   * (columns at, action, actorId, diff), read with the timeline's other sources.
   */
  eventsSql(entity: string, actions: string[]): string {
    return this.entries.ofRecordSql(entity, actions);
  }

  /**
   * What was done to one record, as its module tells it elsewhere (a ticket's page shows its
   * history): the newest entries with one of `actions`, newest first.
   */
  async eventsOf(
    entity: string,
    entityId: number,
    actions: string[],
    limit: number,
  ): Promise<{ at: Date; action: string; actorId: number | null; diff: AuditDiff }[]> {
    const rows = await this.entries.findOfRecord(entity, String(entityId), actions, limit);
    return rows.map((a) => ({ at: a.at, action: a.action, actorId: a.actorId, diff: a.diff }));
  }

  /**
   * The audit page: the newest entries, optionally for one kind of record or one record, as `viewer`
   * reads them.
   */
  async page(viewer: SessionUser, filter: AuditFilter & { page: number }) {
    const perPage = 50;
    const [rows, total] = await this.entries.findNewest(filter, (filter.page - 1) * perPage, perPage);
    const names = await this.referencedNames(rows);
    const page: Page<AuditView> = toPage(
      rows.map((a) => toAuditView(a, viewer, this.lifecycles, names)),
      total,
      filter.page,
      perPage,
    );
    return { page, filter: { entity: filter.entity, entityId: filter.entityId } };
  }

  /** The names of the users and teams these entries refer to by id (an owner, an assignee, a team). */
  private async referencedNames(rows: AuditEntry[]): Promise<ReferencedNames> {
    const ids: Record<AuditRef, Set<number>> = { user: new Set(), team: new Set() };
    for (const a of rows)
      for (const [field, change] of Object.entries(a.diff)) {
        const ref = this.lifecycles.refOf(a.entity, field);
        if (!ref) continue;
        for (const v of [change.from, change.to]) if (typeof v === 'number') ids[ref].add(v);
      }
    const [user, team] = await Promise.all([
      this.lifecycles.namesOf('user', [...ids.user]),
      this.lifecycles.namesOf('team', [...ids.team]),
    ]);
    return { user, team };
  }

  /**
   * What the log holds about a person (a PIPL request): entries about their records (`records`) or
   * naming them in their details (`jsonPattern` finds their name, mobile, e-mail… in the details'
   * JSON text), oldest first.
   */
  async personalDataOf(
    jsonPattern: string,
    records: { entity: string; entityId: string }[],
  ): Promise<
    {
      at: Date;
      actorEmail: string | null;
      action: string;
      entity: string;
      entityId: string | null;
      diff: AuditDiff;
    }[]
  > {
    const rows = await this.entries.findNaming(jsonPattern, records);
    return rows.map((a) => ({
      at: a.at,
      actorEmail: a.actorEmail,
      action: a.action,
      entity: a.entity,
      entityId: a.entityId,
      diff: a.diff,
    }));
  }

  /**
   * Erasing a person, inside the erasure's transaction: masks their values in every entry's details
   * (`jsonPattern` finds the entries by their details' JSON text, `scrubJson` masks the values); the
   * entries themselves, who acted and when, stay. Answers how many entries changed.
   */
  async erasePerson(
    m: EntityManager,
    who: { jsonPattern: string; scrubJson: (value: unknown) => unknown },
  ): Promise<number> {
    if (!who.jsonPattern) return 0;
    const rows = await this.entries.findMatching(who.jsonPattern, m);
    const changed = rows
      .map((a) => ({ id: a.id, before: JSON.stringify(a.diff), diff: who.scrubJson(a.diff) as AuditDiff }))
      .filter((a) => JSON.stringify(a.diff) !== a.before);
    await this.entries.maskDetails(m, changed);
    return changed.length;
  }
}
