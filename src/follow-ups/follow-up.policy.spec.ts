import { describe, expect, it } from 'vitest';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import {
  can,
  CorrectionClosed,
  FOLLOW_UP_ACTIONS,
  type FollowUpAction,
  FollowUpPolicy,
  type FollowUpRelation,
  flags,
} from './follow-up.policy.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const HOUR = 3_600_000;
const user = (role: Role) => ({ id: 1, role }) as unknown as SessionUser;
const SUBJECTS: Record<FollowUpRelation, { authorId: number; createdAt: Date }> = {
  author: { authorId: 1, createdAt: new Date(NOW.getTime() - HOUR) },
  other: { authorId: 2, createdAt: new Date(NOW.getTime() - HOUR) },
};

/** The table: for each role and relation, what is allowed on a follow-up logged an hour ago. */
const ALLOWED: Record<Role, Record<FollowUpRelation, FollowUpAction[]>> = {
  admin: { author: ['edit', 'delete'], other: [] },
  manager: { author: ['edit', 'delete'], other: [] },
  sales: { author: ['edit', 'delete'], other: [] },
  service: { author: [], other: [] },
};

describe('FollowUpPolicy', () => {
  for (const [role, relations] of Object.entries(ALLOWED) as [
    Role,
    Record<FollowUpRelation, FollowUpAction[]>,
  ][])
    for (const [relation, allowed] of Object.entries(relations) as [FollowUpRelation, FollowUpAction[]][])
      it(`${role} on a follow-up where they are ${relation}: ${allowed.join(', ') || 'nothing'}`, () => {
        const allowedNow = FOLLOW_UP_ACTIONS.filter((action) =>
          can(user(role), action, SUBJECTS[relation], NOW),
        );
        expect(allowedNow).toEqual(allowed);
        expect(flags(user(role), SUBJECTS[relation], NOW)).toEqual({
          edit: allowed.includes('edit'),
          delete: allowed.includes('delete'),
        });
      });

  it('lets the author correct a follow-up for 24 hours after logging it, not a minute longer', () => {
    const rep = user('sales');
    const at = (hoursAgo: number) => ({ authorId: 1, createdAt: new Date(NOW.getTime() - hoursAgo * HOUR) });
    expect(can(rep, 'edit', at(23.9), NOW)).toBe(true);
    expect(can(rep, 'delete', at(23.9), NOW)).toBe(true);
    expect(can(rep, 'edit', at(24), NOW)).toBe(false);
    expect(can(rep, 'delete', at(25), NOW)).toBe(false);
  });

  it('refuses someone else’s follow-up as forbidden and a late correction as closed', () => {
    const policy = new FollowUpPolicy();
    expect(() => policy.assert(user('manager'), 'edit', SUBJECTS.other, NOW)).toThrow('error.forbidden');
    const old = { authorId: 1, createdAt: new Date(NOW.getTime() - 30 * HOUR) };
    expect(() => policy.assert(user('sales'), 'delete', old, NOW)).toThrow(CorrectionClosed);
  });
});
