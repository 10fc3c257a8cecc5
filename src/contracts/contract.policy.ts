import { Injectable } from '@nestjs/common';
import { NotAllowed, NotFound, WrongStatus } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { UsersService } from '../users/users.service.js';
import { type ContractStatus, EDITABLE_STATUSES } from './contract.options.js';
import { COLLECTING_STATUSES, PLAN_STATUSES } from './payment.options.js';

/**
 * Who may see and do what with a contract, in one place (the same three faces as OpportunityPolicy):
 * `scope` narrows a query to the contracts a user may see, `can` says whether a user may act on one,
 * `flags` give a page its `can.*` switches. Contracts are scoped by their owner as deals are: a rep
 * sees their own, a manager their teams', the admin all, service agents read every contract and change
 * none. Whoever is asked to approve a contract sees it too, whatever their scope. What may be done
 * also depends on the status: only a draft or a rejected contract is edited (a pending one by no
 * one), only an approved one is signed, only a signed one is completed or terminated.
 */

/** How the user stands to a contract. */
export type ContractRelation =
  /** they own it */
  | 'own'
  /** a member of a team they manage owns it */
  | 'team'
  /** neither, but they are an approver of one of its rounds */
  | 'approver'
  | 'other';

export const CONTRACT_ACTIONS = [
  'view',
  /** change its fields and lines (a draft or a rejected contract); delete a draft */
  'edit',
  /** send it for approval (a draft or a rejected contract) */
  'submit',
  /** mark it signed, with the signed scan (an approved contract) */
  'sign',
  /** mark a signed contract completed */
  'complete',
  /** end a signed contract early, with a reason */
  'terminate',
  /** add files to it */
  'attach',
  // ---- payments (回款) ----
  /** change its payment plan (not while it waits for approval) */
  'plan',
  /** record payments received and invoices issued, reverse a mistaken payment (signed or completed) */
  'collect',
  // ---- end payments ----
] as const;
export type ContractAction = (typeof CONTRACT_ACTIONS)[number];

const WORK: ContractAction[] = [
  'view',
  'edit',
  'submit',
  'sign',
  'complete',
  'terminate',
  'attach',
  'plan',
  'collect',
];

/** The rules: role × relation → what the user may do. A contract not seen answers 404. */
export const CONTRACT_RULES: Record<Role, Record<ContractRelation, readonly ContractAction[]>> = {
  admin: { own: WORK, team: WORK, approver: WORK, other: WORK },
  manager: { own: WORK, team: WORK, approver: ['view'], other: [] },
  sales: { own: WORK, team: [], approver: ['view'], other: [] },
  service: { own: ['view'], team: ['view'], approver: ['view'], other: ['view'] },
};

/** The statuses each action applies in (view applies in all). */
const WHEN: Record<Exclude<ContractAction, 'view'>, readonly ContractStatus[]> = {
  edit: EDITABLE_STATUSES,
  submit: EDITABLE_STATUSES,
  sign: ['approved'],
  complete: ['signed'],
  terminate: ['signed'],
  attach: ['draft', 'pending_approval', 'approved', 'rejected', 'signed', 'completed', 'terminated'],
  // ---- payments (回款) ----
  plan: PLAN_STATUSES,
  collect: COLLECTING_STATUSES,
  // ---- end payments ----
};

/** Roles that may create contracts (on a customer they may work on). */
const MAY_CREATE: readonly Role[] = ['admin', 'manager', 'sales'];

/**
 * A user as the rules see them: the session's user, for a manager every member of their teams, and
 * the contracts whose approval rounds name them as an approver.
 */
export interface ContractActor {
  user: SessionUser;
  teamMemberIds: number[];
  approverOf: (contractId: number) => boolean;
}

/** What the policy needs of a contract. */
export interface ContractSubject {
  id: number;
  ownerId: number;
  status: ContractStatus;
}

/** The owners whose contracts the user may see: everyone's, or these. Lists read one index scan per owner. */
export type ContractScope = { everyone: true } | { everyone: false; ownerIds: number[] };

