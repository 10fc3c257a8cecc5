import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import { UsersService } from '../users/users.service.js';
import type { SessionUser } from '../common/session-user.js';

type Done<T> = (err: unknown, value?: T | false) => void;

/** The session holds the user id only; the user is loaded fresh each request (deactivated: signed out). */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(private readonly users: UsersService) {
    super();
  }

  serializeUser(user: SessionUser, done: Done<number>): void {
    done(null, user.id);
  }

  deserializeUser(id: number, done: Done<SessionUser>): void {
    this.users.findForSession(id).then((u) => done(null, u ?? false), done);
  }
}
