import { Injectable } from '@nestjs/common';
import { NotFound } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';

/**
 * Who may answer a person's request under 个人信息保护法 (PIPL): see everything Kehu holds on them
 * (export) and erase it. Both reach every module's records, so only an admin may; anyone else is told
 * there is no such page (404), as for a record outside their scope.
 */
export const PRIVACY_ACTIONS = ['export', 'erase'] as const;
export type PrivacyAction = (typeof PRIVACY_ACTIONS)[number];

export const PRIVACY_RULES: Record<Role, readonly PrivacyAction[]> = {
  admin: ['export', 'erase'],
  manager: [],
  sales: [],
  service: [],
};

export function can(user: Pick<SessionUser, 'role'>, action: PrivacyAction): boolean {
  return PRIVACY_RULES[user.role].includes(action);
}

@Injectable()
export class PrivacyPolicy {
  /** Throws NotFound unless `user` may take `action` on a person's data. */
  assert(user: SessionUser, action: PrivacyAction): void {
    if (!can(user, action)) throw new NotFound();
  }

  /** The page's `can.*` switches. */
  flags(user: SessionUser): Record<PrivacyAction, boolean> {
    return Object.fromEntries(PRIVACY_ACTIONS.map((a) => [a, can(user, a)])) as Record<
      PrivacyAction,
      boolean
    >;
  }
}
