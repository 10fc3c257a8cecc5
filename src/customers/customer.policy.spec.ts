import { describe, expect, it } from 'vitest';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import {
  can,
  conditionFor,
  CUSTOMER_ACTIONS,
  type CustomerAction,
  type CustomerActor,
  type CustomerSubject,
  flags,
  relationOf,
} from './customer.policy.js';

/** The user under test is 1; 2 is in the team they manage (if any); 3 is in another team. */
const actor = (role: Role, region: string | null = '浙江省'): CustomerActor => ({
  user: { id: 1, role, region, teamIds: role === 'manager' ? [10] : [] } as unknown as SessionUser,
  teamMemberIds: role === 'manager' ? [1, 2] : [],
});

const SUBJECTS = {
  own: { ownerId: 1, status: 'active', province: '浙江省' },
  teammate: { ownerId: 2, status: 'active', province: '浙江省' },
  otherTeam: { ownerId: 3, status: 'active', province: '浙江省' },
  poolLeadInRegion: { ownerId: null, status: 'lead', province: '浙江省' },
  poolLeadElsewhere: { ownerId: null, status: 'lead', province: '广东省' },
  poolActiveInRegion: { ownerId: null, status: 'active', province: '浙江省' },
} satisfies Record<string, CustomerSubject>;
type Subject = keyof typeof SUBJECTS;

/**
 * DESIGN.md "Who sees what", as a table: for each role and each customer, the actions allowed.
 * Everything not listed is refused. (A sales rep's teammate is "another rep" to them.)
 */
const ALLOWED: Record<Role, Record<Subject, CustomerAction[]>> = {
  admin: {
    own: ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign'],
    teammate: ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign'],
    otherTeam: ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign'],
    poolLeadInRegion: ['view', 'edit', 'log_follow_up', 'merge', 'assign'],
    poolLeadElsewhere: ['view', 'edit', 'log_follow_up', 'merge', 'assign'],
    poolActiveInRegion: ['view', 'edit', 'log_follow_up', 'merge', 'assign'],
  },
  manager: {
    own: ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign'],
    teammate: ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign'],
    otherTeam: [],
    poolLeadInRegion: ['view', 'edit', 'log_follow_up', 'claim', 'merge', 'assign'],
    poolLeadElsewhere: ['view', 'edit', 'log_follow_up', 'claim', 'merge', 'assign'],
    poolActiveInRegion: ['view', 'edit', 'log_follow_up', 'claim', 'merge', 'assign'],
  },
  sales: {
    own: ['view', 'edit', 'log_follow_up', 'release'],
    teammate: [],
    otherTeam: [],
    poolLeadInRegion: ['view', 'claim'],
    poolLeadElsewhere: [],
    poolActiveInRegion: [],
  },
  service: {
    own: ['view'],
    teammate: ['view'],
    otherTeam: ['view'],
    poolLeadInRegion: ['view'],
    poolLeadElsewhere: ['view'],
    poolActiveInRegion: ['view'],
  },
};

const cases = (Object.keys(ALLOWED) as Role[]).flatMap((role) =>
  (Object.keys(SUBJECTS) as Subject[]).flatMap((subject) =>
    CUSTOMER_ACTIONS.map((action) => ({
      role,
      subject,
      action,
      allowed: ALLOWED[role][subject].includes(action),
    })),
  ),
);

describe('CustomerPolicy', () => {
  it.each(cases)('$role · $subject · $action → $allowed', ({ role, subject, action, allowed }) => {
    expect(can(actor(role), action, SUBJECTS[subject])).toBe(allowed);
  });

  it('gives a page the same answers as flags', () => {
    for (const role of Object.keys(ALLOWED) as Role[])
      for (const subject of Object.keys(SUBJECTS) as Subject[]) {
        const shown = flags(actor(role), SUBJECTS[subject]);
        expect(Object.keys(shown).filter((a) => shown[a as CustomerAction])).toEqual(ALLOWED[role][subject]);
      }
  });

  it('tells how the user stands to a customer', () => {
    expect(relationOf(actor('manager'), SUBJECTS.teammate)).toBe('team');
    expect(relationOf(actor('sales'), SUBJECTS.teammate)).toBe('other');
    expect(relationOf(actor('sales'), SUBJECTS.poolLeadElsewhere)).toBe('other');
    expect(relationOf(actor('sales', null), SUBJECTS.poolLeadInRegion)).toBe('other');
    expect(relationOf(actor('manager'), SUBJECTS.poolActiveInRegion)).toBe('pool');
  });

  it('narrows queries to exactly the relations where an action is allowed', () => {
    expect(conditionFor(actor('admin'), 'view', 'c').sql).toBe('true');
    expect(conditionFor(actor('service'), 'view', 'c').sql).toBe('true');
    expect(conditionFor(actor('service'), 'edit', 'c').sql).toBe('false');
    expect(conditionFor(actor('manager'), 'view', 'c').sql).toBe(
      '(c.owner_id = :policyUserId OR c.owner_id = ANY(:policyTeamMemberIds) OR c.owner_id IS NULL)',
    );
    expect(conditionFor(actor('manager'), 'release', 'c').sql).toBe(
      '(c.owner_id = :policyUserId OR c.owner_id = ANY(:policyTeamMemberIds))',
    );
    const sales = conditionFor(actor('sales'), 'view', 'c');
    expect(sales.sql).toBe(
      "(c.owner_id = :policyUserId OR (c.owner_id IS NULL AND c.status = 'lead' AND c.province = :policyRegion))",
    );
    expect(sales.params).toMatchObject({ policyUserId: 1, policyRegion: '浙江省' });
    expect(conditionFor(actor('sales'), 'edit', 'c').sql).toBe('(c.owner_id = :policyUserId)');
  });
});
