import { describe, expect, it } from 'vitest';
import { currentPeriod, monthDays, monthsOf, periodOf, previousPeriod, trendSpan } from './period.js';

const SH = 'Asia/Shanghai';
const days = (p: { from: string; to: string }) => `${p.from}..${p.to}`;

describe('periodOf', () => {
  it('starts weeks on Monday, in the company zone', () => {
    const p = periodOf('this_week', '2026-11-30', SH);
    expect(days(p)).toBe('2026-11-30..2026-12-06');
    expect(p.start.toISOString()).toBe('2026-11-29T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-12-06T16:00:00.000Z');
    expect(days(periodOf('this_week', '2026-12-06', SH))).toBe('2026-11-30..2026-12-06');
    expect(days(previousPeriod(p))).toBe('2026-11-23..2026-11-29');
  });

  it('takes the week across a new year', () => {
    expect(days(periodOf('this_week', '2026-01-01', SH))).toBe('2025-12-29..2026-01-04');
  });

  it('reads the day in Shanghai, not in UTC: 01:00 on Monday there is still Sunday in UTC', () => {
    const p = currentPeriod('this_week', new Date('2026-11-29T17:00:00Z'), SH);
    expect(days(p)).toBe('2026-11-30..2026-12-06');
    expect(days(currentPeriod('this_week', new Date('2026-11-29T17:00:00Z'), 'UTC'))).toBe(
      '2026-11-23..2026-11-29',
    );
  });

  it('gives quarters and the quarter before, across a year', () => {
    const q4 = periodOf('this_quarter', '2026-11-30', SH);
    expect(days(q4)).toBe('2026-10-01..2026-12-31');
    expect(q4.start.toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(q4.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(days(previousPeriod(q4))).toBe('2026-07-01..2026-09-30');
    const q1 = periodOf('this_quarter', '2026-01-01', SH);
    expect(days(q1)).toBe('2026-01-01..2026-03-31');
    expect(days(previousPeriod(q1))).toBe('2025-10-01..2025-12-31');
    expect(days(periodOf('this_quarter', '2026-03-31', SH))).toBe('2026-01-01..2026-03-31');
    expect(days(periodOf('this_quarter', '2026-04-01', SH))).toBe('2026-04-01..2026-06-30');
  });

  it('gives months (a leap February too), last month and the year', () => {
    expect(days(periodOf('this_month', '2028-02-10', SH))).toBe('2028-02-01..2028-02-29');
    const last = periodOf('last_month', '2026-01-15', SH);
    expect(days(last)).toBe('2025-12-01..2025-12-31');
    expect(days(previousPeriod(last))).toBe('2025-11-01..2025-11-30');
    expect(days(previousPeriod(periodOf('this_month', '2026-03-31', SH)))).toBe('2026-02-01..2026-02-28');
    const year = periodOf('this_year', '2026-06-01', SH);
    expect(days(year)).toBe('2026-01-01..2026-12-31');
    expect(days(previousPeriod(year))).toBe('2025-01-01..2025-12-31');
  });

  it('compares a period under way with as many of the first days of the one before as have begun', () => {
    const december = periodOf('this_month', '2026-12-01', SH);
    expect(days(previousPeriod(december, '2026-12-01'))).toBe('2026-11-01..2026-11-01');
    expect(days(previousPeriod(december, '2026-12-15'))).toBe('2026-11-01..2026-11-15');
    // March's last days against the whole of February.
    expect(days(previousPeriod(periodOf('this_month', '2026-03-30', SH), '2026-03-30'))).toBe(
      '2026-02-01..2026-02-28',
    );
    const week = periodOf('this_week', '2026-12-02', SH);
    expect(days(previousPeriod(week, '2026-12-02'))).toBe('2026-11-23..2026-11-25');
    const q4 = periodOf('this_quarter', '2026-11-30', SH);
    expect(days(previousPeriod(q4, '2026-11-30'))).toBe('2026-07-01..2026-08-30');
    const year = periodOf('this_year', '2026-11-30', SH);
    expect(days(previousPeriod(year, '2026-11-30'))).toBe('2025-01-01..2025-11-30');
    // Last month, a custom span, and a period not under way are compared whole.
    expect(days(previousPeriod(periodOf('last_month', '2026-12-01', SH), '2026-12-01'))).toBe(
      '2026-10-01..2026-10-31',
    );
    const span = periodOf('custom', '2026-12-01', SH, { from: '2026-11-25', to: '2026-12-04' });
    expect(days(previousPeriod(span, '2026-12-01'))).toBe('2026-11-15..2026-11-24');
    expect(days(previousPeriod(december, '2027-01-05'))).toBe('2026-11-01..2026-11-30');
  });

  it('compares custom whole months with as many whole months before, as last month is', () => {
    const november = periodOf('custom', '2026-12-01', SH, { from: '2026-11-01', to: '2026-11-30' });
    expect(previousPeriod(november)).toMatchObject({ from: '2026-10-01', to: '2026-10-31' });
    const quarter = periodOf('custom', '2026-12-01', SH, { from: '2026-01-01', to: '2026-03-31' });
    expect(previousPeriod(quarter)).toMatchObject({ from: '2025-10-01', to: '2025-12-31' });
    // Not whole months: as many days.
    const partly = periodOf('custom', '2026-12-01', SH, { from: '2026-11-01', to: '2026-11-29' });
    expect(previousPeriod(partly)).toMatchObject({ from: '2026-10-03', to: '2026-10-31' });
  });

  it('compares a custom span with as many days just before it', () => {
    const p = periodOf('custom', '2026-11-30', SH, { from: '2026-11-10', to: '2026-11-19' });
    expect(days(previousPeriod(p))).toBe('2026-10-31..2026-11-09');
    expect(() => periodOf('custom', '2026-11-30', SH, { from: '2026-11-19', to: '2026-11-10' })).toThrow(
      /not a span of days/,
    );
  });

  it('trends over the twelve months ending with the period', () => {
    const span = trendSpan(periodOf('this_week', '2026-11-30', SH));
    expect(days(span)).toBe('2026-01-01..2026-12-31');
    const months = monthsOf(trendSpan(periodOf('this_month', '2026-03-05', SH)));
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2025-04');
    expect(months[11]).toBe('2026-03');
  });

  it('gives the first and last day of a month', () => {
    expect(monthDays('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(monthDays('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });
});
