import { describe, expect, it } from 'vitest';
import {
  APPROVAL_ACTIONS,
  type ApprovalAction,
  type ApprovalFacts,
  ApprovalPolicy,
  can,
} from './approvals.policy.js';

/**
 * A round submitted by rep 2: step 1 decided by manager 5, step 2 (being decided) with general
 * managers 8 (undecided) and 9 (already approved, 会签). User 7 has nothing to do with it.
 */
const ROUND: ApprovalFacts = {
  requestedById: 2,
  pending: true,
  approverIds: [5, 8, 9],
  currentApproverIds: [8],
};
const DECIDED: ApprovalFacts = { ...ROUND, pending: false, currentApproverIds: [] };

const ALLOWED: Record<string, { user: number; round: ApprovalFacts; actions: ApprovalAction[] }> = {
  'a current approver': { user: 8, round: ROUND, actions: ['view', 'decide'] },
  'an approver who already decided': { user: 9, round: ROUND, actions: ['view'] },
  'an approver of an earlier step': { user: 5, round: ROUND, actions: ['view'] },
  'the requester': { user: 2, round: ROUND, actions: ['view'] },
  'anyone else': { user: 7, round: ROUND, actions: [] },
  'a current approver once the round ended': { user: 8, round: DECIDED, actions: ['view'] },
};

describe('ApprovalPolicy', () => {
  const cases = Object.entries(ALLOWED).flatMap(([who, c]) =>
    APPROVAL_ACTIONS.map((action) => ({ who, ...c, action, allowed: c.actions.includes(action) })),
  );
  it.each(cases)('$who · $action → $allowed', ({ user, round, action, allowed }) => {
    expect(can({ id: user }, action, round)).toBe(allowed);
  });

  it('answers 404 to whoever may not see the round, 403 to whoever sees it but may not decide', () => {
    const policy = new ApprovalPolicy();
    expect(() => policy.assert({ id: 7 }, 'decide', ROUND)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => policy.assert({ id: 2 }, 'decide', ROUND)).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => policy.assert({ id: 8 }, 'decide', ROUND)).not.toThrow();
  });

  it('links the inbox for managers, admins and the general managers the admin named', () => {
    const policy = new ApprovalPolicy();
    expect(policy.linksInbox({ id: 1, role: 'admin' }, [])).toBe(true);
    expect(policy.linksInbox({ id: 5, role: 'manager' }, [])).toBe(true);
    expect(policy.linksInbox({ id: 2, role: 'sales' }, [])).toBe(false);
    expect(policy.linksInbox({ id: 2, role: 'sales' }, [2])).toBe(true);
    expect(policy.linksInbox({ id: 3, role: 'service' }, [])).toBe(false);
  });
});
