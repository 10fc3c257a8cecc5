import { localDay, parseLocalDateTime } from '../common/time.js';

/** The periods the dashboard offers; `custom` takes a from and a to day. */
export const PERIOD_KINDS = [
  'this_week',
  'this_month',
  'last_month',
  'this_quarter',
  'this_year',
  'custom',
] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/**
 * A span of whole days in the company's time zone: `from` and `to` are calendar days (inclusive),
 * `start` and `end` the instants that bound them (`end` exclusive: the start of the day after `to`).
 */
export interface Period {
  kind: PeriodKind;
  from: string;
  to: string;
  start: Date;
  end: Date;
  zone: string;
}

const DAY = 86_400_000;

/** A calendar day (YYYY-MM-DD) moved by `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** The first day of the month `n` months after the month of `day`. */
function monthStart(day: string, n = 0): string {
  const [y, m] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10);
}

/** The day's weekday, Monday 0 … Sunday 6 (weeks start on Monday). */
function weekday(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** The period from `from` to `to` (inclusive days) in `zone`. */
export function spanOf(kind: PeriodKind, from: string, to: string, zone: string): Period {
  const start = parseLocalDateTime(from, zone);
  const end = parseLocalDateTime(addDays(to, 1), zone);
  if (!start || !end || to < from) throw new RangeError(`period: not a span of days: ${from}..${to}`);
  return { kind, from, to, start, end, zone };
}

/**
 * The period of `kind` holding `today` (a calendar day in `zone`): this week (Monday to Sunday), this
 * month, last month, this quarter, this year, or the custom days given.
 */
export function periodOf(
  kind: PeriodKind,
  today: string,
  zone: string,
  custom?: { from: string; to: string },
): Period {
  switch (kind) {
    case 'this_week': {
      const monday = addDays(today, -weekday(today));
      return spanOf(kind, monday, addDays(monday, 6), zone);
    }
    case 'this_month':
      return spanOf(kind, monthStart(today), addDays(monthStart(today, 1), -1), zone);
    case 'last_month':
      return spanOf(kind, monthStart(today, -1), addDays(monthStart(today), -1), zone);
    case 'this_quarter': {
      const first = monthStart(today, -((Number(today.slice(5, 7)) - 1) % 3));
      return spanOf(kind, first, addDays(monthStart(first, 3), -1), zone);
    }
    case 'this_year':
      return spanOf(kind, `${today.slice(0, 4)}-01-01`, `${today.slice(0, 4)}-12-31`, zone);
    case 'custom':
      if (!custom) throw new RangeError('period: a custom period needs its days');
      return spanOf(kind, custom.from, custom.to, zone);
  }
}

/** The period of `kind` holding the instant `now`, in `zone`. */
export function currentPeriod(
  kind: PeriodKind,
  now: Date,
  zone: string,
  custom?: { from: string; to: string },
): Period {
  return periodOf(kind, localDay(now, zone), zone, custom);
}

/**
 * The period a figure is compared with: the week, month, quarter or year before (last month's: the
 * month before it); a custom span, as many whole months before when it is whole months, else the
 * same number of days just before it. While a week, month, quarter or year is under way (`today`, the
 * company's day, falls in it), only as many of the first days of the one before as have begun of this
 * one: on 1 December this month is compared with 1 November, on the 31st of March with February up
 * to its end.
 */
export function previousPeriod(p: Period, today?: string): Period {
  const whole = periodBefore(p);
  const underWay = p.kind !== 'custom' && p.kind !== 'last_month' && today !== undefined;
  if (!underWay || today < p.from || today > p.to) return whole;
  const to = addDays(whole.from, daysFrom(p.from, today));
  return to < whole.to ? spanOf(p.kind, whole.from, to, p.zone) : whole;
}

/** The whole week, month, quarter, year or span of as many days just before `p`. */
function periodBefore(p: Period): Period {
  switch (p.kind) {
    case 'this_week':
      return spanOf(p.kind, addDays(p.from, -7), addDays(p.to, -7), p.zone);
    case 'this_month':
    case 'last_month':
      return spanOf(p.kind, monthStart(p.from, -1), addDays(p.from, -1), p.zone);
    case 'this_quarter':
      return spanOf(p.kind, monthStart(p.from, -3), addDays(p.from, -1), p.zone);
    case 'this_year':
      return spanOf(p.kind, monthStart(p.from, -12), addDays(p.from, -1), p.zone);
    case 'custom': {
      // Whole calendar months (1 November to 30 November, or a quarter) are set against as many
      // whole months before, as last month's choice is: not against the 30 days before.
      const months = wholeMonths(p);
      if (months) return spanOf(p.kind, monthStart(p.from, -months), addDays(p.from, -1), p.zone);
      const days = daysFrom(p.from, p.to) + 1;
      return spanOf(p.kind, addDays(p.from, -days), addDays(p.from, -1), p.zone);
    }
  }
}

/** How many calendar months `p` spans when it runs from a month's first day to a month's last; else null. */
function wholeMonths(p: Period): number | null {
  if (p.from !== monthStart(p.from) || addDays(p.to, 1) !== monthStart(p.to, 1)) return null;
  const [fy, fm] = p.from.split('-').map(Number);
  const [ty, tm] = p.to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm) + 1;
}

/** How many days `to` is after `from` (calendar days). */
function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** The twelve months ending with the month `p` ends in: the span of the monthly trends. */
export function trendSpan(p: Period): Period {
  const last = monthStart(p.to);
  return spanOf('custom', monthStart(last, -11), addDays(monthStart(last, 1), -1), p.zone);
}

/** The months (YYYY-MM) of a span, in order. */
export function monthsOf(p: Period): string[] {
  const months: string[] = [];
  for (let m = monthStart(p.from); m <= p.to; m = monthStart(m, 1)) months.push(m.slice(0, 7));
  return months;
}

/** The first and last day of a month (YYYY-MM). */
export function monthDays(month: string): { from: string; to: string } {
  const from = `${month}-01`;
  return { from, to: addDays(monthStart(from, 1), -1) };
}
