import { describe, expect, it } from 'vitest';
import { formatNumber, yearIn } from './sequence-formats.js';

describe('formatNumber', () => {
  it.each([
    ['quote', 2026, 1, 'BJ-2026-0001'],
    ['quote', 2026, 42, 'BJ-2026-0042'],
    ['contract', 2027, 9999, 'HT-2027-9999'],
    ['contract', 2027, 10000, 'HT-2027-10000'],
    ['ticket', 0, 1, 'T-000001'],
    ['ticket', 0, 123456, 'T-123456'],
    ['ticket', 0, 1234567, 'T-1234567'],
  ] as const)('writes %s %i number %i as %s', (kind, year, n, text) => {
    expect(formatNumber(kind, year, n)).toBe(text);
  });
});

describe('yearIn', () => {
  it('is the year on the company’s calendar, not in UTC', () => {
    expect(yearIn(new Date('2026-12-31T15:59:59Z'), 'Asia/Shanghai')).toBe(2026);
    expect(yearIn(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toBe(2027);
    expect(yearIn(new Date('2026-12-31T16:30:00Z'), 'UTC')).toBe(2026);
    expect(yearIn(new Date('2027-01-01T03:00:00Z'), 'America/New_York')).toBe(2026);
  });

  it('throws on an invalid date', () => {
    expect(() => yearIn(new Date('soon'), 'Asia/Shanghai')).toThrow(/not a date/);
  });
});
