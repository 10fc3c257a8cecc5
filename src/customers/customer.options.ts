/** Fixed option lists of a customer; labels live in the locale files under `customer.<list>.<value>`. */
export const CUSTOMER_KINDS = ['company', 'person'] as const;
export const CUSTOMER_TIERS = ['A', 'B', 'C'] as const;
export const CUSTOMER_STATUSES = ['lead', 'prospect', 'active', 'churned'] as const;
export const CUSTOMER_SOURCES = [
  'referral',
  'exhibition',
  'website',
  'cold_call',
  'wechat',
  'other',
] as const;
export const CUSTOMER_SIZES = ['1-9', '10-49', '50-199', '200-999', '1000+'] as const;
export const INDUSTRIES = [
  'manufacturing',
  'retail',
  'wholesale',
  'it',
  'finance',
  'construction',
  'logistics',
  'healthcare',
  'education',
  'food',
  'energy',
  'agriculture',
  'services',
  'other',
] as const;

export type CustomerKind = (typeof CUSTOMER_KINDS)[number];
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
