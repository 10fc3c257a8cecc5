import type { Locale, Role } from '../users/roles.js';

/** The signed-in user as every request sees it; loaded fresh from the database per request. */
export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  teamId: number | null;
  region: string | null;
  locale: Locale;
  timezone: string;
}
