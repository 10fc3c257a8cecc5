import { Injectable } from '@nestjs/common';
import { DomainError, NotAllowed } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';

/**
 * Who may correct a follow-up, in one place (the same shape as CustomerPolicy): a table of role × how
 * the user stands to the follow-up × action. A follow-up is a record of what happened, so only its
 * author corrects it, and only while it is fresh: within CORRECTION_WINDOW_MS of logging it. Seeing a
 * follow-up is seeing its customer (CustomerPolicy).
 */

/** How the user stands to a follow-up. */
export type FollowUpRelation =
  /** they logged it */
  | 'author'
  /** anyone else, their manager and the admin included */
  | 'other';

export const FOLLOW_UP_ACTIONS = [
  /** change what it says */
  'edit',
  /** remove it (soft: it stays in the database and the audit log) */
  'delete',
] as const;
export type FollowUpAction = (typeof FOLLOW_UP_ACTIONS)[number];

/** The rules: role × relation → what the user may do (within the window). */
export const FOLLOW_UP_RULES: Record<Role, Record<FollowUpRelation, readonly FollowUpAction[]>> = {
  admin: { author: ['edit', 'delete'], other: [] },
  manager: { author: ['edit', 'delete'], other: [] },
  sales: { author: ['edit', 'delete'], other: [] },
  // Service agents log no follow-ups, so they author none.
  service: { author: [], other: [] },
};

/** A follow-up may be corrected for a day (24 hours) after it was logged. */
export const CORRECTION_WINDOW_MS = 24 * 3_600_000;

/** What the policy needs of a follow-up. */
export interface FollowUpSubject {
  authorId: number;
  createdAt: Date;
}

/** The follow-up was logged more than a day ago: it stands as it is. */
export class CorrectionClosed extends DomainError {
  constructor() {
    super(409, 'follow_up.correction_closed');
  }
}

export function relationOf(user: SessionUser, f: FollowUpSubject): FollowUpRelation {
  return f.authorId === user.id ? 'author' : 'other';
}

/** Is the follow-up still within its correction window at `now`? */
export function correctable(f: FollowUpSubject, now = new Date()): boolean {
  return now.getTime() - f.createdAt.getTime() < CORRECTION_WINDOW_MS;
}

export function can(
  user: SessionUser,
  action: FollowUpAction,
  f: FollowUpSubject,
  now = new Date(),
): boolean {
  return FOLLOW_UP_RULES[user.role][relationOf(user, f)].includes(action) && correctable(f, now);
}

/** The timeline's switches for one follow-up: `can.edit`, `can.delete`. */
export function flags(
  user: SessionUser,
  f: FollowUpSubject,
  now = new Date(),
): Record<FollowUpAction, boolean> {
  return Object.fromEntries(FOLLOW_UP_ACTIONS.map((a) => [a, can(user, a, f, now)])) as Record<
    FollowUpAction,
    boolean
  >;
}

@Injectable()
export class FollowUpPolicy {
  can = can;
  flags = flags;

  /** Refuses an action: someone else's follow-up is forbidden; the author's, once the day is over, closed. */
  assert(user: SessionUser, action: FollowUpAction, f: FollowUpSubject, now = new Date()): void {
    if (!FOLLOW_UP_RULES[user.role][relationOf(user, f)].includes(action)) throw new NotAllowed();
    if (!correctable(f, now)) throw new CorrectionClosed();
  }
}
