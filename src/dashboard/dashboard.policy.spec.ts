import { describe, expect, it } from 'vitest';
import { NotFound } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { RepOutsideTeam, scopeOf } from './dashboard.policy.js';

// Team 1 (East): manager 10, reps 11 and 12, agent 13. Team 2 (West): manager 20, rep 21.
const MEMBERS = [
  { id: 10, teamId: 1 },
  { id: 11, teamId: 1 },
  { id: 12, teamId: 1 },
  { id: 13, teamId: 1 },
  { id: 20, teamId: 2 },
  { id: 21, teamId: 2 },
  { id: 1, teamId: null },
];
const user = (id: number, role: Role, teamIds: number[]): SessionUser => ({
  id,
  email: `${id}@x`,
  name: String(id),
  role,
  teamId: teamIds[0] ?? null,
  teamIds,
  region: null,
  locale: 'en',
  timezone: 'Asia/Shanghai',
  unreadNotifications: 0,
});

describe('dashboard scope', () => {
  const admin = user(1, 'admin', []);
  const manager = user(10, 'manager', [1]);
  const rep = user(11, 'sales', [1]);
  const agent = user(13, 'service', [1]);

  it.each([
    ['admin, no filter: everyone', admin, {}, { userIds: null, teamIds: [] }],
    ['admin, team 2', admin, { team: 2 }, { userIds: [20, 21], teamIds: [2] }],
    ['admin, rep 21', admin, { rep: 21 }, { userIds: [21], teamIds: [] }],
    ['manager: the team', manager, {}, { userIds: [10, 11, 12, 13], teamIds: [1] }],
    ['manager, rep 12', manager, { rep: 12 }, { userIds: [12], teamIds: [] }],
    ['manager, own team', manager, { team: 1 }, { userIds: [10, 11, 12, 13], teamIds: [1] }],
    ['admin, team 2 and its rep 21', admin, { team: 2, rep: 21 }, { userIds: [21], teamIds: [] }],
    ['manager, own team and its rep 12', manager, { team: 1, rep: 12 }, { userIds: [12], teamIds: [] }],
    ['rep: their own, filters ignored', rep, { team: 2, rep: 21 }, { userIds: [11], teamIds: [] }],
    ['agent: their own', agent, {}, { userIds: [13], teamIds: [] }],
  ] as const)('%s', (_, who, filter, scope) => {
    expect(scopeOf(who, filter, MEMBERS)).toEqual(scope);
  });

  it('refuses a manager another team or its people', () => {
    expect(() => scopeOf(manager, { team: 2 }, MEMBERS)).toThrow(NotFound);
    expect(() => scopeOf(manager, { rep: 21 }, MEMBERS)).toThrow(NotFound);
    expect(() => scopeOf(admin, { rep: 999 }, MEMBERS)).toThrow(NotFound);
    expect(() => scopeOf(manager, { team: 2, rep: 12 }, MEMBERS)).toThrow(NotFound);
  });

  it('refuses a team chosen with a person of another team, naming both', () => {
    const names = new Map([[2, 'West']]);
    const members = MEMBERS.map((m) => ({ ...m, name: `Person ${m.id}` }));
    const refusal = (filter: { team: number; rep: number }) => {
      try {
        scopeOf(admin, filter, members, names);
      } catch (e) {
        return e;
      }
      return null;
    };
    expect(refusal({ team: 2, rep: 11 })).toBeInstanceOf(RepOutsideTeam);
    expect((refusal({ team: 2, rep: 11 }) as RepOutsideTeam).params).toEqual({
      rep: 'Person 11',
      team: 'West',
    });
    expect(refusal({ team: 2, rep: 1 })).toBeInstanceOf(RepOutsideTeam);
  });
});
