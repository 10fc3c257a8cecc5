import { describe, expect, it } from 'vitest';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import {
  can,
  conditionFor,
  ownerScope,
  CUSTOMER_ACTIONS,
  type CustomerAction,
  type CustomerActor,
  type CustomerSubject,
  flags,
  relationOf,
} from './customer.policy.js';

/**
 * The user under test is 1; 2 is in the team they manage (if any); 3 is in another team. The pool is
 * one (not split by region) unless `poolByRegion`.
 */
const actor = (role: Role, region: string | null = '浙江省', poolByRegion = false): CustomerActor => ({
  user: { id: 1, role, region, teamIds: role === 'manager' ? [10] : [] } as unknown as SessionUser,
  teamMemberIds: role === 'manager' ? [1, 2] : [],
  poolByRegion,
});

const SUBJECTS = {
  own: { ownerId: 1, status: 'active', province: '浙江省' },
  teammate: { ownerId: 2, status: 'active', province: '浙江省' },
  otherTeam: { ownerId: 3, status: 'active', province: '浙江省' },
  poolLeadInRegion: { ownerId: null, status: 'lead', province: '浙江省' },
  poolLeadElsewhere: { ownerId: null, status: 'lead', province: '广东省' },
  poolActiveInRegion: { ownerId: null, status: 'active', province: '浙江省' },
  poolActiveElsewhere: { ownerId: null, status: 'active', province: '广东省' },
  poolNoProvince: { ownerId: null, status: 'churned', province: null },
} satisfies Record<string, CustomerSubject>;
type Subject = keyof typeof SUBJECTS;

const ADMIN_ALL: CustomerAction[] = ['view', 'edit', 'log_follow_up', 'release', 'merge', 'assign', 'export'];
const ADMIN_POOL: CustomerAction[] = ['view', 'edit', 'log_follow_up', 'merge', 'assign', 'export'];
const MANAGER_POOL: CustomerAction[] = [
  'view',
  'edit',
  'log_follow_up',
  'claim',
  'merge',
  'assign',
  'export',
];
const SERVICE: CustomerAction[] = ['view', 'export'];

/**
 * DESIGN.md "Who sees what", as a table: for each role and each customer, the actions allowed.
 * Everything not listed is refused. (A sales rep's teammate is "another rep" to them.) The public
 * pool is every unowned customer, whatever its status and province. `export` is what a role exports
 * once the admin gave it the right (a rep: their own customers only).
 */
const ALLOWED: Record<Role, Record<Subject, CustomerAction[]>> = {
  admin: {
    own: ADMIN_ALL,
    teammate: ADMIN_ALL,
    otherTeam: ADMIN_ALL,
    poolLeadInRegion: ADMIN_POOL,
    poolLeadElsewhere: ADMIN_POOL,
    poolActiveInRegion: ADMIN_POOL,
    poolActiveElsewhere: ADMIN_POOL,
    poolNoProvince: ADMIN_POOL,
  },
  manager: {
    own: ADMIN_ALL,
    teammate: ADMIN_ALL,
    otherTeam: [],
    poolLeadInRegion: MANAGER_POOL,
    poolLeadElsewhere: MANAGER_POOL,
    poolActiveInRegion: MANAGER_POOL,
    poolActiveElsewhere: MANAGER_POOL,
    poolNoProvince: MANAGER_POOL,
  },
  sales: {
    own: ['view', 'edit', 'log_follow_up', 'release', 'export'],
    teammate: [],
    otherTeam: [],
    poolLeadInRegion: ['view', 'claim'],
    poolLeadElsewhere: ['view', 'claim'],
    poolActiveInRegion: ['view', 'claim'],
    poolActiveElsewhere: ['view', 'claim'],
    poolNoProvince: ['view', 'claim'],
  },
  service: {
    own: SERVICE,
    teammate: SERVICE,
    otherTeam: SERVICE,
    poolLeadInRegion: SERVICE,
    poolLeadElsewhere: SERVICE,
    poolActiveInRegion: SERVICE,
    poolActiveElsewhere: SERVICE,
    poolNoProvince: SERVICE,
  },
};