export function relationOf(actor: ContractActor, c: ContractSubject): ContractRelation {
  if (c.ownerId === actor.user.id) return 'own';
  if (actor.teamMemberIds.includes(c.ownerId)) return 'team';
  if (actor.approverOf(c.id)) return 'approver';
  return 'other';
}

/** Whether the user's role and relation to the contract allow the action, whatever its status. */
function allowed(actor: ContractActor, action: ContractAction, c: ContractSubject): boolean {
  return CONTRACT_RULES[actor.user.role][relationOf(actor, c)].includes(action);
}

/** Whether the contract's status allows the action now, whoever asks. */
function inStatus(action: ContractAction, c: ContractSubject): boolean {
  return action === 'view' || WHEN[action].includes(c.status);
}

export function can(actor: ContractActor, action: ContractAction, c: ContractSubject): boolean {
  return allowed(actor, action, c) && inStatus(action, c);
}

export function flags(actor: ContractActor, c: ContractSubject): Record<ContractAction, boolean> {
  return Object.fromEntries(CONTRACT_ACTIONS.map((a) => [a, can(actor, a, c)])) as Record<
    ContractAction,
    boolean
  >;
}

/** The owners whose contracts a list shows (approvers find theirs in the approvals inbox, not the list). */
export function scopeOf(actor: Pick<ContractActor, 'user' | 'teamMemberIds'>): ContractScope {
  const rules = CONTRACT_RULES[actor.user.role];
  if (rules.other.includes('view')) return { everyone: true };
  const ids = new Set<number>();
  if (rules.own.includes('view')) ids.add(actor.user.id);
  if (rules.team.includes('view')) for (const id of actor.teamMemberIds) ids.add(id);
  return { everyone: false, ownerIds: [...ids].sort((a, b) => a - b) };
}

/** Which contracts name a user as an approver (the approvals engine's answer). */
export type ApproverLookup = (userId: number, contractIds: number[]) => Promise<Set<number>>;

@Injectable()
export class ContractPolicy {
  constructor(private readonly users: UsersService) {}

  /** The user as the rules see them, for these contracts (whose approver they may be). */
  async actor(user: SessionUser, contractIds: number[], approvers: ApproverLookup): Promise<ContractActor> {
    const [teamMemberIds, approving] = await Promise.all([
      user.role === 'manager' && user.teamIds.length
        ? this.users.teamMemberIds(user.teamIds)
        : Promise.resolve([]),
      contractIds.length ? approvers(user.id, contractIds) : Promise.resolve(new Set<number>()),
    ]);
    return { user, teamMemberIds, approverOf: (id) => approving.has(id) };
  }

  /**
   * The user as the rules see them for viewing `contracts` that a page shows in passing (a customer's
   * timeline): whether they approve a contract is asked (one statement) only about those they see no
   * other way, since an approver's view is all that asking can add.
   */
  async viewer(
    user: SessionUser,
    contracts: ContractSubject[],
    approvers: ApproverLookup,
  ): Promise<ContractActor> {
    const plain = await this.actor(user, [], approvers);
    const unseen = [...new Set(contracts.filter((c) => !can(plain, 'view', c)).map((c) => c.id))];
    return unseen.length ? this.actor(user, unseen, approvers) : plain;
  }

  can = can;
  flags = flags;
  scope = scopeOf;

  /**
   * Refuses an action: a contract the user cannot see is not found; one they see but may not touch,
   * forbidden; one they may touch but whose status does not allow it now, a conflict.
   */
  assert(actor: ContractActor, action: ContractAction, c: ContractSubject): void {
    if (!can(actor, 'view', c)) throw new NotFound();
    if (!allowed(actor, action, c)) throw new NotAllowed();
    if (!inStatus(action, c)) throw new WrongStatus('contract.wrong_status');
  }

  mayCreate(user: SessionUser): boolean {
    return MAY_CREATE.includes(user.role);
  }
}
