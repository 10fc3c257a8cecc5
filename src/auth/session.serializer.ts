import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { SessionUser } from '../common/session-user.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UsersService } from '../users/users.service.js';

type Done<T> = (err: unknown, value?: T | false) => void;

/**
 * The session holds the user id only; each request takes the user from the users directory, as
 * current as the reference version read with the session (deactivated: signed out), and the bell's
 * unread count, read with the session too.
 */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {
    super();
  }

  serializeUser(user: SessionUser, done: Done<number>): void {
    done(null, user.id);
  }

  deserializeUser(id: number, done: Done<SessionUser>): void {
    const read = async (): Promise<SessionUser | false> => {
      const user = await this.users.findForSession(id);
      return user ? { ...user, unreadNotifications: await this.notifications.unreadCount(user.id) } : false;
    };
    read().then((user) => done(null, user), done);
  }
}
