/** A quote's statuses, in the order it normally goes through them. */
export const QUOTE_STATUSES = [
  'draft',
  'pending_approval',
  'approved',
  'rejected',
  'sent',
  'accepted',
  'expired',
] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/** At most this many lines on one quote. */
export const MAX_LINES = 100;
