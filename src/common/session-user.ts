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
  /** Unread in-app notifications when the user was loaded, counted up to BELL_MOST + 1: the bell on every page. */
  unreadNotifications: number;
}

/**
 * The bell shows up to this many unread notifications, "99+" past it: an agent with thousands of SLA
 * warnings unread learns no more from their number, and counting them all on every page costs.
 */
export const BELL_MOST = 99;

/** The bell's text for `unread` notifications (counted up to BELL_MOST + 1). */
export function bellCount(unread: number): string | number {
  return unread > BELL_MOST ? `${BELL_MOST}+` : unread;
}
