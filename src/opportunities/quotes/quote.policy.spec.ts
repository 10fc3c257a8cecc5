import { describe, expect, it } from 'vitest';
import type { OpportunityActor } from '../opportunity.policy.js';
import { QUOTE_STATUSES, type QuoteStatus } from './quote.options.js';
import { can, flags, QUOTE_ACTIONS, type QuoteAction, scopeOf } from './quote.policy.js';

/**
 * The quote's deal is owned by rep 2, a member of team 10. The admin (user 1), the manager of team 10
 * (user 5), the manager of team 20 (user 6, whose team is rep 3), the owner (rep 2), another rep
 * (rep 3) and a service agent (user 7) each stand in one relation to it.
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

/** What those who work on the deal may do with a quote in each status. */
const WORKER: Record<QuoteStatus, QuoteAction[]> = {
  draft: ['view', 'edit', 'delete', 'submit'],
  pending_approval: ['view'],
  approved: ['view', 'send'],
  rejected: ['view', 'edit', 'delete', 'submit'],
  sent: ['view', 'accept', 'expire'],
  accepted: ['view', 'contract'],
  expired: ['view'],
};
const only = (actions: QuoteAction[]) =>
  Object.fromEntries(QUOTE_STATUSES.map((s) => [s, actions])) as Record<QuoteStatus, QuoteAction[]>;

/**
 * The policy as a table: for each user and each status, the actions allowed; everything else is
 * refused. Nobody edits a pending quote (its approvers decide it in the approvals engine); whoever sees
 * the deal (service agents too) sees its quotes; another rep or another team's manager sees nothing.
 */
const ALLOWED: Record<Who, Record<QuoteStatus, QuoteAction[]>> = {
  admin: WORKER,
  ownersManager: WORKER,
  otherManager: only([]),
  ownerRep: WORKER,
  otherRep: only([]),
  service: only(['view']),
};

describe('QuotePolicy', () => {
  for (const who of Object.keys(ACTORS) as Who[])
    for (const status of QUOTE_STATUSES)
      it(`${who} × ${status} quote: ${ALLOWED[who][status].join(', ') || 'nothing'}`, () => {
        const q = { dealOwnerId: OWNER, status };
        const allowed = QUOTE_ACTIONS.filter((a) => can(actor(who), a, q));
        expect(allowed).toEqual(QUOTE_ACTIONS.filter((a) => ALLOWED[who][status].includes(a)));
        expect(
          Object.entries(flags(actor(who), q))
            .filter(([, v]) => v)
            .map(([a]) => a),
        ).toEqual(allowed);
      });

  it('scopes lists to the deals the user sees', () => {
    expect(scopeOf(actor('admin'))).toEqual({ everyone: true });
    expect(scopeOf(actor('service'))).toEqual({ everyone: true });
    expect(scopeOf(actor('ownersManager'))).toEqual({ everyone: false, ownerIds: [OWNER, 5] });
    expect(scopeOf(actor('ownerRep'))).toEqual({ everyone: false, ownerIds: [OWNER] });
  });
});
