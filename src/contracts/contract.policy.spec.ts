import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../common/session-user.js';
import { CONTRACT_STATUSES, type ContractStatus } from './contract.options.js';
import {
  can,
  CONTRACT_ACTIONS,
  type ContractAction,
  type ContractActor,
  ContractPolicy,
  type ContractSubject,
  flags,
  relationOf,
  scopeOf,
} from './contract.policy.js';

/**
 * The contract (id 40) is owned by rep 2, a member of team 10. Each user below stands in one relation
 * to it: the admin (user 1), the manager of team 10 (user 5), the manager of team 20 (user 6), the
 * owner (rep 2), another rep (rep 3), another rep asked to approve it (rep 4, e.g. a general manager
 * chosen by the admin), another team's manager asked to approve it (user 8) and a service agent (7).
 */
const OWNER = 2;
const CONTRACT = 40;
const actorOf = (id: number, role: string, teamMemberIds: number[], approver = false): ContractActor => ({
  user: { id, role, teamIds: [] } as unknown as SessionUser,
  teamMemberIds,
  approverOf: (contractId) => approver && contractId === CONTRACT,
});
const ACTORS = {
  admin: actorOf(1, 'admin', []),
  ownersManager: actorOf(5, 'manager', [5, OWNER]),
  otherManager: actorOf(6, 'manager', [6, 3]),
  approvingManager: actorOf(8, 'manager', [8, 9], true),
  ownerRep: actorOf(OWNER, 'sales', []),
  otherRep: actorOf(3, 'sales', []),
  approvingRep: actorOf(4, 'sales', [], true),
  service: actorOf(7, 'service', []),
};
type Who = keyof typeof ACTORS;
const contract = (status: ContractStatus): ContractSubject => ({ id: CONTRACT, ownerId: OWNER, status });

/** Who may work on the contract at all: its owner, the owner's manager and the admin. */
const WORKERS: Who[] = ['admin', 'ownersManager', 'ownerRep'];
/** Who sees it without working on it. */
const READERS: Who[] = ['service', 'approvingManager', 'approvingRep'];

/**
 * What each status allows those who work on the contract, as a table; everything else is refused.
 * A pending contract is edited by no one; a rejected one is edited and resubmitted; only an approved
 * one is signed; only a signed one is completed or terminated. Files may be attached in any status.
 * The payment plan changes in any status but pending approval and after the contract ran its course;
 * money and invoices are recorded once it is signed, and after completion (the retention money).
 */
const BY_STATUS: Record<ContractStatus, ContractAction[]> = {
  draft: ['view', 'edit', 'submit', 'attach', 'plan'],
  pending_approval: ['view', 'attach'],
  approved: ['view', 'sign', 'attach', 'plan'],
  rejected: ['view', 'edit', 'submit', 'attach', 'plan'],
  signed: ['view', 'complete', 'terminate', 'attach', 'plan', 'collect'],
  completed: ['view', 'attach', 'collect'],
  terminated: ['view', 'attach'],
};

const allowed = (who: Who, status: ContractStatus): ContractAction[] =>
  WORKERS.includes(who) ? BY_STATUS[status] : READERS.includes(who) ? ['view'] : [];

const cases = (Object.keys(ACTORS) as Who[]).flatMap((who) =>
  CONTRACT_STATUSES.flatMap((status) =>
    CONTRACT_ACTIONS.map((action) => ({
      who,
      status,
      action,
      allowed: allowed(who, status).includes(action),
    })),
  ),
);

describe('ContractPolicy', () => {
  it.each(cases)('$who · $status · $action → $allowed', ({ who, status, action, allowed: yes }) => {
    expect(can(ACTORS[who], action, contract(status))).toBe(yes);
  });

  it('names how each user stands to the contract', () => {
    expect(relationOf(ACTORS.ownerRep, contract('draft'))).toBe('own');
    expect(relationOf(ACTORS.ownersManager, contract('draft'))).toBe('team');
    expect(relationOf(ACTORS.approvingRep, contract('draft'))).toBe('approver');
    expect(relationOf(ACTORS.otherRep, contract('draft'))).toBe('other');
    // Being an approver of one contract opens that contract only.
    expect(can(ACTORS.approvingRep, 'view', { ...contract('draft'), id: CONTRACT + 1 })).toBe(false);
  });

  it('gives the page a flag per action', () => {
    expect(flags(ACTORS.ownerRep, contract('approved'))).toEqual({
      view: true,
      edit: false,
      submit: false,
      sign: true,
      complete: false,
      terminate: false,
      attach: true,
      plan: true,
      collect: false,
    });
  });

  it('scopes lists by owner: everyone’s for admin and service, a team’s for a manager, one’s own for a rep', () => {
    expect(scopeOf(ACTORS.admin)).toEqual({ everyone: true });
    expect(scopeOf(ACTORS.service)).toEqual({ everyone: true });
    expect(scopeOf(ACTORS.ownersManager)).toEqual({ everyone: false, ownerIds: [OWNER, 5] });
    expect(scopeOf(ACTORS.ownerRep)).toEqual({ everyone: false, ownerIds: [OWNER] });
    expect(scopeOf(ACTORS.approvingRep)).toEqual({ everyone: false, ownerIds: [4] });
  });

  it('asks whether a viewer approves a contract only about those they see no other way', async () => {
    const policy = new ContractPolicy(null as never);
    const asked: number[][] = [];
    const approvers = (_userId: number, ids: number[]) => {
      asked.push(ids);
      return Promise.resolve(new Set(ids.filter((id) => id === CONTRACT)));
    };
    const user = (id: number, role: string) => ({ id, role, teamIds: [] }) as unknown as SessionUser;
    const theirs = contract('draft');
    const another = { ...contract('draft'), id: CONTRACT + 1, ownerId: 3 };
    // The owner sees their own contract, an admin every contract: nothing to ask.
    expect(can(await policy.viewer(user(OWNER, 'sales'), [theirs], approvers), 'view', theirs)).toBe(true);
    await policy.viewer(user(1, 'admin'), [theirs, another], approvers);
    expect(asked).toEqual([]);
    // Another rep is asked about both, once, and sees the one they approve.
    const approving = await policy.viewer(user(4, 'sales'), [theirs, another, theirs], approvers);
    expect(asked).toEqual([[CONTRACT, CONTRACT + 1]]);
    expect(can(approving, 'view', theirs)).toBe(true);
    expect(can(approving, 'view', another)).toBe(false);
  });

  it('lets admins, managers and reps create contracts, not service', () => {
    const policy = new ContractPolicy(null as never);
    const user = (role: string) => ({ id: 1, role }) as unknown as SessionUser;
    expect(['admin', 'manager', 'sales', 'service'].map((r) => policy.mayCreate(user(r)))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
