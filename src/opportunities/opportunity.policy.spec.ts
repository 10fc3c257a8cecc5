import { describe, expect, it } from 'vitest';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import type { OpportunityStage } from './opportunity.options.js';
import {
  can,
  flags,
  OPPORTUNITY_ACTIONS,
  type OpportunityAction,
  type OpportunityActor,
  OpportunityPolicy,
  type OpportunitySubject,
  relationOf,
  scopeCondition,
  scopeOf,
} from './opportunity.policy.js';

/**
 * The deal's owner is rep 2, a member of team 10. Each user below stands in one relation to that
 * deal: the admin (user 1, no team), the manager of team 10 (user 5), the manager of team 20 (user 6,
 * whose team is rep 3), the owner (rep 2), another rep (rep 3) and a service agent (user 7).
 */
const OWNER = 2;
const ACTORS = {
  admin: { user: { id: 1, role: 'admin', teamIds: [] }, teamMemberIds: [] },
  ownersManager: { user: { id: 5, role: 'manager', teamIds: [10] }, teamMemberIds: [5, OWNER] },
  otherManager: { user: { id: 6, role: 'manager', teamIds: [20] }, teamMemberIds: [6, 3] },
  ownerRep: { user: { id: OWNER, role: 'sales', teamIds: [10] }, teamMemberIds: [] },
  otherRep: { user: { id: 3, role: 'sales', teamIds: [20] }, teamMemberIds: [] },
  service: { user: { id: 7, role: 'service', teamIds: [30] }, teamMemberIds: [] },
} as const;
type Who = keyof typeof ACTORS;
const actor = (who: Who) => ACTORS[who] as unknown as OpportunityActor;

/** One deal still being worked on and one of each way a deal closes. */
const DEALS = {
  open: 'proposal',
  won: 'won',
  lost: 'lost',
} satisfies Record<string, OpportunityStage>;
type Deal = keyof typeof DEALS;
const deal = (d: Deal): OpportunitySubject => ({ ownerId: OWNER, stage: DEALS[d] });

/**
 * DESIGN.md "Who sees what" for deals, as a table: for each user and each deal, the actions allowed;
 * everything not listed is refused. An open deal is edited and moved (won and lost included); a
 * closed one is frozen until the owner's manager (or the admin) reopens it. Service agents read
 * every deal and change none. `assign` is choosing the owner on the form.
 */
const ALLOWED: Record<Who, Record<Deal, OpportunityAction[]>> = {
  admin: {
    open: ['view', 'edit', 'move', 'assign'],
    won: ['view', 'reopen', 'assign'],
    lost: ['view', 'reopen', 'assign'],
  },
  ownersManager: {
    open: ['view', 'edit', 'move', 'assign'],
    won: ['view', 'reopen', 'assign'],
    lost: ['view', 'reopen', 'assign'],
  },
  otherManager: { open: [], won: [], lost: [] },
  ownerRep: { open: ['view', 'edit', 'move'], won: ['view'], lost: ['view'] },
  otherRep: { open: [], won: [], lost: [] },
  service: { open: ['view'], won: ['view'], lost: ['view'] },
};

const cases = (Object.keys(ALLOWED) as Who[]).flatMap((who) =>
  (Object.keys(DEALS) as Deal[]).flatMap((d) =>
    OPPORTUNITY_ACTIONS.map((action) => ({
      who,
      deal: d,
      action,
      allowed: ALLOWED[who][d].includes(action),
    })),
  ),
);

