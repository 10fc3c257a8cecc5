import { Injectable } from '@nestjs/common';
import { NotFound } from '../common/errors.js';
import { type Page, toPage } from '../common/pagination.js';
import { MailService } from './mail.service.js';
import type { OutboxMail, OutboxStatus } from './outbox-mail.entity.js';
import { OutboxRepository } from './outbox.repository.js';

/** A mail as the admin's outbox pages show it. */
export interface OutboxMailView {
  id: number;
  to: string;
  subject: string;
  /** Empty for a mail holding a one-time link (`secret`): nobody reads it here. */
  text: string;
  secret: boolean;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export const toOutboxMailView = (mail: OutboxMail): OutboxMailView => ({
  id: mail.id,
  to: mail.to,
  subject: mail.subject,
  text: mail.secret ? '' : mail.text,
  secret: mail.secret,
  status: mail.status,
  attempts: mail.attempts,
  lastError: mail.lastError,
  createdAt: mail.createdAt,
  sentAt: mail.sentAt,
});

/** /admin/outbox: every mail Kehu sent or is waiting to send, and a retry for those not sent. */
@Injectable()
export class OutboxService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly mail: MailService,
  ) {}

  async list(page: number): Promise<Page<OutboxMailView>> {
    const perPage = 50;
    const [rows, total] = await this.outbox.findNewest((page - 1) * perPage, perPage);
    return toPage(rows.map(toOutboxMailView), total, page, perPage);
  }

  async get(id: number): Promise<OutboxMailView> {
    const mail = await this.outbox.findById(id);
    if (!mail) throw new NotFound();
    return toOutboxMailView(mail);
  }

  /** Puts a waiting or given-up mail back in the queue, due now. */
  async retry(id: number): Promise<void> {
    if (!(await this.outbox.requeue(id))) throw new NotFound();
    await this.mail.kick();
  }
}
