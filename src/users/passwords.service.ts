import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { SessionsService } from '../common/sessions/sessions.service.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { ChangePasswordDto } from './dto/user.dto.js';
import { hashPassword, verifyPassword } from './password.js';
import { UsersRepository } from './users.repository.js';

/**
 * Wrong current passwords on the change-password form: after this many within the window, the form
 * refuses every try (the right one too) until the window passes. Whoever holds a signed-in session
 * left open cannot guess the password from it.
 */
export const MAX_WRONG_CURRENT = 5;
export const WRONG_CURRENT_WINDOW_MINUTES = 15;

/** Passwords: an admin's reset and each user's change of their own. Either signs the user out elsewhere. */
@Injectable()
export class PasswordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
  ) {}

  /**
   * When each user's recent wrong current passwords were typed (ms), kept in this process: a guess
   * needs a signed-in session, which stays with one server, and a restart forgets only a few tries.
   */
  private readonly wrongCurrent = new Map<number, number[]>();

  /** The user's wrong tries within the window, older ones forgotten. */
  private recentWrong(userId: number, now: number): number[] {
    const since = now - WRONG_CURRENT_WINDOW_MINUTES * 60_000;
    const recent = (this.wrongCurrent.get(userId) ?? []).filter((at) => at > since);
    if (recent.length) this.wrongCurrent.set(userId, recent);
    else this.wrongCurrent.delete(userId);
    return recent;
  }

  /** An admin sets a new password; the user is signed out everywhere and told in the app and by mail. */
  async reset(id: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.dataSource.transaction(async (m) => {
      const user = await this.users.lock(m, id);
      if (!user) throw new NotFound();
      await this.users.setPasswordHash(id, passwordHash, m);
      await this.sessions.endFor(id, '', m);
      await this.audit.record({ action: 'password_reset', entity: 'user', entityId: id }, m);
      await this.notifications.notify(id, 'password_reset', {}, '/account', m);
      await this.mail.enqueue(
        { to: user.email, template: 'password-reset', locale: user.locale, params: { name: user.name } },
        m,
      );
    });
    await this.mail.kickQuietly();
  }

  /** Changes the user's own password; their other sessions end, the current one (`keepSessionId`) stays. */
  async changeOwn(user: SessionUser, dto: ChangePasswordDto, keepSessionId: string): Promise<void> {
    if (dto.newPassword !== dto.confirmPassword)
      throw ValidationFailed.field('confirmPassword', 'validation.passwordMismatch');
    const now = Date.now();
    if (this.recentWrong(user.id, now).length >= MAX_WRONG_CURRENT) {
      throw ValidationFailed.field('currentPassword', 'account.too_many_guesses', {
        minutes: WRONG_CURRENT_WINDOW_MINUTES,
      });
    }
    const current = await this.users.findWithHash(user.email);
    if (!current || !(await verifyPassword(current.passwordHash, dto.currentPassword))) {
      this.wrongCurrent.set(user.id, [...this.recentWrong(user.id, now), now]);
      throw ValidationFailed.field('currentPassword', 'account.wrong_password');
    }
    this.wrongCurrent.delete(user.id);
    const passwordHash = await hashPassword(dto.newPassword);
    await this.dataSource.transaction(async (m) => {
      await this.users.setPasswordHash(user.id, passwordHash, m);
      await this.sessions.endFor(user.id, keepSessionId, m);
      await this.audit.record({ action: 'password_change', entity: 'user', entityId: user.id }, m);
    });
  }
}
