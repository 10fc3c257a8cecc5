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

  /** An admin sets a new password; the user is signed out everywhere and told in the app and by mail. */
  async reset(id: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.dataSource.transaction(async (m) => {
      const user = await this.users.lock(m, id);
      if (!user) throw new NotFound();
      await this.users.setPasswordHash(m, id, passwordHash);
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
    const current = await this.users.findWithHash(user.email);
    if (!current || !(await verifyPassword(current.passwordHash, dto.currentPassword))) {
      throw ValidationFailed.field('currentPassword', 'account.wrong_password');
    }
    const passwordHash = await hashPassword(dto.newPassword);
    await this.dataSource.transaction(async (m) => {
      await this.users.setPasswordHash(m, user.id, passwordHash);
      await this.sessions.endFor(user.id, keepSessionId, m);
      await this.audit.record({ action: 'password_change', entity: 'user', entityId: user.id }, m);
    });
  }
}
