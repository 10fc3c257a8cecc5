import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { InvalidCredentials, LoginThrottled } from '../common/errors.js';
import { decoyHash, verifyPassword } from '../users/password.js';
import { toSessionUser, UsersService } from '../users/users.service.js';
import { LoginFailure } from './login-failure.entity.js';
import type { SessionUser } from '../common/session-user.js';

/**
 * After this many failures within the window, an account, or an address, is refused until the
 * window passes. An address gets more room: a whole office may sign in from behind one.
 */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;
export const WINDOW_MINUTES = 15;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks an e-mail and password. Unknown accounts and wrong passwords fail alike (same message,
   * same work), so the answer never tells whether an account exists. Attempts on one account take
   * turns (an advisory lock), so parallel guesses cannot slip past the limit.
   */
  async verify(emailInput: string, password: string, ip: string): Promise<SessionUser> {
    const email = emailInput.trim().toLowerCase();
    const outcome = await this.dataSource.transaction(
      async (m): Promise<'throttled' | 'failed' | SessionUser> => {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login:${email}`]);
        if (await this.isThrottled(m, email, ip)) {
          await this.audit.record(
            { action: 'login_throttled', entity: 'user', diff: { email: { to: email } }, actor: null },
            m,
          );
          return 'throttled';
        }
        const user = await this.users.findWithHash(email);
        const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
        if (!user || !ok) {
          await m.insert(LoginFailure, { email, ip });
          const diff = { email: { to: email } };
          await this.audit.record(
            { action: 'login_failed', entity: 'user', entityId: user?.id ?? null, diff, actor: null },
            m,
          );
          return 'failed';
        }
        await m.delete(LoginFailure, { email });
        // Plain SQL: signing in must not bump the row version and stale an admin's open edit form.
        await m.query('UPDATE app_user SET last_login_at = now() WHERE id = $1', [user.id]);
        await this.audit.record({ action: 'login', entity: 'user', entityId: user.id, actor: user }, m);
        return toSessionUser(user);
      },
    );
    if (outcome === 'throttled') throw new LoginThrottled(WINDOW_MINUTES);
    if (outcome === 'failed') throw new InvalidCredentials();
    return outcome;
  }

  private async isThrottled(m: EntityManager, email: string, ip: string): Promise<boolean> {
    const [row] = await m.query<{ by_email: string; by_ip: string }[]>(
      `SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip
         FROM login_failure WHERE at > now() - make_interval(mins => $3)`,
      [email, ip, WINDOW_MINUTES],
    );
    return Number(row.by_email) >= MAX_FAILURES_PER_ACCOUNT || Number(row.by_ip) >= MAX_FAILURES_PER_IP;
  }

  /** Forgets expired sessions and failures older than the window; an hourly job. */
  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE at < now() - make_interval(mins => $1)`, [
      WINDOW_MINUTES,
    ]);
    await this.dataSource.query(`DELETE FROM session WHERE expire < now()`);
  }
}
