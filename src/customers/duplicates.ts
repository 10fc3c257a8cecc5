import type { SessionUser } from '../common/session-user.js';
import { DUPLICATE_RULES } from './customer.policy.js';
import { ValidationFailed } from '../common/errors.js';
import type { DuplicateCandidate } from './customers.repository.js';

/**
 * How alike two names' duplicate keys must be (pg_trgm similarity, 0 to 1) for the customers to count
 * as possible duplicates: the one threshold of the form's check and the import's.
 */
export const SIMILAR_NAME_THRESHOLD = 0.6;

/**
 * The form found customers that look like the one being saved. `blocked`: a sales rep may not add a
 * second copy of a customer another rep owns (撞单); otherwise the user may save anyway by confirming,
 * and a manager or admin must give a reason, which goes in the audit log.
 */
export class DuplicatesFound extends ValidationFailed {
  constructor(duplicates: DuplicateCandidate[], blocked: boolean, reasonMissing = false) {
    super({
      _: [{ key: blocked ? 'duplicate.blocked' : 'duplicate.confirm' }],
      ...(reasonMissing ? { duplicateReason: [{ key: 'validation.required' }] } : {}),
    });
    this.details = { duplicates, blocked };
  }
}

/** What the duplicate rules decide for `user` given the candidates and what the form confirmed. */
export function judgeDuplicates(
  user: SessionUser,
  found: DuplicateCandidate[],
  confirmed: { confirm: boolean; reason: string | null },
): void {
  if (!found.length) return;
  const rule = DUPLICATE_RULES[user.role];
  const ownedByOthers = found.some((d) => d.ownerId !== null && d.ownerId !== user.id);
  if (!rule.mayCopyOthers && ownedByOthers) throw new DuplicatesFound(found, true);
  if (!confirmed.confirm) throw new DuplicatesFound(found, false);
  if (rule.reasonRequired && !confirmed.reason) throw new DuplicatesFound(found, false, true);
}
