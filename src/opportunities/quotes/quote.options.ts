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

/** The tax rates offered on the form (VAT: 13% goods, 9%, 6% services, 3% small-scale, 1%, 0%). */
export const TAX_RATES = ['13', '9', '6', '3', '1', '0'] as const;

/** At most this many lines on one quote. */
export const MAX_LINES = 100;
