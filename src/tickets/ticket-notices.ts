import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UsersService } from '../users/users.service.js';
import type { Ticket } from './ticket.entity.js';
import { TicketsRepository } from './tickets.repository.js';

/**
 * Resolved with at most one public agent reply and never reopened: resolved on first contact. A
 * ticket merged into another was not resolved at all: its conversation goes on there.
 */
export const firstContactResolution = (
  t: Pick<Ticket, 'status' | 'publicReplyCount' | 'reopenCount' | 'mergedIntoId'>,
) =>
  (t.status === 'resolved' || t.status === 'closed') &&
  t.mergedIntoId === null &&
  t.publicReplyCount <= 1 &&
  t.reopenCount === 0;

/** How the tickets module tells people: agents in-app and by mail, and webhooks the ticket as data. */
@Injectable()
export class TicketNotices {
  constructor(
    private readonly repo: TicketsRepository,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
  ) {}

  /**
   * Tells agents about a ticket: `notification.<kind>` in-app and, given a `template`, by mail in
   * each one's language; inactive users are skipped.
   */
  async tell(
    m: EntityManager,
    t: Ticket | null,
    userIds: number[],
    kind: string,
    extra: Record<string, string | number>,
    template?: string,
  ): Promise<void> {
    if (!userIds.length) return;
    const wanted = new Set(userIds);
    const recipients = (await this.users.activeRecipients()).filter((r) => wanted.has(r.id));
    const url = t ? `/tickets/${t.id}` : '/tickets?queue=mine';
    const params = { ...extra, ...(t ? { number: t.number, subject: t.subject } : {}) };
    for (const r of recipients) {
      await this.notifications.notify(r.id, kind, params, url, m);
      if (!template) continue;
      await this.mail.enqueue(
        {
          to: r.email,
          template,
          locale: r.locale,
          timezone: r.timezone,
          params: { ...params, name: r.name, url },
        },
        m,
      );
    }
  }

  /** A ticket as webhooks carry it. */
  async payload(m: EntityManager, id: number): Promise<object | null> {
    const t = await this.repo.findLive(id, m);
    if (!t) return null;
    return {
      id: t.id,
      number: t.number,
      customerId: t.customerId,
      contactId: t.contactId,
      channel: t.channel,
      type: t.type,
      priority: t.priority,
      status: t.status,
      subject: t.subject,
      teamId: t.teamId,
      assigneeId: t.assigneeId,
      receivedAt: t.receivedAt.toISOString(),
      firstResponseDueAt: t.firstResponseDueAt.toISOString(),
      resolutionDueAt: t.resolutionDueAt.toISOString(),
      firstRespondedAt: t.firstRespondedAt?.toISOString() ?? null,
      resolvedAt: t.resolvedAt?.toISOString() ?? null,
      closedAt: t.closedAt?.toISOString() ?? null,
      reopenCount: t.reopenCount,
      firstContactResolution: firstContactResolution(t),
      version: t.version,
    };
  }
}
