import { Injectable } from '@nestjs/common';
import { NotAllowed, NotFound, WrongStatus } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { type CustomerIdsQuery, inlineCustomerIds } from '../customers/customers.service.js';
import { OPEN_TICKET_STATUSES, TICKET_STATUSES, type TicketStatus } from './ticket.options.js';

/**
 * Who may see and do what with a ticket, in one place, with the three faces of every policy: `scope`
 * narrows a query to the tickets a user may see, `can` says whether a user may act on one, `flags`
 * give the ticket page its `can.*` switches. Service agents work the tickets of their team (and those
 * no team was routed to yet, so nobody's request falls through), managers those of the teams they
 * manage, the admin all; a sales rep reads the tickets of the customers they own, and a manager those
 * of their teams' customers (on the customer's page and the ticket's), changing none.
 * A ticket outside the scope answers 404, as any record does.
 */

/** How the user stands to a ticket. */
export type TicketRelation =
  /** it is assigned to them */
  | 'assignee'
  /** it belongs to their team, or to a team they manage (or to no team yet) */
  | 'team'
  /** its customer is theirs */
  | 'customer_owner'
  /** its customer is a rep's of a team they manage */
  | 'customer_team'
  | 'other';

export const TICKET_ACTIONS = [
  'view',
  /** a public reply to the customer (an open ticket) */
  'reply',
  /** an internal note (any ticket not closed) */
  'note',
  /** status, priority and type of an open ticket */
  'change',
  /** give it to an agent (an open ticket) */
  'assign',
  /** hand it to another team with a reason (an open ticket) */
  'transfer',
  /** fold it, as a duplicate, into another ticket (an open ticket) */
  'merge',
  'resolve',
  /** a resolved ticket back to work */
  'reopen',
  /** into the recycle bin (spam, a test): the admin restores it */
  'delete',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

const WORK: readonly TicketAction[] = TICKET_ACTIONS;
/** An agent works tickets but leaves deleting them to the team's manager. */
const AGENT_WORK: readonly TicketAction[] = TICKET_ACTIONS.filter((a) => a !== 'delete');

/** The rules: role × relation → what the user may do. */
export const TICKET_RULES: Record<Role, Record<TicketRelation, readonly TicketAction[]>> = {
  admin: { assignee: WORK, team: WORK, customer_owner: WORK, customer_team: WORK, other: WORK },
  manager: { assignee: WORK, team: WORK, customer_owner: [], customer_team: ['view'], other: [] },
  service: { assignee: AGENT_WORK, team: AGENT_WORK, customer_owner: [], customer_team: [], other: [] },
  sales: { assignee: [], team: [], customer_owner: ['view'], customer_team: [], other: [] },
};

/** The statuses each action applies in (view applies in all). */
const WHEN: Record<Exclude<TicketAction, 'view'>, readonly TicketStatus[]> = {
  reply: OPEN_TICKET_STATUSES,
  note: ['new', 'open', 'pending', 'resolved'],
  change: OPEN_TICKET_STATUSES,
  assign: OPEN_TICKET_STATUSES,
  transfer: OPEN_TICKET_STATUSES,
  merge: OPEN_TICKET_STATUSES,
  resolve: OPEN_TICKET_STATUSES,
  reopen: ['resolved'],
  delete: TICKET_STATUSES,
};

/** What the policy needs of a ticket (the customer's owner and their team, for sales reps and managers). */
export interface TicketSubject {
  teamId: number | null;
  assigneeId: number | null;
  status: TicketStatus;
  customerOwnerId: number | null;
  customerOwnerTeamId: number | null;
}

/**
 * A subquery of customer ids with named parameters (`:name`), as the customers module hands it over
 * (CustomersService.ownedBy, idsWhere).
 */
export type CustomerIds = CustomerIdsQuery;

/**
 * The tickets a user may see, for a query: everyone's, or those of these teams (`noTeam`: and those
 * without a team), assigned to them, or of customers they own (`ownedCustomers`: those customers'
 * ids, which the customers module gives for `customerOwnerId`).
 */
export type TicketScope =
  | { everyone: true }
  | {
      everyone: false;
      teamIds: number[];
      noTeam: boolean;
      assigneeId: number | null;
      customerOwnerId: number | null;
      ownedCustomers?: CustomerIds;
    };

/** The teams whose tickets are the user's: a manager's teams, an agent's own team. */
function teamsOf(user: SessionUser): number[] {
  if (user.role === 'manager') return user.teamIds;
  if (user.role === 'service') return user.teamId === null ? [] : [user.teamId];
  return [];
}

export function relationOf(user: SessionUser, t: TicketSubject): TicketRelation {
  if (t.assigneeId !== null && t.assigneeId === user.id) return 'assignee';
  if (user.role === 'service' || user.role === 'manager')
    if (t.teamId === null ? true : teamsOf(user).includes(t.teamId)) return 'team';
  if (t.customerOwnerId !== null && t.customerOwnerId === user.id) return 'customer_owner';
  if (
    user.role === 'manager' &&
    t.customerOwnerTeamId !== null &&
    user.teamIds.includes(t.customerOwnerTeamId)
  )
    return 'customer_team';
  return 'other';
}

/** Whether the user's role and relation to the ticket allow the action, whatever its status. */
function allowed(user: SessionUser, action: TicketAction, t: TicketSubject): boolean {
  return TICKET_RULES[user.role][relationOf(user, t)].includes(action);
}

/** Whether the ticket's status allows the action now, whoever asks. */
function inStatus(action: TicketAction, t: TicketSubject): boolean {
  return action === 'view' || WHEN[action].includes(t.status);
}

export function can(user: SessionUser, action: TicketAction, t: TicketSubject): boolean {
  return allowed(user, action, t) && inStatus(action, t);
}

export function flags(user: SessionUser, t: TicketSubject): Record<TicketAction, boolean> {
  return Object.fromEntries(TICKET_ACTIONS.map((a) => [a, can(user, a, t)])) as Record<TicketAction, boolean>;
}

export function scopeOf(user: SessionUser): TicketScope {
  if (user.role === 'admin') return { everyone: true };
  if (user.role === 'sales')
    return { everyone: false, teamIds: [], noTeam: false, assigneeId: null, customerOwnerId: user.id };
  return {
    everyone: false,
    teamIds: teamsOf(user),
    noTeam: true,
    assigneeId: user.id,
    customerOwnerId: null,
  };
}

/**
 * The scope as an SQL condition on the ticket aliased `alias`, with its values bound by `bind`
 * ("true" for everyone). A rep's customers are the customers module's subquery (`ownedCustomers`).
 */
export function scopeCondition(scope: TicketScope, alias: string, bind: (value: unknown) => string): string {
  if (scope.everyone) return 'true';
  const parts: string[] = [];
  if (scope.teamIds.length) parts.push(`${alias}.team_id = ANY(${bind(scope.teamIds)}::int[])`);
  if (scope.noTeam) parts.push(`${alias}.team_id IS NULL`);
  if (scope.assigneeId !== null) parts.push(`${alias}.assignee_id = ${bind(scope.assigneeId)}::int`);
  if (scope.customerOwnerId !== null) {
    if (!scope.ownedCustomers) throw new Error('A scope of owned customers needs their ids (ownedCustomers)');
    parts.push(`${alias}.customer_id IN (${inlineCustomerIds(scope.ownedCustomers, bind)})`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

/** Roles that log tickets for customers (phone, WeChat, visit, walk-in) and work the queues. */
const AGENTS: readonly Role[] = ['admin', 'manager', 'service'];

@Injectable()
export class TicketPolicy {
  can = can;
  /** The same question as `can`: may the user do this to the ticket? */
  may = can;
  flags = flags;
  scope = scopeOf;
  condition = scopeCondition;

  /** Refuses an action: a ticket the user cannot see is not found; one they see but may not touch, forbidden. */
  assert(user: SessionUser, action: TicketAction, t: TicketSubject): void {
    if (!can(user, 'view', t)) throw new NotFound();
    if (!allowed(user, action, t)) throw new NotAllowed();
    if (!inStatus(action, t)) throw new WrongStatus('tickets.error.wrong_status');
  }

  /** Whether the user works tickets: opens them for customers, sees the queues, marks themselves away. */
  isAgent(user: SessionUser): boolean {
    return AGENTS.includes(user.role);
  }

  /** Whether My day shows the user their team's queues: a manager answers for a team's tickets. */
  leadsTeamQueues(user: SessionUser): boolean {
    return user.role === 'manager';
  }

  assertAgent(user: SessionUser): void {
    if (!this.isAgent(user)) throw new NotAllowed();
  }

  /** The recycle bin: the admin sees the deleted tickets and brings them back. */
  mayRestore(user: SessionUser): boolean {
    return user.role === 'admin';
  }

  /** The ticket settings (routing, SLA policies, canned replies of every team) are the admin's. */
  assertAdmin(user: SessionUser): void {
    if (user.role !== 'admin') throw new NotAllowed();
  }

  /** Canned replies of a team are kept by its manager (and the admin). */
  mayKeepCannedReplies(user: SessionUser, teamId: number | null): boolean {
    if (user.role === 'admin') return true;
    return user.role === 'manager' && teamId !== null && user.teamIds.includes(teamId);
  }
}
