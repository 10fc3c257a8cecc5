export const ROLES = ['admin', 'manager', 'sales', 'service'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Route-level access: a route marked @Roles(…) admits those roles, and admins everywhere (the admin
 * pages are @Roles('admin')). What a user may do to a record is its policy's to say, not this.
 */
export function mayUseRoute(role: Role, routeRoles: readonly Role[] | undefined): boolean {
  return role === 'admin' || !routeRoles || routeRoles.includes(role);
}

export { LOCALES, type Locale } from '../i18n/locales.js';
