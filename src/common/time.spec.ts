import { describe, expect, it } from 'vitest';
import { localDay, monthName, parseLocalDateTime, toLocalInput, zoneOffsetMinutes } from './time.js';

describe('local times', () => {
  it('knows the zone offset', () => {
    expect(zoneOffsetMinutes(new Date('2026-06-01T00:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(zoneOffsetMinutes(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(zoneOffsetMinutes(new Date('2026-01-01T12:00:00Z'), 'Europe/Berlin')).toBe(60);
  });

  it('reads a form time in the user’s zone', () => {
    expect(parseLocalDateTime('2026-11-22T14:30', 'Asia/Shanghai')?.toISOString()).toBe(
      '2026-11-22T06:30:00.000Z',
    );
    expect(parseLocalDateTime('2026-11-23', 'Asia/Shanghai')?.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(parseLocalDateTime('2026-03-29T12:00', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-03-29T10:00:00.000Z',
    );
  });

  it('refuses what is not a date', () => {
    for (const bad of ['2026-02-30', '2026-13-01T10:00', 'tomorrow', '2026-11-22T25:00'])
      expect(parseLocalDateTime(bad, 'UTC')).toBeNull();
  });

  it('writes an instant back for a form', () => {
    expect(toLocalInput(new Date('2026-11-22T06:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-22T14:30');
  });

  it('reads the days of a manager’s whole team without holding on to memory', () => {
    // My day at scale reads tens of thousands of days; a formatter made per call kept ~7 kB each.
    const before = process.memoryUsage().rss;
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 20_000; i++) localDay(new Date(start + i * 3_600_000), 'Asia/Shanghai');
    expect(process.memoryUsage().rss - before).toBeLessThan(60 * 1024 * 1024);
  });
});

describe('monthName', () => {
  it('names a month in each language, and refuses what is not one', () => {
    expect(monthName('en', '2026-11')).toBe('November 2026');
    expect(monthName('zh-CN', '2026-11')).toBe('2026年11月');
    expect(monthName('en', '2027-01')).toBe('January 2027');
    expect(() => monthName('en', '2026-13')).toThrow('not a month');
  });
});
