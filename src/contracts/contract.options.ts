/** A contract's statuses, in the order a contract goes through them. */
export const CONTRACT_STATUSES = [
  'draft',
  'pending_approval',
  'approved',
  'rejected',
  'signed',
  'completed',
  'terminated',
] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** Statuses in which a contract is still to be signed or running: what a leaving rep hands over. */
export const OPEN_CONTRACT_STATUSES: readonly ContractStatus[] = [
  'draft',
  'pending_approval',
  'approved',
  'rejected',
  'signed',
];

/** Statuses before signing: nothing is owed yet, whatever the plan says. */
export const UNSIGNED_STATUSES: readonly ContractStatus[] = [
  'draft',
  'pending_approval',
  'approved',
  'rejected',
];

/** Statuses whose fields may still change: a draft, or a rejected contract being corrected. */
export const EDITABLE_STATUSES: readonly ContractStatus[] = ['draft', 'rejected'];

/** The only currency Kehu's contracts are written in. */
export const CONTRACT_CURRENCY = 'CNY';

/** The most lines one contract holds. */
export const MAX_CONTRACT_LINES = 200;
