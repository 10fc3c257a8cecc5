/**
 * How a queue row or a ticket page shows an SLA due time: relative to now ("in 2 h 10 min",
 * "overdue by 3 d"), coloured by state: overdue (red), warning (amber) once the SLA clock has sent its
 * 80% warning, otherwise ok. The warning is the clock's, counted in business time: amber on the page
 * and the warning in the agent's inbox are the same moment, nights, weekends and lunch not counted.
 * Pure, so it is tested on hand-made times.
 */
export type DueState = 'ok' | 'warning' | 'overdue';

export interface DueLabel {
  state: DueState;
  /** A locale key under tickets.due.*, with its parameters. */
  key: string;
  params: { d: number; h: number; m: number };
}

export function dueLabel(dueAt: Date | null, now: Date, warned: boolean): DueLabel | null {
  if (!dueAt) return null;
  const left = dueAt.getTime() - now.getTime();
  const overdue = left <= 0;
  const state: DueState = overdue ? 'overdue' : warned ? 'warning' : 'ok';
  const minutes = Math.max(overdue ? Math.floor(-left / 60_000) : Math.ceil(left / 60_000), 0);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  // Two days or more read in days; under an hour in minutes; otherwise hours and minutes (whole hours alone).
  const unit =
    minutes >= 2880 ? 'days' : minutes >= 60 ? (minutes % 60 === 0 ? 'whole_hours' : 'hours') : 'minutes';
  return {
    state,
    key: `tickets.due.${overdue ? 'overdue' : 'in'}_${unit}`,
    params: unit === 'days' ? { d: Math.round(minutes / 1440), h: 0, m: 0 } : { d, h: d * 24 + h, m },
  };
}
