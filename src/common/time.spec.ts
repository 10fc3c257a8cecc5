import { describe, expect, it } from 'vitest';
import { parseLocalDateTime, toLocalInput, zoneOffsetMinutes } from './time.js';

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
});
