import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../common/session-user.js';
import { ValidationFailed } from '../common/errors.js';
import type { DuplicateCandidate } from './customers.repository.js';
import { DuplicatesFound, judgeDuplicates } from './duplicates.js';

const ME = 7;
const user = (role: SessionUser['role']): SessionUser => ({
  id: ME,
  email: `${role}@test.kehu`,
  name: role,
  role,
  teamId: 1,
  teamIds: [1],
  region: null,
  locale: 'en',
  timezone: 'Asia/Shanghai',
  unreadNotifications: 0,
});

const candidate = (ownerId: number | null): DuplicateCandidate => ({
  id: 100 + (ownerId ?? 0),
  name: '北京华信科技有限公司',
  ownerId,
  ownerName: ownerId === null ? null : `User ${ownerId}`,
  sameName: true,
  similarName: false,
  sameContact: false,
});

/** The kinds of look-alike a form can find, by whose customer it is. */
const FOUND = {
  none: [],
  mine: [candidate(ME)],
  pool: [candidate(null)],
  others: [candidate(8)],
  'mine and others': [candidate(ME), candidate(8)],
} satisfies Record<string, DuplicateCandidate[]>;

type Outcome = 'allowed' | 'blocked' | 'confirm' | 'reason';

/** What judgeDuplicates decided: nothing thrown, or which refusal. */
function outcome(
  role: SessionUser['role'],
  found: DuplicateCandidate[],
  confirm: boolean,
  reason: string | null,
): Outcome {
  try {
    judgeDuplicates(user(role), found, { confirm, reason });
    return 'allowed';
  } catch (e) {
    if (!(e instanceof DuplicatesFound)) throw e;
    if (e.details.blocked) return 'blocked';
    return 'duplicateReason' in e.fields ? 'reason' : 'confirm';
  }
}

describe('judgeDuplicates', () => {
  // role, found, confirmed, reason → outcome
  const table: [SessionUser['role'], keyof typeof FOUND, boolean, string | null, Outcome][] = [
    // Nothing alike: everyone saves, whatever the form says.
    ['sales', 'none', false, null, 'allowed'],
    ['manager', 'none', false, null, 'allowed'],
    ['admin', 'none', false, null, 'allowed'],
    // A rep's own look-alike or a pool customer: saved once confirmed; no reason asked.
    ['sales', 'mine', false, null, 'confirm'],
    ['sales', 'mine', true, null, 'allowed'],
    ['sales', 'pool', false, null, 'confirm'],
    ['sales', 'pool', true, null, 'allowed'],
    // Another rep's customer (撞单): a rep is refused, confirmed, with a reason or not.
    ['sales', 'others', false, null, 'blocked'],
    ['sales', 'others', true, null, 'blocked'],
    ['sales', 'others', true, 'A branch office', 'blocked'],
    ['sales', 'mine and others', true, null, 'blocked'],
    // Managers and admins: confirm, then give a reason.
    ['manager', 'others', false, null, 'confirm'],
    ['manager', 'others', false, 'A branch office', 'confirm'],
    ['manager', 'others', true, null, 'reason'],
    ['manager', 'others', true, '', 'reason'],
    ['manager', 'others', true, 'A branch office', 'allowed'],
    ['manager', 'pool', true, null, 'reason'],
    ['manager', 'mine', true, 'Separate contract', 'allowed'],
    ['admin', 'others', false, null, 'confirm'],
    ['admin', 'others', true, null, 'reason'],
    ['admin', 'mine and others', true, 'A branch office', 'allowed'],
  ];

  it.each(table)('%s finding %s, confirmed %s, reason %j: %s', (role, found, confirm, reason, expected) => {
    expect(outcome(role, FOUND[found], confirm, reason)).toBe(expected);
  });

  it('names the look-alikes and what is wrong, for the form to show', () => {
    const found = FOUND['mine and others'];
    let thrown: unknown;
    try {
      judgeDuplicates(user('sales'), found, { confirm: true, reason: null });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationFailed);
    const refused = thrown as DuplicatesFound;
    expect(refused.status).toBe(422);
    expect(refused.details).toEqual({ duplicates: found, blocked: true });
    expect(refused.fields).toEqual({ _: [{ key: 'duplicate.blocked' }] });

    const manager = (() => {
      try {
        judgeDuplicates(user('manager'), found, { confirm: true, reason: null });
      } catch (e) {
        return e as DuplicatesFound;
      }
    })();
    expect(manager?.fields).toEqual({
      _: [{ key: 'duplicate.confirm' }],
      duplicateReason: [{ key: 'validation.required' }],
    });
    expect(manager?.details.blocked).toBe(false);
  });
});
