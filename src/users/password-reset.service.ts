import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import { DomainError, ValidationFailed } from '../common/errors.js';
import { requestContext } from '../common/request-context.js';
import { SessionsService } from '../common/sessions/sessions.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MailService } from '../notifications/mail.service.js';
import type { NewPasswordDto } from './dto/password-reset.dto.js';
import { hashPassword } from './password.js';
import { PasswordResetRepository, type RecentRequests } from './password-reset.repository.js';
import { UsersRepository } from './users.repository.js';

/** How long a link in the mail opens the reset form. */
export const LINK_MINUTES = 60;
/**
 * Links asked for one address in an hour: enough for a mail that was slow or lost, too few to flood
 * someone's mailbox. An IP address gets more, since an office asks from behind one.
 */
export const MAX_REQUESTS_PER_ADDRESS = 3;
export const MAX_REQUESTS_PER_IP = 20;
export const REQUEST_WINDOW_MINUTES = 60;

/** The job that makes and mails a link for a request. */
const SEND_JOB = 'password-reset.send';

/** A token as a link carries it: 32 random bytes in base64url. Anything else is simply not a link of ours. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** The link is unknown, expired, used or voided by a newer one (or its account was deactivated). */
export class ResetLinkInvalid extends DomainError {
  constructor() {
    super(410, 'password_reset.link_invalid');
  }
}

/** Too many links asked for this address or from this IP address within the hour. */
export class PasswordResetThrottled extends DomainError {
  constructor(minutes: number) {
    super(429, 'password_reset.throttled', { minutes });
  }
}

/** Minutes until the full window of requests frees a place: when its oldest leaves the window. */
function minutesToWait(recent: RecentRequests): number {
  const oldest = [
    recent.byEmail >= MAX_REQUESTS_PER_ADDRESS ? recent.emailOldest : null,
    recent.byIp >= MAX_REQUESTS_PER_IP ? recent.ipOldest : null,
  ].filter((d): d is Date => d !== null);
  const freeAt = Math.max(...oldest.map((d) => d.getTime())) + REQUEST_WINDOW_MINUTES * 60_000;
  return Math.max(1, Math.ceil((freeAt - recent.now.getTime()) / 60_000));
}

/**
 * "Forgot your password?": a link by mail to whoever holds an account's address, and setting a new
 * password through it. The request is answered alike for every address (an account's, a deactivated
 * one's or none), so it tells nobody which accounts exist.
 */
@Injectable()
export class PasswordResetService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly resets: PasswordResetRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(SEND_JOB, (data) => this.sendLink(String(data.email), String(data.ip)));
    this.jobs.register('password-reset.prune', () => this.resets.prune(REQUEST_WINDOW_MINUTES), {
      cron: '23 * * * *',
    });
  }

  /**
   * Takes a request for a link to `emailInput`, counted against the address and the IP address
   * whether or not an account has it; past the hour's bound nothing is sent and the caller is told
   * when to try again. The link itself is made and mailed by a job (sendLink), so the answer costs
   * the same for every address: its timing tells no more than its words which accounts exist.
   */
  async requestLink(emailInput: string, ip: string): Promise<void> {
    const email = emailInput.trim().toLowerCase();
    const throttled = await this.dataSource.transaction(async (m): Promise<RecentRequests | null> => {
      await this.resets.takeTurns(m, email, ip);
      const recent = await this.resets.countRecent(m, email, ip, REQUEST_WINDOW_MINUTES);
      if (recent.byEmail >= MAX_REQUESTS_PER_ADDRESS || recent.byIp >= MAX_REQUESTS_PER_IP) return recent;
      await this.resets.addRequest(m, email, ip);
      return null;
    });
    if (throttled) throw new PasswordResetThrottled(minutesToWait(throttled));
    await this.jobs.send(SEND_JOB, { email, ip });
  }

  /**
   * Mails a reset link to the active account with this address, if there is one, voiding its earlier
   * links; audited with the address the request came from. Links for one address are made in turn.
   */
  async sendLink(email: string, ip: string): Promise<void> {
    const context = { requestId: randomUUID(), ip, locale: 'en' as const };
    const sent = await requestContext.run(context, () =>
      this.dataSource.transaction(async (m) => {
        await this.resets.takeTurns(m, email, ip);
        const account = await this.resets.findActiveAccount(m, email);
        if (!account) return false;
        const token = randomBytes(32).toString('base64url');
        await this.resets.voidUnused(m, account.id);
        await this.resets.insert(m, account.id, hashOf(token), LINK_MINUTES);
        await this.audit.record(
          { action: 'password_reset_request', entity: 'user', entityId: account.id, actor: null },
          m,
        );
        await this.mail.enqueue(
          {
            to: account.email,
            template: 'password-reset-link',
            locale: account.locale,
            secret: true,
            params: {
              name: account.name,
              link: `${this.config.baseUrl}/password/reset/${token}`,
              minutes: LINK_MINUTES,
            },
          },
          m,
        );
        return true;
      }),
    );
    if (sent) await this.mail.kickQuietly();
  }

  /** Whether `token` opens the reset form now. */
  async linkIsUsable(token: string): Promise<boolean> {
    return TOKEN.test(token) && (await this.resets.isUsable(hashOf(token)));
  }

  /**
   * Sets the new password through the link: the link is used up (and any other of the account's
   * voided), every session of the account ends, the change is audited as the user's own and they
   * are told by mail. A dead link is refused before any password work.
   */
  async reset(token: string, dto: NewPasswordDto): Promise<void> {
    if (!(await this.linkIsUsable(token))) throw new ResetLinkInvalid();
    if (dto.password !== dto.confirmPassword)
      throw ValidationFailed.field('confirmPassword', 'validation.passwordMismatch');
    const passwordHash = await hashPassword(dto.password);
    const done = await this.dataSource.transaction(async (m) => {
      const account = await this.resets.use(m, hashOf(token));
      if (!account) return false;
      await this.resets.voidUnused(m, account.id);
      await this.users.setPasswordHash(account.id, passwordHash, m);
      await this.sessions.endFor(account.id, '', m);
      await this.audit.record(
        {
          action: 'password_reset_self',
          entity: 'user',
          entityId: account.id,
          actor: { id: account.id, email: account.email },
        },
        m,
      );
      await this.mail.enqueue(
        {
          to: account.email,
          template: 'password-changed',
          locale: account.locale,
          params: { name: account.name },
        },
        m,
      );
      return true;
    });
    if (!done) throw new ResetLinkInvalid();
    await this.mail.kickQuietly();
  }
}
