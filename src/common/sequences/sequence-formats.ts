import { localDay } from '../time.js';

/**
 * The numberings Kehu gives records, as people quote them on the phone and print them on paper:
 * quotes BJ-2026-0001 (报价), contracts HT-2026-0001 (合同), both starting again each year, and
 * tickets T-000001, counting on forever. A number wider than its digits simply grows (BJ-2026-10000).
 */
export const SEQUENCES = {
  quote: { prefix: 'BJ', yearly: true, digits: 4 },
  contract: { prefix: 'HT', yearly: true, digits: 4 },
  ticket: { prefix: 'T', yearly: false, digits: 6 },
} as const;

export type SequenceKind = keyof typeof SEQUENCES;

/** The calendar year of `at` in `zone`: 2026-12-31T16:30Z is already 2027 in Asia/Shanghai. */
export function yearIn(at: Date, zone: string): number {
  if (Number.isNaN(at.getTime())) throw new RangeError('sequences: not a date');
  return Number(localDay(at, zone).slice(0, 4));
}

/** The number `n` of `kind` in `year` as written: formatNumber('quote', 2026, 1) is BJ-2026-0001. */
export function formatNumber(kind: SequenceKind, year: number, n: number): string {
  const { prefix, yearly, digits } = SEQUENCES[kind];
  const counter = String(n).padStart(digits, '0');
  return yearly ? `${prefix}-${year}-${counter}` : `${prefix}-${counter}`;
}
