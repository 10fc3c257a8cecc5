import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import nodemailer, { type Transporter } from 'nodemailer';
import { DataSource, In, type EntityManager } from 'typeorm';
import { JobsService } from '../automation/jobs.service.js';
import { NotFound } from '../common/errors.js';
import { type Page, toPage } from '../common/pagination.js';
import { ViewEngine } from '../common/view-engine.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { translate, type Params } from '../i18n/i18n.js';
import type { Locale } from '../users/roles.js';
import { OutboxMail } from './outbox-mail.entity.js';

export const FLUSH_JOB = 'outbox.flush';
const MAX_ATTEMPTS = 20;
const BATCH = 20;

/** Seconds to wait before attempt n+1: 1 min, 2, 4 … capped at an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60 * 2 ** Math.max(0, attempts - 1), 3600);
}

export interface MailRequest {
  to: string;
  /** views/mail/<template>.hbs, with subject `mail.<template>.subject`. */
  template: string;
  locale: Locale;
  params: Params;
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
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly views: ViewEngine,
    private readonly jobs: JobsService,
  ) {
    if (config.smtpUrl) this.transport = nodemailer.createTransport(config.smtpUrl);
  }

  onModuleInit(): void {
    this.jobs.register(FLUSH_JOB, () => this.flush().then(() => undefined), { cron: '* * * * *' });
  }

  async enqueue(mail: MailRequest, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const locals = {
      ...mail.params,
      locale: mail.locale,
      timezone: this.config.defaultTimezone,
      baseUrl: this.config.baseUrl,
    };
    const html = this.views.render(`mail/${mail.template}`, { ...locals, layout: 'mail' });
    const text = this.views
      .render(`mail/${mail.template}`, { ...locals, layout: false })
      .replace(/<[^>]+>/g, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    const subject = translate(mail.locale, `mail.${mail.template}.subject`, mail.params);
    await manager.insert(OutboxMail, { to: mail.to, subject, html, text });
  }

  /** Asks a worker to send what is due now rather than at the next minute. Flushes may overlap: rows are locked. */
  async kick(): Promise<void> {
    await this.jobs.send(FLUSH_JOB);
  }

  /** Sends every due mail; returns how many were sent. Safe to run on several instances at once. */
  async flush(): Promise<number> {
    if (!this.transport) return 0;
    let sent = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (m) => {
        const due = await m
          .getRepository(OutboxMail)
          .createQueryBuilder('o')
          .where("o.status = 'pending' AND o.next_attempt_at <= now()")
          .orderBy('o.id')
          .limit(BATCH)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        for (const mail of due) {
          if (await this.deliver(m, mail)) sent++;
        }
        return due.length;
      });
      if (batch < BATCH) return sent;
    }
  }

  private async deliver(m: EntityManager, mail: OutboxMail): Promise<boolean> {
    try {
      await this.transport!.sendMail({
        from: this.config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
      await m.update(
        OutboxMail,
        { id: mail.id },
        { status: 'sent', sentAt: new Date(), attempts: mail.attempts + 1, lastError: null },
      );
      return true;
    } catch (e) {
      const attempts = mail.attempts + 1;
      const error = e instanceof Error ? e.message : String(e);
      this.logger.warn(`mail ${mail.id} to ${mail.to} failed (attempt ${attempts}): ${error}`);
      await m.update(
        OutboxMail,
        { id: mail.id },
        {
          attempts,
          lastError: error.slice(0, 1000),
          status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          nextAttemptAt: new Date(Date.now() + retryDelaySeconds(attempts) * 1000),
        },
      );
      return false;
    }
  }

  async list(page: number): Promise<Page<OutboxMail>> {
    const perPage = 50;
    const [rows, total] = await this.dataSource.getRepository(OutboxMail).findAndCount({
      order: { id: 'DESC' },
      skip: (page - 1) * perPage,
      take: perPage,
    });
    return toPage(rows, total, page, perPage);
  }

  async get(id: number): Promise<OutboxMail> {
    const mail = await this.dataSource.getRepository(OutboxMail).findOneBy({ id });
    if (!mail) throw new NotFound();
    return mail;
  }

  /** Puts a waiting or given-up mail back in the queue, due now. */
  async retry(id: number): Promise<void> {
    const res = await this.dataSource
      .getRepository(OutboxMail)
      .update({ id, status: In(['pending', 'failed']) }, { status: 'pending', nextAttemptAt: new Date() });
    if (!res.affected) throw new NotFound();
    await this.kick();
  }
}
