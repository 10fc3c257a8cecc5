import { Injectable } from '@nestjs/common';
import { NotAllowed, NotFound } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';

/**
 * Who may see and decide an approval round. A round is seen by whoever asked for it and by its
 * approvers (of any step); whoever may see the record itself reads its history on the record's page,
 * which the record's own policy guards. Only an approver of the current step who has not decided yet
 * decides. The inbox is every user's own: nothing there is another's.
 */

/** How the user stands to a round. */
export type ApprovalRelation =
  /** a seat on the step being decided, not decided yet */
  | 'current_approver'
  /** a seat on another step, or one already decided */
  | 'approver'
  /** submitted the round */
  | 'requester'
  | 'other';

export const APPROVAL_ACTIONS = ['view', 'decide'] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

/** The rules: relation → what the user may do. The same for every role: approving is a seat, not a rank. */
export const APPROVAL_RULES: Record<ApprovalRelation, readonly ApprovalAction[]> = {
  current_approver: ['view', 'decide'],
  approver: ['view'],
  requester: ['view'],
  other: [],
};

/** What the policy needs of a round. */
export interface ApprovalFacts {
  requestedById: number;
  pending: boolean;
  /** Everyone with a seat on any step. */
  approverIds: number[];
  /** Undecided seats on the step being decided. */
  currentApproverIds: number[];
}

export function relationOf(user: Pick<SessionUser, 'id'>, r: ApprovalFacts): ApprovalRelation {
  if (r.pending && r.currentApproverIds.includes(user.id)) return 'current_approver';
  if (r.approverIds.includes(user.id)) return 'approver';
  if (r.requestedById === user.id) return 'requester';
  return 'other';
}

export function can(user: Pick<SessionUser, 'id'>, action: ApprovalAction, r: ApprovalFacts): boolean {
  return APPROVAL_RULES[relationOf(user, r)].includes(action);
}

/** Roles that may be asked to approve by the standard routes (managers, admins): the menu's link. */
const ROUTED_ROLES: readonly Role[] = ['admin', 'manager'];

@Injectable()
export class ApprovalPolicy {
  can = can;

  /** A round the user may not see is not found; one they see but may not decide, forbidden. */
  assert(user: Pick<SessionUser, 'id'>, action: ApprovalAction, r: ApprovalFacts): void {
    if (!can(user, 'view', r)) throw new NotFound();
    if (!can(user, action, r)) throw new NotAllowed();
  }

  /** Whether the menu links the inbox for this user: whom routes ask, and whoever the admin named a general manager. */
  linksInbox(user: Pick<SessionUser, 'id' | 'role'>, generalManagerIds: number[]): boolean {
    return ROUTED_ROLES.includes(user.role) || generalManagerIds.includes(user.id);
  }
}
