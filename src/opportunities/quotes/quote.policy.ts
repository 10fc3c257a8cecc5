import { Injectable } from '@nestjs/common';
import { NotAllowed, NotFound, WrongStatus } from '../../common/errors.js';
import type { Role } from '../../common/roles.js';
import type { SessionUser } from '../../common/session-user.js';
import {
  type OpportunityActor,
  OpportunityPolicy,
  type OpportunityRelation,
  type OpportunityScope,
  relationOf,
  scopeCondition,
} from '../opportunity.policy.js';
import type { QuoteStatus } from './quote.options.js';

/**
 * Who may see and do what with a quote, in one place, with the same three faces as OpportunityPolicy:
 * `scope`/`condition` narrow a query, `can` decides one action, `flags` give the page its `can.*`.
 * A quote goes with its deal: whoever sees the deal sees its quotes, and the deal's owner (their
 * manager, the admin) works on them. Nobody edits a quote waiting for approval; the owner's manager
 * (or the admin) decides it.
 */

export const QUOTE_ACTIONS = [
  'view',
  /** change its lines and terms: a draft or a rejected quote */
  'edit',
  /** remove it (soft): a draft or a rejected quote */
  'delete',
  /** send it on: for approval when its discount passes the threshold, else to the customer */
  'submit',
  /** mark an approved quote sent to the customer */
  'send',
  /** the customer accepted a sent quote */
  'accept',
  /** a sent quote lapsed unanswered */
  'expire',
  /** make a contract from an accepted quote (its lines and total carried over) */
  'contract',
] as const;
export type QuoteAction = (typeof QUOTE_ACTIONS)[number];

const WORK: QuoteAction[] = ['view', 'edit', 'delete', 'submit', 'send', 'accept', 'expire', 'contract'];

/** The rules: role × how the user stands to the deal's owner → what they may do with its quotes. */
export const QUOTE_RULES: Record<Role, Record<OpportunityRelation, readonly QuoteAction[]>> = {
  admin: { own: WORK, team: WORK, other: WORK },
  manager: { own: WORK, team: WORK, other: [] },
  sales: { own: WORK, team: [], other: [] },
  service: { own: ['view'], team: ['view'], other: ['view'] },
};

/** The statuses in which each action applies (view: always). */
const WHEN: Record<Exclude<QuoteAction, 'view'>, readonly QuoteStatus[]> = {
  edit: ['draft', 'rejected'],
  delete: ['draft', 'rejected'],
  submit: ['draft', 'rejected'],
  send: ['approved'],
  accept: ['sent'],
  expire: ['sent'],
  contract: ['accepted'],
};

/** What the policy needs of a quote: its deal's owner and its status. */
export interface QuoteSubject {
  dealOwnerId: number;
  status: QuoteStatus;
}

/** Whether the user's role and relation to the quote's deal allow the action, whatever its status. */
function allowed(actor: OpportunityActor, action: QuoteAction, q: QuoteSubject): boolean {
  return QUOTE_RULES[actor.user.role][relationOf(actor, { ownerId: q.dealOwnerId })].includes(action);
}

/** Whether the quote's status allows the action now, whoever asks. */
function inStatus(action: QuoteAction, q: QuoteSubject): boolean {
  return action === 'view' || WHEN[action].includes(q.status);
}

export function can(actor: OpportunityActor, action: QuoteAction, q: QuoteSubject): boolean {
  return allowed(actor, action, q) && inStatus(action, q);
}

export function flags(actor: OpportunityActor, q: QuoteSubject): Record<QuoteAction, boolean> {
  return Object.fromEntries(QUOTE_ACTIONS.map((a) => [a, can(actor, a, q)])) as Record<QuoteAction, boolean>;
}

/** The deal owners whose quotes the user sees: the same as the deals they see. */
export function scopeOf(actor: OpportunityActor): OpportunityScope {
  const rules = QUOTE_RULES[actor.user.role];
  if (rules.other.includes('view')) return { everyone: true };
  const ids = new Set<number>();
  if (rules.own.includes('view')) ids.add(actor.user.id);
  if (rules.team.includes('view')) for (const id of actor.teamMemberIds) ids.add(id);
  return { everyone: false, ownerIds: [...ids].sort((a, b) => a - b) };
}

/** The scope as a SQL condition on the quote's deal aliased `dealAlias`. */
export const quoteScopeCondition = (
  scope: OpportunityScope,
  dealAlias: string,
  bind: (value: unknown) => string,
): string => scopeCondition(scope, dealAlias, bind);

@Injectable()
export class QuotePolicy {
  constructor(private readonly deals: OpportunityPolicy) {}

  actor(user: SessionUser): Promise<OpportunityActor> {
    return this.deals.actor(user);
  }

  can = can;
  flags = flags;
  scope = scopeOf;

  /** Refuses an action: a quote the user cannot see is not found; one they see but may not touch, forbidden. */
  assert(actor: OpportunityActor, action: QuoteAction, q: QuoteSubject): void {
    if (!can(actor, 'view', q)) throw new NotFound();
    if (!allowed(actor, action, q)) throw new NotAllowed();
    if (!inStatus(action, q)) throw new WrongStatus('quote.wrong_status');
  }

  /** Whether the user may make a quote on a deal owned by `dealOwnerId` (as they would edit a draft). */
  mayCreateOn(actor: OpportunityActor, dealOwnerId: number): boolean {
    return can(actor, 'edit', { dealOwnerId, status: 'draft' });
  }
}