describe('OpportunityPolicy', () => {
  it.each(cases)('$who · $deal deal · $action → $allowed', ({ who, deal: d, action, allowed }) => {
    expect(can(actor(who), action, deal(d))).toBe(allowed);
  });

  it('gives a page the same answers as the table', () => {
    for (const who of Object.keys(ALLOWED) as Who[])
      for (const d of Object.keys(DEALS) as Deal[]) {
        const shown = flags(actor(who), deal(d));
        expect(OPPORTUNITY_ACTIONS.filter((a) => shown[a])).toEqual(ALLOWED[who][d]);
      }
  });

  it('has no way to delete a deal: nobody, whatever the deal, whatever their role', () => {
    // A deal that comes to nothing is closed as lost, with its reason, and stays in the history and
    // the win rate; the policy offers no delete to anyone.
    expect(OPPORTUNITY_ACTIONS as readonly string[]).not.toContain('delete');
    for (const who of Object.keys(ACTORS) as Who[])
      for (const d of Object.keys(DEALS) as Deal[])
        expect(can(actor(who), 'delete' as OpportunityAction, deal(d))).toBe(false);
  });

  it('answers not found for a deal the user cannot see, forbidden for one they see but may not touch, a conflict for one whose stage forbids it', () => {
    const policy = new OpportunityPolicy(undefined as never);
    expect(() => policy.assert(actor('otherRep'), 'edit', deal('open'))).toThrow('error.not_found');
    expect(() => policy.assert(actor('otherManager'), 'reopen', deal('won'))).toThrow('error.not_found');
    expect(() => policy.assert(actor('service'), 'move', deal('open'))).toThrow('error.forbidden');
    expect(() => policy.assert(actor('ownerRep'), 'reopen', deal('lost'))).toThrow('error.forbidden');
    expect(() => policy.assert(actor('ownerRep'), 'move', deal('won'))).toThrow('opportunity.closed');
    expect(() => policy.assert(actor('ownersManager'), 'reopen', deal('open'))).toThrow(
      'opportunity.still_open',
    );
    expect(() => policy.assert(actor('ownersManager'), 'reopen', deal('lost'))).not.toThrow();
  });

  it('tells how the user stands to a deal', () => {
    expect(relationOf(actor('ownerRep'), deal('open'))).toBe('own');
    expect(relationOf(actor('ownersManager'), deal('open'))).toBe('team');
    expect(relationOf(actor('otherManager'), deal('open'))).toBe('other');
    expect(relationOf(actor('otherRep'), deal('open'))).toBe('other');
    expect(relationOf(actor('admin'), deal('open'))).toBe('other');
  });

  it('narrows lists to exactly the owners whose deals the user may view', () => {
    expect(scopeOf(actor('admin'))).toEqual({ everyone: true });
    expect(scopeOf(actor('service'))).toEqual({ everyone: true });
    expect(scopeOf(actor('ownersManager'))).toEqual({ everyone: false, ownerIds: [OWNER, 5] });
    expect(scopeOf(actor('otherManager'))).toEqual({ everyone: false, ownerIds: [3, 6] });
    expect(scopeOf(actor('ownerRep'))).toEqual({ everyone: false, ownerIds: [OWNER] });

    const bound: unknown[] = [];
    const bind = (v: unknown) => `$${bound.push(v)}`;
    expect(scopeCondition(scopeOf(actor('admin')), 'o', bind)).toBe('true');
    expect(scopeCondition(scopeOf(actor('otherRep')), 'o', bind)).toBe('o.owner_id = ANY($1::int[])');
    expect(bound).toEqual([[3]]);
    expect(scopeCondition({ everyone: false, ownerIds: [] }, 'o', bind)).toBe('false');
  });

  it('lets a manager give deals to their own teams, the admin to anyone, a rep to nobody', () => {
    const policy = new OpportunityPolicy(undefined as never);
    expect(policy.assignableTeams(actor('admin'))).toBeNull();
    expect(policy.assignableTeams(actor('ownersManager'))).toEqual([10]);
    expect(policy.assignableTeams(actor('ownerRep'))).toBe(false);
    expect(policy.assignableTeams(actor('service'))).toBe(false);
    expect(
      (['admin', 'manager', 'sales', 'service'] as Role[]).filter((role) =>
        policy.mayCreate({ role } as SessionUser),
      ),
    ).toEqual(['admin', 'manager', 'sales']);
  });
});