/**
 * Where the admin splits the pool by region, a rep sees (and may claim) the pool customers of their
 * region and those without one; everyone else's rules stay as above.
 */
const SALES_POOL_BY_REGION: Partial<Record<Subject, CustomerAction[]>> = {
  poolLeadInRegion: ['view', 'claim'],
  poolLeadElsewhere: [],
  poolActiveInRegion: ['view', 'claim'],
  poolActiveElsewhere: [],
  poolNoProvince: ['view', 'claim'],
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

  it.each(Object.entries(SALES_POOL_BY_REGION))(
    'pool split by region: sales · %s → %j',
    (subject, allowed) => {
      const shown = flags(actor('sales', '浙江省', true), SUBJECTS[subject as Subject]);
      expect(CUSTOMER_ACTIONS.filter((a) => shown[a])).toEqual(allowed);
    },
  );

  it('leaves managers the whole pool when it is split by region', () => {
    for (const subject of Object.keys(SALES_POOL_BY_REGION) as Subject[])
      expect(can(actor('manager', '浙江省', true), 'claim', SUBJECTS[subject])).toBe(true);
  });

  it('tells how the user stands to a customer', () => {
    expect(relationOf(actor('manager'), SUBJECTS.teammate)).toBe('team');
    expect(relationOf(actor('sales'), SUBJECTS.teammate)).toBe('other');
    expect(relationOf(actor('sales'), SUBJECTS.poolLeadElsewhere)).toBe('pool');
    expect(relationOf(actor('sales', null), SUBJECTS.poolActiveElsewhere)).toBe('pool');
    expect(relationOf(actor('sales', '浙江省', true), SUBJECTS.poolLeadElsewhere)).toBe('other');
    expect(relationOf(actor('sales', null, true), SUBJECTS.poolLeadInRegion)).toBe('other');
    expect(relationOf(actor('sales', null, true), SUBJECTS.poolNoProvince)).toBe('pool');
    expect(relationOf(actor('manager'), SUBJECTS.poolActiveInRegion)).toBe('pool');
  });

  it('narrows queries to exactly the owners (and pool) where an action is allowed', () => {
    expect(ownerScope(actor('admin'), 'view')).toEqual({ everyone: true });
    expect(ownerScope(actor('service'), 'view')).toEqual({ everyone: true });
    expect(ownerScope(actor('service'), 'export')).toEqual({ everyone: true });
    const nobody = { everyone: false, ownerIds: [], pool: false, poolRegion: null };
    expect(ownerScope(actor('service'), 'edit')).toEqual(nobody);
    expect(ownerScope(actor('manager'), 'view')).toEqual({ ...nobody, ownerIds: [1, 2], pool: true });
    expect(ownerScope(actor('manager'), 'release')).toEqual({ ...nobody, ownerIds: [1, 2] });
    expect(ownerScope(actor('sales'), 'view')).toEqual({ ...nobody, ownerIds: [1], pool: true });
    expect(ownerScope(actor('sales', '浙江省', true), 'view')).toEqual({
      ...nobody,
      ownerIds: [1],
      pool: true,
      poolRegion: '浙江省',
    });
    expect(ownerScope(actor('sales'), 'edit')).toEqual({ ...nobody, ownerIds: [1] });
    expect(ownerScope(actor('sales'), 'export')).toEqual({ ...nobody, ownerIds: [1] });

    expect(conditionFor(actor('admin'), 'view', 'c').sql).toBe('true');
    expect(conditionFor(actor('service'), 'edit', 'c').sql).toBe('false');
    expect(conditionFor(actor('manager'), 'view', 'c').sql).toBe(
      '(c.owner_id = ANY(:policyOwnerIds) OR c.owner_id IS NULL)',
    );
    const split = conditionFor(actor('sales', '浙江省', true), 'view', 'c');
    expect(split.sql).toBe(
      "(c.owner_id = ANY(:policyOwnerIds) OR (c.owner_id IS NULL AND (c.province IS NULL OR c.province = '' OR c.province = :policyRegion)))",
    );
    expect(split.params).toEqual({ policyOwnerIds: [1], policyRegion: '浙江省' });
  });
});
