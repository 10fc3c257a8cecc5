import { zoneOffsetMinutes } from '../common/time.js';

/**
 * Working time for approval reminders: Monday to Friday, 9:00 to 18:00 in the company's zone.
 * The Chinese business calendar (holidays and 调休 make-up workdays) plugs in at `isWorkday`, when
 * the tickets' BusinessCalendar exists: a day is a workday when the calendar says so.
 */
export const WORKDAY_START_HOUR = 9;
export const WORKDAY_END_HOUR = 18;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Monday to Friday; holidays and make-up workdays come with the business calendar. */
function isWorkday(localMidnightUtc: number): boolean {
  const weekday = new Date(localMidnightUtc).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

/**
 * Minutes of working time between two instants in `zone`. Each local day is walked once, so a
 * span of weeks costs a few dozen steps.
 */
export function workingMinutesBetween(from: Date, to: Date, zone: string): number {
  if (to <= from) return 0;
  // Local wall-clock times written as if they were UTC: day boundaries are then plain arithmetic.
  const local = (d: Date) => d.getTime() + zoneOffsetMinutes(d, zone) * MINUTE;
  const start = local(from);
  const end = local(to);
  let total = 0;
  for (let day = Math.floor(start / DAY) * DAY; day < end; day += DAY) {
    if (!isWorkday(day)) continue;
    const open = Math.max(start, day + WORKDAY_START_HOUR * 60 * MINUTE);
    const close = Math.min(end, day + WORKDAY_END_HOUR * 60 * MINUTE);
    if (close > open) total += close - open;
  }
  return Math.floor(total / MINUTE);
}
