import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
} from '../common/calendar/business-time.js';
import type { TicketPriority, TicketStatus } from './ticket.options.js';

/**
 * A ticket's SLA clock as pure functions on the company's business calendar (business-time.ts): the
 * due times on arrival, again on a priority change, the pauses while the ticket waits on the customer
 * (and while it sits resolved before a reopen), the first-response and resolution times, the 80%
 * warnings. Every function takes the clock's fields and answers the fields to store; nothing here
 * reads the database or the current time.
 *
 * Rules: both targets count business minutes from `receivedAt`; every business minute spent paused
 * (`pausedMinutes`) moves the due times later by as much. Once answered, the first-response due time
 * is history and stays as it was; the resolution due time keeps moving with pauses and priority.
 * Each due time comes with the instant its 80% warning falls due, worked out with it and moved with
 * it, so that the SLA watch finds the warnings to tell by an index rather than by the calendar.
 */

/** The targets of one SLA policy row, in business minutes. */
export interface SlaTargets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

/** A policy row as the clock needs it: a priority, a tier (null: any tier) and its targets. */
export interface SlaPolicyRow extends SlaTargets {
  priority: TicketPriority;
  tier: 'A' | 'B' | 'C' | null;
}

/** The clock's fields of a ticket. */
export interface SlaClock {
  status: TicketStatus;
  receivedAt: Date;
  firstResponseTargetMinutes: number;
  resolutionTargetMinutes: number;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  /** When the 80% warnings fall due (null on a row written before they were kept: the watch places it). */
  firstResponseWarningDueAt: Date | null;
  resolutionWarningDueAt: Date | null;
  dueAt: Date | null;
  pausedAt: Date | null;
  pausedMinutes: number;
  firstRespondedAt: Date | null;
  firstResponseMinutes: number | null;
  resolvedAt: Date | null;
  resolutionMinutes: number | null;
}

/** The statuses in which the clock runs (pending waits on the customer; resolved and closed are done). */
const RUNNING: readonly TicketStatus[] = ['new', 'open'];

/**
 * The targets for a priority and the customer's tier: the tier's own row wins over the priority's
 * general row (tier null). Throws when the priority has no row at all (the migration seeds one each).
 */
export function targetsFor(
  policies: readonly SlaPolicyRow[],
  priority: TicketPriority,
  tier: string | null,
): SlaTargets {
  const row =
    (tier ? policies.find((p) => p.priority === priority && p.tier === tier) : undefined) ??
    policies.find((p) => p.priority === priority && p.tier === null);
  if (!row) throw new Error(`no SLA policy for priority ${priority}`);
  return { firstResponseMinutes: row.firstResponseMinutes, resolutionMinutes: row.resolutionMinutes };
}

/** The next target still running: first response until answered, then resolution; null when none runs. */
export function nextDue(
  c: Pick<SlaClock, 'status' | 'firstRespondedAt' | 'firstResponseDueAt' | 'resolutionDueAt'>,
): Date | null {
  if (!RUNNING.includes(c.status)) return null;
  return c.firstRespondedAt ? c.resolutionDueAt : c.firstResponseDueAt;
}

/** The clock of a ticket arriving at `receivedAt` with these targets: both due times and dueAt. */
export function startClock(receivedAt: Date, targets: SlaTargets, calendar: BusinessCalendar): SlaClock {
  const clock: SlaClock = {
    status: 'new',
    receivedAt,
    firstResponseTargetMinutes: targets.firstResponseMinutes,
    resolutionTargetMinutes: targets.resolutionMinutes,
    firstResponseDueAt: addBusinessMinutes(receivedAt, targets.firstResponseMinutes, calendar),
    resolutionDueAt: addBusinessMinutes(receivedAt, targets.resolutionMinutes, calendar),
    firstResponseWarningDueAt: null,
    resolutionWarningDueAt: null,
    dueAt: null,
    pausedAt: null,
    pausedMinutes: 0,
    firstRespondedAt: null,
    firstResponseMinutes: null,
    resolvedAt: null,
    resolutionMinutes: null,
  };
  return { ...clock, ...warningsDue(clock, calendar), dueAt: nextDue(clock) };
}

/**
 * The due times and their warnings again from `receivedAt`, the targets and the paused minutes (first
 * response only while unanswered).
 */
function recomputed(c: SlaClock, calendar: BusinessCalendar): SlaClock {
  const next = { ...c };
  if (!c.firstRespondedAt)
    next.firstResponseDueAt = addBusinessMinutes(
      c.receivedAt,
      c.firstResponseTargetMinutes + c.pausedMinutes,
      calendar,
    );
  next.resolutionDueAt = addBusinessMinutes(
    c.receivedAt,
    c.resolutionTargetMinutes + c.pausedMinutes,
    calendar,
  );
  const warnings = warningsDue(c, calendar);
  if (!c.firstRespondedAt) next.firstResponseWarningDueAt = warnings.firstResponseWarningDueAt;
  next.resolutionWarningDueAt = warnings.resolutionWarningDueAt;
  next.dueAt = nextDue(next);
  return next;
}

