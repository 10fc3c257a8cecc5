import { describe, expect, it } from 'vitest';
import { dueLabel } from './due-label.js';

const at = (hhmm: string, day = '2026-11-30') => new Date(`${day}T${hhmm}:00Z`);

describe('dueLabel', () => {
  const since = at('09:00');
  const due = at('11:00');

  it('shows nothing for a ticket with no running clock', () => {
    expect(dueLabel(null, since, at('10:00'))).toBeNull();
  });

  it('is ok before 80% of the time has passed, in hours and minutes', () => {
    expect(dueLabel(due, since, at('09:30'))).toEqual({
      state: 'ok',
      key: 'tickets.due.in_hours',
      params: { d: 0, h: 1, m: 30 },
    });
  });

  it('turns amber at 80% of the time from arrival (96 of 120 minutes)', () => {
    expect(dueLabel(due, since, at('10:35'))?.state).toBe('ok');
    expect(dueLabel(due, since, at('10:36'))).toEqual({
      state: 'warning',
      key: 'tickets.due.in_minutes',
      params: { d: 0, h: 0, m: 24 },
    });
  });

  it('turns amber once the clock has warned, whatever the wall time says', () => {
    expect(dueLabel(due, since, at('09:10'), true)?.state).toBe('warning');
  });

  it('is overdue from the due minute on, counting the time past', () => {
    expect(dueLabel(due, since, at('11:00'))?.state).toBe('overdue');
    expect(dueLabel(due, since, at('13:05'))).toEqual({
      state: 'overdue',
      key: 'tickets.due.overdue_hours',
      params: { d: 0, h: 2, m: 5 },
    });
  });

  it('leaves out the minutes of a whole hour', () => {
    expect(dueLabel(due, since, at('09:00'))?.key).toBe('tickets.due.in_whole_hours');
    expect(dueLabel(due, since, at('09:00'))?.params).toEqual({ d: 0, h: 2, m: 0 });
  });

  it('reads two days or more in days', () => {
    expect(dueLabel(at('09:00', '2026-12-03'), since, at('09:00'))).toEqual({
      state: 'ok',
      key: 'tickets.due.in_days',
      params: { d: 3, h: 0, m: 0 },
    });
  });
});
