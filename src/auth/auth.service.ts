import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { InvalidCredentials, LoginThrottled } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { Turns } from '../common/turns.js';
import { SessionsService } from '../common/sessions/sessions.service.js';
import { UsersService } from '../users/users.service.js';
import { LoginFailuresRepository } from './login-failures.repository.js';

/**
 * How many failed sign-ins are refused, and for how long. Wrong passwords for one account from one
 * address lock that account on that address only, so a stranger guessing cannot lock its owner out
 * from their own desk. Across all addresses an account has a slower ceiling, so guesses spread over
 * many addresses still get nowhere; an address has its own, for guesses spread over many accounts
 * (an office signs in from behind one address, so it gets more room).
 */
export const MAX_FAILURES_PER_ACCOUNT_AND_IP = 5;
export const WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 50;
export const ACCOUNT_WINDOW_MINUTES = 60;
export const MAX_FAILURES_PER_IP = 20;

/**
 * Sign-ins checked at once. Each holds a database connection for its whole check (its account's turn
 * is a transaction lock) while it waits for the password hash; twenty people signing in at nine
 * o'clock would otherwise hold the whole pool and leave every other request waiting for a connection
 * until it gave up. The others wait here, holding nothing.
 */
const signingIn = new Turns(2);

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
    // No account has a NUL in its e-mail or password (and PostgreSQL cannot compare text holding one).
    if (emailInput.includes('\0') || password.includes('\0')) throw new InvalidCredentials();
    const email = emailInput.trim().toLowerCase();
    let waitMinutes = WINDOW_MINUTES;
    const outcome = await signingIn.run(() =>
      this.dataSource.transaction(async (m): Promise<'throttled' | 'failed' | SessionUser> => {
        await this.failures.takeTurns(m, email);
        const recent = await this.failures.countRecent(m, email, ip, WINDOW_MINUTES, ACCOUNT_WINDOW_MINUTES);
        const byAccount = recent.byEmail >= MAX_FAILURES_PER_ACCOUNT;
        if (
          byAccount ||
          recent.byEmailAndIp >= MAX_FAILURES_PER_ACCOUNT_AND_IP ||
          recent.byIp >= MAX_FAILURES_PER_IP
        ) {
          if (byAccount) waitMinutes = ACCOUNT_WINDOW_MINUTES;
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
        // The failures from this address are forgiven; guesses from elsewhere still count.
        await this.failures.clear(m, email, ip);
        await this.users.recordLogin(user.id, m);
        await this.audit.record({ action: 'login', entity: 'user', entityId: user.id, actor: user }, m);
        return user;
      }),
    );
    if (outcome === 'throttled') throw new LoginThrottled(waitMinutes);
    if (outcome === 'failed') throw new InvalidCredentials();
    return outcome;
  }

  /** Records that `user` signed out (the session itself is ended by passport). */
  async logout(user: SessionUser): Promise<void> {
    await this.audit.record({ action: 'logout', entity: 'user', entityId: user.id, actor: user });
  }

  /** Forgets expired sessions and failures older than the window; an hourly job. */
  async prune(): Promise<void> {
    await this.failures.deleteOlderThan(Math.max(WINDOW_MINUTES, ACCOUNT_WINDOW_MINUTES));
    await this.sessions.prune();
  }
}
