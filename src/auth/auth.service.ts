import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { InvalidCredentials, LoginThrottled } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { SessionsService } from '../common/sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { LoginFailuresRepository } from './login-failures.repository.js';

/**
 * After this many failures within the window, an account, or an address, is refused until the
 * window passes. An address gets more room: a whole office may sign in from behind one.
 */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;
export const WINDOW_MINUTES = 15;

/** Signing in and out: the password check, the throttle on guessing, and their audit entries. */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly failures: LoginFailuresRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks an e-mail and password. Unknown accounts and wrong passwords fail alike (same message,
   * same work), so the answer never tells whether an account exists. Attempts on one account take
   * turns, so parallel guesses cannot slip past the limit.
   */
  async verify(emailInput: string, password: string, ip: string): Promise<SessionUser> {
    const email = emailInput.trim().toLowerCase();
    const outcome = await this.dataSource.transaction(
      async (m): Promise<'throttled' | 'failed' | SessionUser> => {
        await this.failures.takeTurns(m, email);
        const recent = await this.failures.countRecent(m, email, ip, WINDOW_MINUTES);
        if (recent.byEmail >= MAX_FAILURES_PER_ACCOUNT || recent.byIp >= MAX_FAILURES_PER_IP) {
          await this.audit.record(
            { action: 'login_throttled', entity: 'user', diff: { email: { to: email } }, actor: null },
            m,
          );
          return 'throttled';
        }
        const { user, ok } = await this.users.checkPassword(email, password);
        if (!ok) {
          await this.failures.add(m, email, ip);
          const diff = { email: { to: email } };
          await this.audit.record(
            { action: 'login_failed', entity: 'user', entityId: user?.id ?? null, diff, actor: null },
            m,
          );
          return 'failed';
        }
        await this.failures.clear(m, email);
        await this.users.recordLogin(user.id, m);
        await this.audit.record({ action: 'login', entity: 'user', entityId: user.id, actor: user }, m);
        return user;
      },
    );
    if (outcome === 'throttled') throw new LoginThrottled(WINDOW_MINUTES);
    if (outcome === 'failed') throw new InvalidCredentials();
    return outcome;
  }

  /** Records that `user` signed out (the session itself is ended by passport). */
  async logout(user: SessionUser): Promise<void> {
    await this.audit.record({ action: 'logout', entity: 'user', entityId: user.id, actor: user });
  }

  /** Forgets expired sessions and failures older than the window; an hourly job. */
  async prune(): Promise<void> {
    await this.failures.deleteOlderThan(WINDOW_MINUTES);
    await this.sessions.prune();
  }
}
