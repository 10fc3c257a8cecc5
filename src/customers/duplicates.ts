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
  constructor(duplicates: DuplicateCandidate[], blocked: boolean, reasonMissing = false, typedName?: string) {
    super({
      _: [{ key: blocked ? 'duplicate.blocked' : 'duplicate.confirm' }],
      ...(reasonMissing ? { duplicateReason: [{ key: 'validation.required' }] } : {}),
    });
    // The form labels each candidate "same name" or "similar name" as the user would see it.
    const labelled = duplicates.map((d) => {
      const likeness =
        typedName === undefined
          ? d.sameName
            ? 'same'
            : d.similarName
              ? 'similar'
              : null
          : nameLikeness(typedName, d);
      return { ...d, sameName: likeness === 'same', similarName: likeness === 'similar' };
    });
    this.details = { duplicates: labelled, blocked };
    // Through the API, a duplicate conflicts with what is stored: 409 with the matches.
    this.apiStatus = 409;
  }
}

/** A name as written, with width, case, spaces and punctuation folded: 北京 华信（科技） = 北京华信(科技). */
const asWritten = (name: string) =>
  name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');

/**
 * How a candidate's name compares with the one typed: the same name as written, or only a similar
 * one (the same duplicate key written otherwise, e.g. another region or organisation form, or a name
 * alike by trigrams), or not matched by name at all (by a contact only).
 */
export function nameLikeness(
  typed: string,
  candidate: Pick<DuplicateCandidate, 'name' | 'sameName' | 'similarName'>,
): 'same' | 'similar' | null {
  if (asWritten(typed) === asWritten(candidate.name)) return 'same';
  return candidate.sameName || candidate.similarName ? 'similar' : null;
}

/** What the duplicate rules decide for `user` given the candidates and what the form confirmed. */
export function judgeDuplicates(
  user: SessionUser,
  found: DuplicateCandidate[],
  confirmed: { confirm: boolean; reason: string | null; name?: string },
): void {
  if (!found.length) return;
  const rule = DUPLICATE_RULES[user.role];
  const name = confirmed.name;
  const ownedByOthers = found.some((d) => d.ownerId !== null && d.ownerId !== user.id);
  if (!rule.mayCopyOthers && ownedByOthers) throw new DuplicatesFound(found, true, false, name);
  if (!confirmed.confirm) throw new DuplicatesFound(found, false, false, name);
  if (rule.reasonRequired && !confirmed.reason) throw new DuplicatesFound(found, false, true, name);
}
