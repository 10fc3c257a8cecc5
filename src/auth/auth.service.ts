import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { InvalidCredentials, LoginThrottled } from '../common/errors.js';
import { decoyHash, verifyPassword } from '../users/password.js';
import { toSessionUser, UsersService } from '../users/users.service.js';
import { LoginFailure } from './login-failure.entity.js';
import type { SessionUser } from './session-user.js';

/** After this many failures within the window, an account or an IP is refused until the window passes. */
export const MAX_FAILURES = 5;
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
   * same work), so the answer never tells whether an account exists.
   */
  async verify(emailInput: string, password: string, ip: string): Promise<SessionUser> {
    const email = emailInput.trim().toLowerCase();
    await this.checkThrottle(email, ip);
    const user = await this.users.findWithHash(email);
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !ok) {
      await this.dataSource.getRepository(LoginFailure).insert({ email, ip });
      await this.audit.record({
        action: 'login_failed',
        entity: 'user',
        entityId: user?.id ?? null,
        diff: { email: { to: email } },
        actor: null,
      });
      throw new InvalidCredentials();
    }
    await this.dataSource.getRepository(LoginFailure).delete({ email });
    await this.users.recordLogin(user.id);
    await this.audit.record({ action: 'login', entity: 'user', entityId: user.id, actor: user });
    return toSessionUser(user);
  }

  private async checkThrottle(email: string, ip: string): Promise<void> {
    const [row] = await this.dataSource.query<{ by_email: string; by_ip: string }[]>(
      `SELECT count(*) FILTER (WHERE email = $1) AS by_email, count(*) FILTER (WHERE ip = $2) AS by_ip
         FROM login_failure WHERE at > now() - make_interval(mins => $3)`,
      [email, ip, WINDOW_MINUTES],
    );
    if (Number(row.by_email) >= MAX_FAILURES || Number(row.by_ip) >= MAX_FAILURES) {
      await this.audit.record({
        action: 'login_throttled',
        entity: 'user',
        diff: { email: { to: email } },
        actor: null,
      });
      throw new LoginThrottled(WINDOW_MINUTES);
    }
  }

  /** Forgets expired sessions and failures older than the window; an hourly job. */
  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE at < now() - make_interval(mins => $1)`, [
      WINDOW_MINUTES,
    ]);
    await this.dataSource.query(`DELETE FROM session WHERE expire < now()`);
  }
}
