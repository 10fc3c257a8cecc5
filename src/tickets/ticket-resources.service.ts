import { Injectable } from '@nestjs/common';
import { isoTime, sortCursorOf } from '../common/api/api-page.js';
import { NotFound } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import type { TicketApiQuery } from './dto/api-ticket.dto.js';
import {
  type TicketListItem,
  type TicketMessageList,
  type TicketPage,
  type TicketResource,
  toTicketResource,
} from './ticket.resource.js';
import { TicketResourcesRepository } from './ticket-resources.repository.js';
import { TicketsService } from './tickets.service.js';
import type { TicketMessageView, TicketQueueRow } from './tickets.types.js';

const toListItem = (r: TicketQueueRow): TicketListItem => ({
  id: r.id,
  number: r.number,
  subject: r.subject,
  customerId: r.customerId,
  customerName: r.customerName,
  requesterName: r.requesterName,
  channel: r.channel,
  type: r.type,
  priority: r.priority,
  status: r.status,
  teamId: r.teamId,
  teamName: r.teamName,
  assigneeId: r.assigneeId,
  assigneeName: r.assigneeName,
  receivedAt: isoTime(r.receivedAt)!,
  dueAt: isoTime(r.dueAt),
  resolvedAt: isoTime(r.resolvedAt),
  overdue: r.overdue,
});

const toMessage = (m: TicketMessageView) => ({
  id: m.id,
  authorName: m.authorName,
  fromCustomer: m.fromCustomer,
  internal: m.internal,
  body: m.body,
  quoted: m.quoted,
  createdAt: isoTime(m.createdAt)!,
  attachments: m.attachments.map((a) => ({ id: a.id, fileName: a.fileName, size: a.size })),
});

/**
 * Tickets as /api/v1 answers them: a queue's page, one ticket, its conversation. Who may see what is
 * the tickets service's to say (its policy); this maps what it allows to the API's resources.
 */
@Injectable()
export class TicketResources {
  constructor(
    private readonly tickets: TicketsService,
    private readonly repo: TicketResourcesRepository,
  ) {}

  /** One ticket the user may see; another team's answers 404. */
  async one(user: SessionUser, id: number): Promise<TicketResource> {
    if (!(await this.tickets.maySee(user, id))) throw new NotFound();
    const t = await this.repo.findLive(id);
    if (!t) throw new NotFound();
    return toTicketResource(t);
  }

  /** A page of one queue, in the queue's order. */
  async page(user: SessionUser, query: TicketApiQuery): Promise<TicketPage> {
    const page = await this.tickets.queue(
      user,
      query.queue ?? 'team',
      { type: query.type, priority: query.priority, channel: query.channel, tier: query.tier },
      query.cursor ? { after: sortCursorOf(query.cursor) } : {},
    );
    return { data: page.rows.map(toListItem), next: page.next };
  }

  /** The conversation as the user may read it (internal notes for staff), oldest first. */
  async messages(user: SessionUser, id: number): Promise<TicketMessageList> {
    const detail = await this.tickets.detail(id, user);
    return { data: detail.messages.map(toMessage) };
  }
}
