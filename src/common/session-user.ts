import type { Locale, Role } from './roles.js';

/** The signed-in user as every request sees it, as current as the session read (UsersService.findForSession). */
export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  teamId: number | null;
  /** The user's own team and every team they manage: a manager's records are these teams'. */
  teamIds: number[];
  region: string | null;
  locale: Locale;
  timezone: string;
  /** Unread in-app notifications when the user was loaded: the bell on every page. */
  unreadNotifications: number;
}
