import { zoneOffsetMinutes } from '../time.js';

/**
 * The company's business time as pure functions: due times (SLA targets, approval reminders) and the
 * business minutes between two instants. Days are walked one at a time, never minutes, so a target of
 * weeks costs a few dozen steps. Correct in any IANA zone: each day's opening hours are turned into
 * instants with that day's own offset, so a daylight-saving change moves them with the clocks.
 */

/** Opening hours of one day, as minutes after local midnight (09:00–18:00 is 540–1080). */
export interface DayHours {
  opens: number;
  closes: number;
}

/** A break inside every working day (lunch, 12:00–13:30 is 720–810). */
export interface DayBreak {
  starts: number;
  ends: number;
}

export interface BusinessCalendar {
  /** The company's IANA zone (Asia/Shanghai). */
  zone: string;
  /** Monday first, Sunday last (ISO order); null: the day is off. */
  week: readonly (DayHours | null)[];
  /** Taken out of every working day's hours; null: none. */
  lunch: DayBreak | null;
  /** Local days (YYYY-MM-DD) that are off although their weekday works: 春节, 国庆节… */
  holidays: ReadonlySet<string>;
  /**
   * Local days that are worked although their weekday is off (调休 make-up days). They keep the hours
   * of the first working weekday (Monday's, normally): a make-up day stands in for an ordinary workday.
   */
  makeUpDays: ReadonlySet<string>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Monday–Friday 09:00–18:00, no lunch break, no exceptions: the default week. */
export const DEFAULT_WEEK: readonly (DayHours | null)[] = [
  ...Array.from({ length: 5 }, () => ({ opens: 540, closes: 1080 })),
  null,
  null,
];

/** The usual Chinese lunch break: the seeded calendar keeps it (migration DefaultLunchBreak). */
export const DEFAULT_LUNCH: DayBreak = { starts: 720, ends: 810 };

/** The weekday of a local day (YYYY-MM-DD) in ISO order: 0 Monday … 6 Sunday. */
function isoWeekday(dayMs: number): number {
  return (new Date(dayMs).getUTCDay() + 6) % 7;
}

/** A local day written as if it were UTC midnight (the arithmetic of days is then plain). */
function dayMsOf(localDay: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDay);
  if (!m) throw new RangeError(`not a day: ${localDay}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

const dayText = (dayMs: number) => new Date(dayMs).toISOString().slice(0, 10);

/** The hours of a local day on the calendar (null: not a working day). */
function hoursOf(dayMs: number, calendar: BusinessCalendar): DayHours | null {
  const day = dayText(dayMs);
  if (calendar.holidays.has(day)) return null;
  const own = calendar.week[isoWeekday(dayMs)] ?? null;
  if (own) return own;
  return calendar.makeUpDays.has(day) ? (calendar.week.find((h) => h !== null) ?? null) : null;
}

/** Whether a local day (YYYY-MM-DD) is a working day: a holiday is not, a 调休 make-up day is. */
export function isWorkday(localDay: string, calendar: BusinessCalendar): boolean {
  return hoursOf(dayMsOf(localDay), calendar) !== null;
}

/** The working windows of a day in minutes after midnight, the lunch break taken out. */
function windowsOf(hours: DayHours, lunch: DayBreak | null): [number, number][] {
  if (!lunch || lunch.ends <= hours.opens || lunch.starts >= hours.closes)
    return [[hours.opens, hours.closes]];
  return (
    [
      [hours.opens, lunch.starts],
      [lunch.ends, hours.closes],
    ] as [number, number][]
  ).filter(([a, b]) => b > a);
}

/** The instant a wall-clock time in `zone` means (two passes settle the offset across a change). */
function instantOf(localMs: number, zone: string): number {
  const first = localMs - zoneOffsetMinutes(new Date(localMs), zone) * MINUTE;
  return localMs - zoneOffsetMinutes(new Date(first), zone) * MINUTE;
}

/** The local day, as UTC-midnight milliseconds, that `instant` falls on in `zone`. */
function localDayMs(instant: number, zone: string): number {
  const local = instant + zoneOffsetMinutes(new Date(instant), zone) * MINUTE;
  return Math.floor(local / DAY) * DAY;
}

/**
 * Local days' midnights and lengths by zone, as instants: each costs a few time-zone look-ups (the
 * slow part of a walk), and due times keep asking about the same weeks. Bounded: cleared when full.
 */
const midnights = new Map<string, { midnight: number; length: number }>();
const MAX_MIDNIGHTS = 50_000;

function dayStart(dayMs: number, zone: string): { midnight: number; length: number } {
  const key = `${zone} ${dayMs}`;
  let start = midnights.get(key);
  if (!start) {
    const midnight = instantOf(dayMs, zone);
    start = { midnight, length: instantOf(dayMs + DAY, zone) - midnight };
    if (midnights.size >= MAX_MIDNIGHTS) midnights.clear();
    midnights.set(key, start);
  }
  return start;
}

/**
 * The working windows of a local day as instants, earliest first. On a day whose offset does not
 * change (every day in Asia/Shanghai) the day's midnight places them all.
 */
function dayWindows(dayMs: number, calendar: BusinessCalendar): [number, number][] {
  const hours = hoursOf(dayMs, calendar);
  if (!hours) return [];
  const { midnight, length } = dayStart(dayMs, calendar.zone);
  const at = (minute: number) =>
    length === DAY ? midnight + minute * MINUTE : instantOf(dayMs + minute * MINUTE, calendar.zone);
  return windowsOf(hours, calendar.lunch).map(([a, b]) => [at(a), at(b)]);
}

/** A calendar with no working day in this many days is refused, rather than walked forever. */
const MAX_IDLE_DAYS = 3 * 366;

/**
 * The instant at which `minutes` of business time have passed since `start`: a due time. Starting
 * outside hours (a night, a weekend, a holiday, the lunch break) the clock starts at the next opening,
 * so 0 minutes from Saturday is Monday's opening; a target that ends exactly at closing time is due at
 * closing time, not the next morning.
 */
export function addBusinessMinutes(start: Date, minutes: number, calendar: BusinessCalendar): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be 0 or more: ${minutes}`);
  if (Number.isNaN(start.getTime())) throw new RangeError('start is not a time');
  let left = minutes * MINUTE;
  const from = start.getTime();
  let idle = 0;
  for (let day = localDayMs(from, calendar.zone); ; day += DAY) {
    const windows = dayWindows(day, calendar);
    if (windows.length) idle = 0;
    else if (++idle > MAX_IDLE_DAYS) throw new RangeError('the calendar has no working time');
    for (const [opens, closes] of windows) {
      if (closes <= from) continue;
      const begin = Math.max(opens, from);
      if (left <= closes - begin) return new Date(begin + left);
      left -= closes - begin;
    }
  }
}

/** Whole business minutes from `from` to `to` (0 when `to` is not later). */
export function businessMinutesBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const start = from.getTime();
  const end = to.getTime();
  if (!(end > start)) return 0;
  let total = 0;
  for (let day = localDayMs(start, calendar.zone); day <= localDayMs(end, calendar.zone); day += DAY) {
    for (const [opens, closes] of dayWindows(day, calendar)) {
      const overlap = Math.min(closes, end) - Math.max(opens, start);
      if (overlap > 0) total += overlap;
    }
  }
  return Math.floor(total / MINUTE);
}
