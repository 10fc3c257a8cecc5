import { foldWidth } from './fold.js';

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
/**
 * Industries: the 20 sections (门类) of GB/T 4754-2017 国民经济行业分类, by their letter, A 农、林、牧、
 * 渔业 … T 国际组织. Pages show their usual short names (customer.industry.<letter>); the importer
 * also knows the names and synonyms people write (import/industry-names.ts).
 */
export const INDUSTRIES = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
] as const;

export type CustomerKind = (typeof CUSTOMER_KINDS)[number];
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/**
 * A tier as people write it: A, a, Ａ, A级, A类, A 类客户, A级客户 → 'A'. Null when it names no tier.
 * The customer form and the import read tiers through it.
 */
export function readTier(text: string): CustomerTier | null {
  const t = foldWidth(text)
    .replace(/\s+/g, '')
    .toUpperCase()
    .replace(/(?:级|类|等)?(?:客户)?$/, '');
  return (CUSTOMER_TIERS as readonly string[]).includes(t) ? (t as CustomerTier) : null;
}
