import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  DEFAULT_LUNCH,
  DEFAULT_WEEK,
  isWorkday,
} from './business-time.js';

/** Every day of [first, last] (YYYY-MM-DD). */
function days(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${first}T00:00Z`); d <= Date.parse(`${last}T00:00Z`); d += 86_400_000)
    out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/**
 * China's 2026 schedule, written out by hand from the State Council General Office's notice of
 * 2025-11-04 (国务院办公厅关于2026年部分节假日安排的通知), independently of the migration that seeds it.
 */
const CHINA_2026: BusinessCalendar = {
  zone: 'Asia/Shanghai',
  week: DEFAULT_WEEK,
  lunch: null,
  holidays: new Set([
    ...days('2026-01-01', '2026-01-03'),
    ...days('2026-02-15', '2026-02-23'),
    ...days('2026-04-04', '2026-04-06'),
    ...days('2026-05-01', '2026-05-05'),
    ...days('2026-06-19', '2026-06-21'),
    ...days('2026-09-25', '2026-09-27'),
    ...days('2026-10-01', '2026-10-07'),
  ]),
  makeUpDays: new Set(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']),
};
const WITH_LUNCH: BusinessCalendar = { ...CHINA_2026, lunch: DEFAULT_LUNCH };

/** A Shanghai wall-clock time. */
const sh = (local: string) => new Date(`${local}+08:00`);
/** The due time as Shanghai wall-clock text, to compare with a hand-checked answer. */
const due = (from: string, minutes: number, calendar = CHINA_2026) =>
  local(addBusinessMinutes(sh(from), minutes, calendar), 8);
const local = (d: Date, offsetHours: number) =>
  new Date(d.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 16);

describe('isWorkday', () => {
  it.each([
    ['2026-10-01', 'National Day (Thursday)', false],
    ['2026-10-07', 'the last day of the National Day block (Wednesday)', false],
    ['2026-10-08', 'the Thursday after it', true],
    ['2026-09-20', 'a 调休 Sunday before the block', true],
    ['2026-10-10', 'a 调休 Saturday after the block', true],
    ['2026-10-11', 'the Sunday after that', false],
    ['2026-02-14', 'the 调休 Saturday before 春节', true],
    ['2026-02-23', 'the Monday that ends 春节', false],
    ['2026-02-28', 'the 调休 Saturday after 春节', true],
    ['2026-12-01', 'an ordinary Tuesday', true],
    ['2026-12-05', 'an ordinary Saturday', false],
  ])('%s (%s): %s', (day, _, expected) => {
    expect(isWorkday(day, CHINA_2026)).toBe(expected);
  });

  it('refuses what is not a day', () => {
    expect(() => isWorkday('2026-10', CHINA_2026)).toThrow(RangeError);
  });
});

describe('addBusinessMinutes', () => {
  it.each([
    // 国庆节 2026: Oct 1–7 off, Sunday Sep 20 and Saturday Oct 10 worked; 中秋 Sep 25–27 off.
    ['Friday 17:00 + 120 before a 调休 Sunday', '2026-09-18T17:00', 120, '2026-09-20T10:00'],
    ['the day before National Day, 17:00 + 120', '2026-09-30T17:00', 120, '2026-10-08T10:00'],
    ['a start on a holiday', '2026-10-03T11:00', 60, '2026-10-08T10:00'],
    [
      'Friday 17:00 + 120 before the 调休 Saturday after the block',
      '2026-10-09T17:00',
      120,
      '2026-10-10T10:00',
    ],
    ['17:59 + 1 ends at closing time', '2026-10-09T17:59', 1, '2026-10-09T18:00'],
    ['17:59 + 2 goes on the next working day', '2026-10-09T17:59', 2, '2026-10-10T09:01'],
    ['the 中秋 Friday, into the next week', '2026-09-24T17:30', 60, '2026-09-28T09:30'],
    // 春节 2026: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked.
    ['Friday 17:00 + 120 before the 调休 Saturday before 春节', '2026-02-13T17:00', 120, '2026-02-14T10:00'],
    ['the last working day before 春节 is a Saturday', '2026-02-14T17:00', 120, '2026-02-24T10:00'],
    ['a start during 春节', '2026-02-18T10:00', 30, '2026-02-24T09:30'],
    ['a make-up Saturday after 春节', '2026-02-27T17:00', 120, '2026-02-28T10:00'],
    // Nights and weekends.
    ['before opening', '2026-12-01T06:00', 30, '2026-12-01T09:30'],
    ['after closing', '2026-12-01T20:00', 30, '2026-12-02T09:30'],
    ['an ordinary Friday over the weekend', '2026-12-04T17:00', 120, '2026-12-07T10:00'],
    ['a Saturday', '2026-12-05T10:00', 60, '2026-12-07T10:00'],
    // 0 minutes: now inside hours, the next opening outside them.
    ['0 minutes inside hours', '2026-12-01T10:00', 0, '2026-12-01T10:00'],
    ['0 minutes on a holiday', '2026-10-03T11:00', 0, '2026-10-08T09:00'],
    ['0 minutes at closing time', '2026-12-01T18:00', 0, '2026-12-02T09:00'],
  ])('%s: %s + %s min → %s', (_, from, minutes, expected) => {
    expect(due(from, minutes)).toBe(expected);
  });

  it('walks 10,000 minutes day by day: 18 whole days of 540 and 280 minutes more', () => {
    // From Monday 2026-11-30 09:00 the 19th workday is Thursday Dec 24 (no holiday in between).
    expect(due('2026-11-30T09:00', 10_000)).toBe('2026-12-24T13:40');
    // Across 春节: Feb 2–13 (10 days), Sat Feb 14, Feb 24–27 (4), Sat Feb 28, Mar 2–4.
    expect(due('2026-02-02T09:00', 10_000)).toBe('2026-03-04T13:40');
  });

  it('stays fast for large values', () => {
    const started = performance.now();
    for (let i = 0; i < 100; i++) addBusinessMinutes(sh('2026-01-05T09:00'), 10_000, CHINA_2026);
    const years = addBusinessMinutes(sh('2026-01-05T09:00'), 1_000_000, CHINA_2026);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(years.getTime()).toBeGreaterThan(sh('2033-01-01T00:00').getTime());
  });

  describe('with the lunch break (12:00–13:30)', () => {
    it.each([
      ['a start in the lunch gap', '2026-12-01T12:15', 30, '2026-12-01T14:00'],
      ['a target ending at lunch ends at lunch', '2026-12-01T11:00', 60, '2026-12-01T12:00'],
      ['a target crossing lunch', '2026-12-01T11:00', 90, '2026-12-01T14:00'],
      ['a whole day is 450 minutes', '2026-12-01T09:00', 450, '2026-12-01T18:00'],
      ['a 调休 Saturday has the break too', '2026-10-10T11:30', 60, '2026-10-10T14:00'],
    ])('%s: %s + %s min → %s', (_, from, minutes, expected) => {
      expect(due(from, minutes, WITH_LUNCH)).toBe(expected);
    });
  });

  it('refuses negative or non-finite minutes and an invalid start', () => {
    expect(() => addBusinessMinutes(sh('2026-12-01T10:00'), -1, CHINA_2026)).toThrow(RangeError);
    expect(() => addBusinessMinutes(sh('2026-12-01T10:00'), Number.NaN, CHINA_2026)).toThrow(RangeError);
    expect(() => addBusinessMinutes(new Date('nope'), 10, CHINA_2026)).toThrow(RangeError);
  });

  it('refuses a calendar without working time rather than walking forever', () => {
    const closed = { ...CHINA_2026, week: Array(7).fill(null), makeUpDays: new Set<string>() };
    expect(() => addBusinessMinutes(sh('2026-12-01T10:00'), 10, closed)).toThrow(RangeError);
  });

  it('gives a make-up day the hours of the first working weekday', () => {
    const lateMonday: BusinessCalendar = {
      ...CHINA_2026,
      week: [{ opens: 600, closes: 1140 }, ...DEFAULT_WEEK.slice(1)],
    };
    // Saturday Oct 10 2026 opens at 10:00 like Monday.
    expect(due('2026-10-10T08:00', 30, lateMonday)).toBe('2026-10-10T10:30');
  });
});

describe('in zones with daylight saving', () => {
  const newYork: BusinessCalendar = {
    ...CHINA_2026,
    zone: 'America/New_York',
    holidays: new Set(),
    makeUpDays: new Set(),
  };

  it('moves the opening hours with the clocks', () => {
    // Clocks go forward on Sunday 2026-03-08: Friday 17:00 EST (22:00Z) + 120 is Monday 10:00 EDT (14:00Z).
    const friday = new Date('2026-03-06T17:00-05:00');
    const monday = addBusinessMinutes(friday, 120, newYork);
    expect(monday.toISOString()).toBe('2026-03-09T14:00:00.000Z');
    expect(businessMinutesBetween(friday, monday, newYork)).toBe(120);
  });

  it('counts a day whose clocks change in the working day by the hours really worked', () => {
    // A calendar open around the clock on Sunday 2026-11-01, when New York falls back at 02:00: 25 hours.
    const allDay: BusinessCalendar = { ...newYork, week: Array(7).fill({ opens: 0, closes: 1440 }) };
    expect(
      businessMinutesBetween(new Date('2026-11-01T00:00-04:00'), new Date('2026-11-02T00:00-05:00'), allDay),
    ).toBe(25 * 60);
    expect(addBusinessMinutes(new Date('2026-11-01T00:00-04:00'), 25 * 60, allDay).toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
  });

  it('counts in the calendar’s zone, not UTC', () => {
    // 01:00–10:00 UTC on a Tuesday is 09:00–18:00 in Shanghai.
    const from = new Date('2026-12-01T01:00Z');
    const to = new Date('2026-12-01T10:00Z');
    expect(businessMinutesBetween(from, to, CHINA_2026)).toBe(540);
    expect(businessMinutesBetween(from, to, { ...CHINA_2026, zone: 'UTC' })).toBe(60);
  });
});

describe('businessMinutesBetween', () => {
  const between = (from: string, to: string, calendar = CHINA_2026) =>
    businessMinutesBetween(sh(from), sh(to), calendar);

  it.each([
    ['Friday 17:00 to the 调休 Sunday 10:00', '2026-09-18T17:00', '2026-09-20T10:00', 120],
    ['the National Day week, both ends worked', '2026-09-30T09:00', '2026-10-08T18:00', 1080],
    ['inside the National Day block', '2026-10-01T00:00', '2026-10-07T23:59', 0],
    ['Monday 09:00 to Wednesday 15:00: 24 business hours', '2026-11-30T09:00', '2026-12-02T15:00', 1440],
    ['a night', '2026-12-01T18:00', '2026-12-02T09:00', 0],
    ['backwards', '2026-12-02T10:00', '2026-12-01T10:00', 0],
    ['the same instant', '2026-12-02T10:00', '2026-12-02T10:00', 0],
  ])('%s: %s → %s is %s min', (_, from, to, expected) => {
    expect(between(from, to)).toBe(expected);
  });

  it('leaves out the lunch break', () => {
    expect(between('2026-12-01T11:00', '2026-12-01T14:00', WITH_LUNCH)).toBe(90);
    expect(between('2026-12-01T00:00', '2026-12-02T00:00', WITH_LUNCH)).toBe(450);
  });

  it('undoes addBusinessMinutes from a start inside hours', () => {
    for (const start of ['2026-02-12T10:17', '2026-09-29T16:45', '2026-12-31T09:00'])
      for (const minutes of [1, 59, 540, 541, 1440, 10_000])
        expect(
          businessMinutesBetween(sh(start), addBusinessMinutes(sh(start), minutes, WITH_LUNCH), WITH_LUNCH),
        ).toBe(minutes);
  });
});
