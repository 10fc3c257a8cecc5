import { describe, expect, it } from 'vitest';
import { workingMinutesBetween } from './working-hours.js';

const ZONE = 'Asia/Shanghai';
/** A Shanghai wall-clock time: 2026-11-30 is a Monday. */
const at = (local: string) => new Date(`${local}+08:00`);
const hours = (from: string, to: string) => workingMinutesBetween(at(from), at(to), ZONE) / 60;

describe('workingMinutesBetween', () => {
  it.each([
    ['within a morning', '2026-11-30T09:00', '2026-11-30T12:30', 3.5],
    ['a whole workday, night included', '2026-11-30T08:00', '2026-11-30T23:00', 9],
    ['from Monday 17:00 to Tuesday 10:00', '2026-11-30T17:00', '2026-12-01T10:00', 2],
    ['Friday 17:00 over the weekend to Monday 10:00', '2026-12-04T17:00', '2026-12-07T10:00', 2],
    ['a weekend alone', '2026-12-05T09:00', '2026-12-06T18:00', 0],
    ['Monday 9:00 to Wednesday 15:00 (24 working hours)', '2026-11-30T09:00', '2026-12-02T15:00', 24],
    ['backwards', '2026-12-01T10:00', '2026-11-30T10:00', 0],
  ])('%s: %s → %s is %s h', (_, from, to, expected) => {
    expect(hours(from, to)).toBe(expected);
  });

  it('counts in the company zone, not UTC', () => {
    // 01:00–10:00 UTC on a Monday is 09:00–18:00 in Shanghai: a whole workday.
    expect(workingMinutesBetween(new Date('2026-11-30T01:00Z'), new Date('2026-11-30T10:00Z'), ZONE)).toBe(
      540,
    );
    expect(workingMinutesBetween(new Date('2026-11-30T01:00Z'), new Date('2026-11-30T10:00Z'), 'UTC')).toBe(
      60,
    );
  });
});