/** When both targets' 80% warnings fall due, pauses so far added. */
export function warningsDue(
  c: Pick<
    SlaClock,
    'receivedAt' | 'pausedMinutes' | 'firstResponseTargetMinutes' | 'resolutionTargetMinutes'
  >,
  calendar: BusinessCalendar,
): { firstResponseWarningDueAt: Date; resolutionWarningDueAt: Date } {
  return {
    firstResponseWarningDueAt: shareAt(c, c.firstResponseTargetMinutes, WARNING_SHARE, calendar),
    resolutionWarningDueAt: shareAt(c, c.resolutionTargetMinutes, WARNING_SHARE, calendar),
  };
}

/**
 * A priority change: the new priority's targets, counted from `receivedAt` with the pauses so far
 * added. The first-response target stays once answered (the answer was measured against it).
 */
export function changeTargets(c: SlaClock, targets: SlaTargets, calendar: BusinessCalendar): SlaClock {
  return recomputed(
    {
      ...c,
      firstResponseTargetMinutes: c.firstRespondedAt
        ? c.firstResponseTargetMinutes
        : targets.firstResponseMinutes,
      resolutionTargetMinutes: targets.resolutionMinutes,
    },
    calendar,
  );
}

/** Business minutes the clock has run by `at`: from arrival, pauses left out (a paused clock stopped at pausedAt). */
export function elapsedMinutes(c: SlaClock, at: Date, calendar: BusinessCalendar): number {
  const until = c.pausedAt && c.pausedAt < at ? c.pausedAt : at;
  return Math.max(0, businessMinutesBetween(c.receivedAt, until, calendar) - c.pausedMinutes);
}

/** The ticket starts waiting on the customer at `at`: the clock stands still (no due time runs). */
export function pause(c: SlaClock, at: Date): SlaClock {
  if (c.pausedAt) return { ...c, status: 'pending' };
  return { ...c, status: 'pending', pausedAt: at, dueAt: null };
}

/**
 * The clock runs again at `at` in `status` (open: the customer answered, or an agent took it back):
 * the business minutes since the pause are added to the paused minutes and the due times move by as much.
 */
export function resume(
  c: SlaClock,
  at: Date,
  calendar: BusinessCalendar,
  status: TicketStatus = 'open',
): SlaClock {
  const paused = c.pausedAt ? businessMinutesBetween(c.pausedAt, at, calendar) : 0;
  return recomputed({ ...c, status, pausedAt: null, pausedMinutes: c.pausedMinutes + paused }, calendar);
}

/** The first public reply at `at`: the first-response time in business minutes, pauses left out. */
export function respond(c: SlaClock, at: Date, calendar: BusinessCalendar): SlaClock {
  if (c.firstRespondedAt) return c;
  const next: SlaClock = {
    ...c,
    status: c.status === 'new' ? 'open' : c.status,
    firstRespondedAt: at,
    firstResponseMinutes: elapsedMinutes(c, at, calendar),
  };
  next.dueAt = nextDue(next);
  return next;
}

/** Resolved at `at`: a running pause ends first, then the resolution time is measured; nothing runs on. */
export function resolve(c: SlaClock, at: Date, calendar: BusinessCalendar): SlaClock {
  const running = c.pausedAt ? resume(c, at, calendar) : c;
  return {
    ...running,
    status: 'resolved',
    resolvedAt: at,
    resolutionMinutes: elapsedMinutes(running, at, calendar),
    dueAt: null,
  };
}

/**
 * Reopened at `at` (the customer replied, or an agent reopened it): the time it sat resolved counts
 * as a pause, so the resolution due time moves by the business minutes since `resolvedAt`.
 */
export function reopen(c: SlaClock, at: Date, calendar: BusinessCalendar): SlaClock {
  const sat = c.resolvedAt ? businessMinutesBetween(c.resolvedAt, at, calendar) : 0;
  return recomputed(
    {
      ...c,
      status: 'open',
      resolvedAt: null,
      resolutionMinutes: null,
      pausedAt: null,
      pausedMinutes: c.pausedMinutes + sat,
    },
    calendar,
  );
}

/** The instant `share` (0.8: the warning) of a target has run, pauses so far added. */
export function shareAt(
  c: Pick<SlaClock, 'receivedAt' | 'pausedMinutes'>,
  targetMinutes: number,
  share: number,
  calendar: BusinessCalendar,
): Date {
  return addBusinessMinutes(c.receivedAt, Math.ceil(targetMinutes * share) + c.pausedMinutes, calendar);
}

/** The share of a target that fires the warning; from it on, the due time shows amber (due-label). */
export const WARNING_SHARE = 0.8;
