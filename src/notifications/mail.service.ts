import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EntityManager } from 'typeorm';
import { JobsService } from '../automation/jobs.service.js';
import { htmlToText } from '../common/html-text.js';
import { ViewEngine } from '../common/view-engine.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { translate, type Params } from '../i18n/i18n.js';
import type { Locale } from '../common/roles.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';

export const FLUSH_JOB = 'outbox.flush';
const MAX_ATTEMPTS = 20;
const BATCH = 20;
const LEASE_MINUTES = 5;
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };

/** Seconds to wait before attempt n+1: 1 min, 2, 4 … capped at an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60 * 2 ** Math.max(0, attempts - 1), 3600);
}

export interface MailRequest {
  to: string;
  /** views/mail/<template>.hbs, with subject `mail.<template>.subject`. */
  template: string;
  locale: Locale;
  /** The recipient's zone, for dates in the body; the company's by default. */
  timezone?: string;
  /** Values for the subject and the body. */
  params: Params;
  /** Lists the body shows (rows of a digest). */
  lists?: Record<string, object[]>;
  /** It carries a one-time link: the outbox never shows its text, and wipes it once sent. */
  secret?: boolean;
}

/**
 * Mail goes through the outbox: enqueue() stores it (in the caller's transaction, if any), the
 * `outbox.flush` job sends what is due over SMTP_URL, retrying with backoff. Without SMTP_URL mails
 * wait in the outbox, where admins read them.
 */
@Injectable()
export class MailService implements OnModuleInit {
  private readonly logger = new Logger(MailService.name);
  private readonly transport?: Transporter;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly views: ViewEngine,
    private readonly jobs: JobsService,
  ) {
    if (config.smtpUrl) {
      // Timeouts go in the URL's query, where nodemailer reads its options; the URL may set its own.
      const url = new URL(config.smtpUrl);
      for (const [k, v] of Object.entries(SMTP_TIMEOUTS))
        if (!url.searchParams.has(k)) url.searchParams.set(k, String(v));
      this.transport = nodemailer.createTransport(url.toString());
    }
  }

  onModuleInit(): void {
    this.jobs.register(FLUSH_JOB, () => this.flush().then(() => undefined), { cron: '* * * * *' });
  }

  async enqueue(mail: MailRequest, m?: EntityManager): Promise<void> {
    const locals = {
      ...mail.lists,
      ...mail.params,
      locale: mail.locale,
      timezone: mail.timezone ?? this.config.defaultTimezone,
      baseUrl: this.config.baseUrl,
    };
    const html = this.views.render(`mail/${mail.template}`, { ...locals, layout: 'mail' });
    const text = htmlToText(this.views.render(`mail/${mail.template}`, { ...locals, layout: false }));
    const subject = translate(mail.locale, `mail.${mail.template}.subject`, mail.params);
    await this.outbox.add({ to: mail.to, subject, html, text, secret: mail.secret ?? false }, m);
  }

  /** Asks a worker to send what is due now rather than at the next minute. Flushes may overlap: rows are leased. */
  async kick(): Promise<void> {
    await this.jobs.send(FLUSH_JOB);
  }

  /** kick() after a commit: if it fails, the mail still goes out with the next scheduled flush. */
  async kickQuietly(): Promise<void> {
    await this.kick().catch((e: unknown) =>
      this.logger.warn(`outbox kick failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /**
   * Sends every due mail; returns how many were sent. Due mails are leased for a few minutes in a
   * short transaction, then sent outside it, each marked as it goes; a mail whose sender died is
   * leased again once its lease runs out. Safe on several instances at once.
   */
  async flush(): Promise<number> {
    if (!this.transport) return 0;
    let sent = 0;
    for (;;) {
      const due = await this.outbox.leaseDue(BATCH, LEASE_MINUTES);
      for (const mail of due) if (await this.deliver(mail)) sent++;
      if (due.length < BATCH) return sent;
    }
  }

  private async deliver(mail: OutboxRow): Promise<boolean> {
    try {
      await this.transport!.sendMail({
        from: this.config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
      await this.outbox.markSent(mail.id, mail.attempts + 1);
      return true;
    } catch (e) {
      const attempts = mail.attempts + 1;
      const error = e instanceof Error ? e.message : String(e);
      // A 5xx answer is the server's final word (bad address, refused); anything else is worth retrying.
      const permanent =
        typeof (e as { responseCode?: unknown }).responseCode === 'number' &&
        (e as { responseCode: number }).responseCode >= 500;
      this.logger.warn(`mail ${mail.id} to ${mail.to} failed (attempt ${attempts}): ${error}`);
      await this.outbox.markAttemptFailed(mail.id, {
        attempts,
        lastError: error.slice(0, 1000),
        status: permanent || attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
        nextAttemptAt: new Date(Date.now() + retryDelaySeconds(attempts) * 1000),
      });
      return false;
    }
  }

  /** The mails Kehu sent or holds to or naming a person (`pattern`), for a PIPL request. */
  async personalDataOf(pattern: string) {
    if (!pattern) return [];
    return (await this.outbox.findNaming(pattern)).map((o) => ({
      to: o.to,
      subject: o.subject,
      text: o.text,
      status: o.status,
      createdAt: o.createdAt,
      sentAt: o.sentAt,
    }));
  }

  /** Erasing a person, in the erasure's transaction: see OutboxRepository.erasePerson. */
  erasePerson(m: EntityManager, who: { pattern: string; mask: string }): Promise<number> {
    return who.pattern ? this.outbox.erasePerson(m, who.pattern, who.mask) : Promise.resolve(0);
  }
}
