import { describe, expect, it } from 'vitest';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { can, relationOf, scopeCondition, scopeOf, type TicketSubject } from './ticket.policy.js';

const user = (role: Role, fields: Partial<SessionUser> = {}): SessionUser => ({
  id: 10,
  email: `${role}@kehu.test`,
  name: role,
  role,
  teamId: 1,
  teamIds: role === 'manager' ? [1, 2] : [1],
  region: null,
  locale: 'en',
  timezone: 'Asia/Shanghai',
  unreadNotifications: 0,
  ...fields,
});

const ticket = (fields: Partial<TicketSubject> = {}): TicketSubject => ({
  teamId: 1,
  assigneeId: null,
  status: 'open',
  customerOwnerId: null,
  customerOwnerTeamId: null,
  ...fields,
});

describe('TicketPolicy', () => {
  it.each([
    // role, ticket, action, allowed
    ['admin', ticket({ teamId: 9 }), 'resolve', true],
    ['service', ticket(), 'reply', true],
    ['service', ticket({ teamId: 2 }), 'view', false],
    ['service', ticket({ teamId: 2, assigneeId: 10 }), 'reply', true],
    ['service', ticket({ teamId: null }), 'assign', true],
    ['manager', ticket({ teamId: 2 }), 'transfer', true],
    ['manager', ticket({ teamId: 3 }), 'view', false],
    ['sales', ticket({ customerOwnerId: 10 }), 'view', true],
    ['sales', ticket({ customerOwnerId: 10 }), 'note', false],
    ['sales', ticket(), 'view', false],
    // A manager reads the tickets of their reps' customers, whichever team works them, and does nothing to them.
    ['manager', ticket({ teamId: 3, customerOwnerId: 20, customerOwnerTeamId: 2 }), 'view', true],
    ['manager', ticket({ teamId: 3, customerOwnerId: 20, customerOwnerTeamId: 2 }), 'note', false],
    ['manager', ticket({ teamId: 3, customerOwnerId: 20, customerOwnerTeamId: 4 }), 'view', false],
    ['service', ticket({ teamId: 3, customerOwnerId: 20, customerOwnerTeamId: 1 }), 'view', false],
    ['service', ticket({ status: 'resolved' }), 'reply', false],
    ['service', ticket({ status: 'resolved' }), 'reopen', true],
    ['service', ticket({ status: 'resolved' }), 'note', true],
    ['service', ticket({ status: 'closed' }), 'note', false],
    ['service', ticket({ status: 'open' }), 'reopen', false],
  ] as const)('%s on %o may %s: %s', (role, t, action, allowed) => {
    expect(can(user(role), action, t)).toBe(allowed);
  });

  it('names the relation: assignee before team before the customer owner', () => {
    expect(relationOf(user('service'), ticket({ assigneeId: 10, teamId: 5 }))).toBe('assignee');
    expect(relationOf(user('service'), ticket())).toBe('team');
    expect(relationOf(user('sales'), ticket({ customerOwnerId: 10 }))).toBe('customer_owner');
    expect(relationOf(user('manager'), ticket({ teamId: 3, customerOwnerTeamId: 1 }))).toBe('customer_team');
    expect(relationOf(user('manager'), ticket({ teamId: 1, customerOwnerTeamId: 1 }))).toBe('team');
    expect(relationOf(user('service', { teamId: null, teamIds: [] }), ticket())).toBe('other');
  });

  it('narrows queries the way `can` decides', () => {
    const values: unknown[] = [];
    const bind = (v: unknown) => `$${values.push(v)}`;
    expect(scopeCondition(scopeOf(user('admin')), 't', bind)).toBe('true');
    expect(scopeCondition(scopeOf(user('service')), 't', bind)).toBe(
      '(t.team_id = ANY($1::int[]) OR t.team_id IS NULL OR t.assignee_id = $2::int)',
    );
    // A rep's customers come from the customers module as a subquery with named parameters, each
    // numbered after the statement's own.
    const owned = {
      sql: 'SELECT c.id FROM customer c WHERE c.owner_id = :ownerId::int',
      params: { ownerId: 10 },
    };
    const sales = scopeOf(user('sales'));
    if (sales.everyone) throw new Error('a rep does not see everything');
    expect(scopeCondition({ ...sales, ownedCustomers: owned }, 't', bind)).toBe(
      '(t.customer_id IN (SELECT c.id FROM customer c WHERE c.owner_id = $3::int))',
    );
    expect(values).toEqual([[1], 10, 10]);
    expect(() => scopeCondition(sales, 't', bind)).toThrow('ownedCustomers');
  });
});
