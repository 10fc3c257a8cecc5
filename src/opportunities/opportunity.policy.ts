import { Injectable } from '@nestjs/common';
import { NotAllowed, NotFound, WrongStatus } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { UsersService } from '../users/users.service.js';
import { isOpen, type OpportunityStage } from './opportunity.options.js';

/**
 * Who may see and do what with a deal, in one place (the same shape as CustomerPolicy): `scope` and
 * `condition` narrow a query to the deals a user may see, `can` says whether a user may act on one,
 * and `flags` give a page its `can.*` switches. Services ask it first; nothing else looks at a role.
 * Deals are scoped by their owner as customers are: a rep sees their own, a manager their teams',
 * the admin all; service agents read every deal (they see every customer) and change none.
 */

/** How the user stands to a deal. */
export type OpportunityRelation =
  /** they own it */
  | 'own'
  /** a member of a team they manage owns it */
  | 'team'
  | 'other';

export const OPPORTUNITY_ACTIONS = [
  'view',
  /** change its fields (an open deal) */
  'edit',
  /** move it to another stage, won and lost included (an open deal) */
  'move',
  /** open a won or lost deal again: the owner's manager (or the admin) */
  'reopen',
  /** choose its owner on the form */
  'assign',
] as const;
export type OpportunityAction = (typeof OPPORTUNITY_ACTIONS)[number];

const MANAGE: OpportunityAction[] = ['view', 'edit', 'move', 'reopen', 'assign'];

/** The rules: role × relation → what the user may do. A deal not seen answers 404. */
export const OPPORTUNITY_RULES: Record<Role, Record<OpportunityRelation, readonly OpportunityAction[]>> = {
  admin: { own: MANAGE, team: MANAGE, other: MANAGE },
  manager: { own: MANAGE, team: MANAGE, other: [] },
  sales: { own: ['view', 'edit', 'move'], team: [], other: [] },
  service: { own: ['view'], team: ['view'], other: ['view'] },
};

/** Editing and moving apply to open deals, reopening to closed ones. */
const WHILE_OPEN: readonly OpportunityAction[] = ['edit', 'move'];
const WHILE_CLOSED: readonly OpportunityAction[] = ['reopen'];

/** Roles that may create deals (on a customer they may work on). */
const MAY_CREATE: readonly Role[] = ['admin', 'manager', 'sales'];

/** A user as the rules see them: the session's user and, for a manager, every member of their teams. */
export interface OpportunityActor {
  user: SessionUser;
  teamMemberIds: number[];
}

/** What the policy needs of a deal. */
export interface OpportunitySubject {
  ownerId: number;
  stage: OpportunityStage;
}

/** The owners whose deals the user may see: everyone's, or these. Lists read one index scan per owner. */
export type OpportunityScope = { everyone: true } | { everyone: false; ownerIds: number[] };

export function relationOf(actor: OpportunityActor, o: Pick<OpportunitySubject, 'ownerId'>) {
  if (o.ownerId === actor.user.id) return 'own';
  if (actor.teamMemberIds.includes(o.ownerId)) return 'team';
  return 'other';
}

/** Whether the user's role and relation to the deal allow the action, whatever its stage. */
function allowed(actor: OpportunityActor, action: OpportunityAction, o: OpportunitySubject): boolean {
  return OPPORTUNITY_RULES[actor.user.role][relationOf(actor, o)].includes(action);
}

/** Whether the deal's stage allows the action now (open or closed), whoever asks. */
function inStage(action: OpportunityAction, o: OpportunitySubject): boolean {
  if (WHILE_OPEN.includes(action)) return isOpen(o.stage);
  if (WHILE_CLOSED.includes(action)) return !isOpen(o.stage);
  return true;
}

export function can(actor: OpportunityActor, action: OpportunityAction, o: OpportunitySubject): boolean {
  return allowed(actor, action, o) && inStage(action, o);
}

export function flags(actor: OpportunityActor, o: OpportunitySubject): Record<OpportunityAction, boolean> {
  return Object.fromEntries(OPPORTUNITY_ACTIONS.map((a) => [a, can(actor, a, o)])) as Record<
    OpportunityAction,
    boolean
  >;
}

export function scopeOf(actor: OpportunityActor): OpportunityScope {
  const rules = OPPORTUNITY_RULES[actor.user.role];
  if (rules.other.includes('view')) return { everyone: true };
  const ids = new Set<number>();
  if (rules.own.includes('view')) ids.add(actor.user.id);
  if (rules.team.includes('view')) for (const id of actor.teamMemberIds) ids.add(id);
  return { everyone: false, ownerIds: [...ids].sort((a, b) => a - b) };
}

/** The scope as a SQL condition on the deal aliased `alias` ('true': every deal); `bind` binds a value. */
export function scopeCondition(
  scope: OpportunityScope,
  alias: string,
  bind: (value: unknown) => string,
): string {
  if (scope.everyone) return 'true';
  return scope.ownerIds.length ? `${alias}.owner_id = ANY(${bind(scope.ownerIds)}::int[])` : 'false';
}

@Injectable()
export class OpportunityPolicy {
  constructor(private readonly users: UsersService) {}

  async actor(user: SessionUser): Promise<OpportunityActor> {
    const teamMemberIds =
      user.role === 'manager' && user.teamIds.length ? await this.users.teamMemberIds(user.teamIds) : [];
    return { user, teamMemberIds };
  }

  can = can;
  flags = flags;
  scope = scopeOf;

  /**
   * Refuses an action: a deal the user cannot see is not found; one they see but may not touch,
   * forbidden; one they may touch but whose stage does not allow it now (won or lost, or still open),
   * a conflict.
   */
  assert(actor: OpportunityActor, action: OpportunityAction, o: OpportunitySubject): void {
    if (!can(actor, 'view', o)) throw new NotFound();
    if (!allowed(actor, action, o)) throw new NotAllowed();
    if (!inStage(action, o))
      throw new WrongStatus(isOpen(o.stage) ? 'opportunity.still_open' : 'opportunity.closed');
  }

  mayCreate(user: SessionUser): boolean {
    return MAY_CREATE.includes(user.role);
  }

  /** May the user give a deal to someone else (the owner field): to whom of which teams (null: anyone). */
  assignableTeams(actor: OpportunityActor): number[] | null | false {
    const rules = OPPORTUNITY_RULES[actor.user.role];
    if (rules.other.includes('assign')) return null;
    return rules.team.includes('assign') ? actor.user.teamIds : false;
  }
}
