import type { EntityManager } from 'typeorm';

/** What changed in a record, field by field: `{ tier: { from: 'C', to: 'A' } }` (a new record: `to` only). */
export type AuditDiff = Record<string, { from?: unknown; to?: unknown }>;

/** One entry for the audit log. */
export interface AuditRecord {
  action: string;
  entity: string;
  entityId?: string | number | null;
  diff?: AuditDiff;
  /** Defaults to the signed-in user of the current request. */
  actor?: { id: number; email: string } | null;
}

/**
 * The audit log as the kernel sees it: the kernel records entries (a changed setting) without
 * importing the audit module, which provides this (`{ provide: AuditTrail, useExisting: AuditService }`).
 */
export abstract class AuditTrail {
  /** Appends an entry; pass the transaction's manager so the entry commits with the change. */
  abstract record(entry: AuditRecord, m?: EntityManager): Promise<void>;
}
