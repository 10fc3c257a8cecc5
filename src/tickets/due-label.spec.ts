import { describe, expect, it } from 'vitest';
import { dueLabel } from './due-label.js';

const at = (hhmm: string, day = '2026-11-30') => new Date(`${day}T${hhmm}:00Z`);

describe('dueLabel', () => {
  const due = at('11:00');

  it('shows nothing for a ticket with no running clock', () => {
    expect(dueLabel(null, at('10:00'), false)).toBeNull();
  });

  it('is ok until the clock warns, in hours and minutes', () => {
    expect(dueLabel(due, at('09:30'), false)).toEqual({
      state: 'ok',
      key: 'tickets.due.in_hours',
      params: { d: 0, h: 1, m: 30 },
    });
    // Close on the wall clock, yet short of 80% in business time (a night or lunch between): not amber.
    expect(dueLabel(due, at('10:50'), false)?.state).toBe('ok');
  });

  it('turns amber once the clock has warned, whatever the wall time says', () => {
    expect(dueLabel(due, at('09:10'), true)).toEqual({
      state: 'warning',
      key: 'tickets.due.in_hours',
      params: { d: 0, h: 1, m: 50 },
    });
  });

  it('is overdue from the due minute on, counting the time past, warned or not', () => {
    expect(dueLabel(due, at('11:00'), false)?.state).toBe('overdue');
    expect(dueLabel(due, at('13:05'), true)).toEqual({
      state: 'overdue',
      key: 'tickets.due.overdue_hours',
      params: { d: 0, h: 2, m: 5 },
    });
  });

  it('leaves out the minutes of a whole hour, and reads under an hour in minutes', () => {
    expect(dueLabel(due, at('09:00'), false)?.key).toBe('tickets.due.in_whole_hours');
    expect(dueLabel(due, at('09:00'), false)?.params).toEqual({ d: 0, h: 2, m: 0 });
    expect(dueLabel(due, at('10:36'), true)).toEqual({
      state: 'warning',
      key: 'tickets.due.in_minutes',
      params: { d: 0, h: 0, m: 24 },
    });
  });

  it('reads two days or more in days', () => {
    expect(dueLabel(at('09:00', '2026-12-03'), at('09:00'), false)).toEqual({
      state: 'ok',
      key: 'tickets.due.in_days',
      params: { d: 3, h: 0, m: 0 },
    });
  });
});
