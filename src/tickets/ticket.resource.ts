import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../common/api/api-page.js';
import type { Ticket } from './ticket.entity.js';
import { firstContactResolution } from './tickets.service.js';
import { TICKET_CHANNELS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from './ticket.options.js';

/** Who asked, as they gave themselves. */
export class TicketRequesterResource {
  @ApiProperty({ example: '郑海峰' }) name: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'zhenghf@hailian-logistics.cn' }) email:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '13967812345' }) mobile: string | null;
  @ApiProperty({
    example: false,
    description:
      'Matched no known contact: an agent confirms the customer or moves the ticket to the right one.',
  })
  unconfirmed: boolean;
}

/** A ticket as the API answers it and its webhooks carry it. Times are ISO 8601 in UTC. */
export class TicketResource {
  @ApiProperty({ example: 123 }) id: number;
  @ApiProperty({ example: 'T-000123' }) number: string;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ type: 'integer', nullable: true, example: 3310 }) contactId: number | null;
  @ApiProperty({ type: TicketRequesterResource }) requester: TicketRequesterResource;
  @ApiProperty({ enum: TICKET_CHANNELS, example: 'phone' }) channel: string;
  @ApiProperty({ enum: TICKET_TYPES, example: 'billing' }) type: string;
  @ApiProperty({ enum: TICKET_PRIORITIES, example: 'normal' }) priority: string;
  @ApiProperty({ enum: TICKET_STATUSES, example: 'open' }) status: string;
  @ApiProperty({ example: '发票抬头错了，需要重开' }) subject: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 5 }) teamId: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 14 }) assigneeId: number | null;
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-30T01:40:00.000Z',
    description: 'The SLA clock starts here.',
  })
  receivedAt: string;
  @ApiProperty({ example: 240, description: 'Business minutes, from the SLA policy in force.' })
  firstResponseTargetMinutes: number;
  @ApiProperty({ example: 1350 }) resolutionTargetMinutes: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T05:40:00.000Z' }) firstResponseDueAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-02T07:10:00.000Z' }) resolutionDueAt: string;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: '2026-11-30T05:40:00.000Z',
    description: 'The next target still running; null while waiting on the customer and once resolved.',
  })
  dueAt: string | null;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'Since when it waits on the customer (status pending): the clock stands still.',
  })
  pausedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: '2026-11-30T02:05:00.000Z' })
  firstRespondedAt: string | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 25,
    description: 'Business minutes, pauses left out.',
  })
  firstResponseMinutes: number | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) resolvedAt:
    string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: null }) resolutionMinutes: number | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) closedAt:
    string | null;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: null,
    description: '80% of the first-response target passed.',
  })
  firstResponseWarnedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null })
  firstResponseBreachedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) resolutionWarnedAt:
    string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) resolutionBreachedAt:
    string | null;
  @ApiProperty({ example: 0 }) reopenCount: number;
  @ApiProperty({ example: 1, description: 'Public agent replies so far.' }) publicReplyCount: number;
  @ApiProperty({
    example: false,
    description: 'Resolved with at most one public reply and never reopened.',
  })
  firstContactResolution: boolean;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description: 'Merged as a duplicate into this ticket.',
  })
  mergedIntoId: number | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T01:41:12.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T02:05:00.000Z' }) updatedAt: string;
  @ApiProperty({
    example: 2,
    description: 'Row version: send it back with a change, a message, resolve or reopen.',
  })
  version: number;
}

/** A file attached to a message, downloaded with the session of someone who may see the ticket. */
export class TicketAttachmentResource {
  @ApiProperty({ example: 5521 }) id: number;
  @ApiProperty({ example: '发票照片.jpg' }) fileName: string;
  @ApiProperty({ example: 183245, description: 'Bytes.' }) size: number;
}

/** One entry of a ticket's conversation, oldest first. Internal notes are never shown to the customer. */
export class TicketMessageResource {
  @ApiProperty({ example: 901 }) id: number;
  @ApiProperty({ example: '赵敏', description: 'The agent, or the requester as they gave themselves.' })
  authorName: string;
  @ApiProperty({ example: false }) fromCustomer: boolean;
  @ApiProperty({ example: false, description: 'An internal note: staff only.' }) internal: boolean;
  @ApiProperty({ example: '您好，新发票已开具并寄出，请注意查收。' }) body: string;
  @ApiProperty({
    type: 'string',
    nullable: true,
    example: null,
    description: 'The earlier conversation an e-mail quoted, folded away.',
  })
  quoted: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T02:05:00.000Z' }) createdAt: string;
  @ApiProperty({ type: [TicketAttachmentResource] }) attachments: TicketAttachmentResource[];
}

export class TicketMessageList {
  @ApiProperty({ type: [TicketMessageResource], description: 'Oldest first.' }) data: TicketMessageResource[];
}

/** A row of a queue: enough to pick the next ticket; `GET /api/v1/tickets/:id` has the rest. */
export class TicketListItem {
  @ApiProperty({ example: 123 }) id: number;
  @ApiProperty({ example: 'T-000123' }) number: string;
  @ApiProperty({ example: '发票抬头错了，需要重开' }) subject: string;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ example: '上海华信科技有限公司' }) customerName: string;
  @ApiProperty({ example: '王芳' }) requesterName: string;
  @ApiProperty({ enum: TICKET_CHANNELS, example: 'phone' }) channel: string;
  @ApiProperty({ enum: TICKET_TYPES, example: 'billing' }) type: string;
  @ApiProperty({ enum: TICKET_PRIORITIES, example: 'normal' }) priority: string;
  @ApiProperty({ enum: TICKET_STATUSES, example: 'new' }) status: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 5 }) teamId: number | null;
  @ApiProperty({ type: 'string', nullable: true, example: '客服一组' }) teamName: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 14 }) assigneeId: number | null;
  @ApiProperty({ type: 'string', nullable: true, example: '赵敏 Zhao Min' }) assigneeName: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T01:40:00.000Z' }) receivedAt: string;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: '2026-11-30T05:40:00.000Z',
    description: 'The running target’s due time: the queue’s order.',
  })
  dueAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) resolvedAt:
    string | null;
  @ApiProperty({ example: false, description: 'The running target is past due.' }) overdue: boolean;
}

export class TicketPage {
  @ApiProperty({ type: [TicketListItem] }) data: TicketListItem[];
  @ApiProperty({ type: 'string', nullable: true, example: 'WyIyMDI2LTExLTMwVDA1OjQwOjAwLjAwMFoiLDEyM10' })
  next: string | null;
}

export const toTicketResource = (t: Ticket): TicketResource => ({
  id: t.id,
  number: t.number,
  customerId: t.customerId,
  contactId: t.contactId,
  requester: {
    name: t.requesterName,
    email: t.requesterEmail,
    mobile: t.requesterMobile,
    unconfirmed: t.requesterUnconfirmed,
  },
  channel: t.channel,
  type: t.type,
  priority: t.priority,
  status: t.status,
  subject: t.subject,
  teamId: t.teamId,
  assigneeId: t.assigneeId,
  receivedAt: isoTime(t.receivedAt)!,
  firstResponseTargetMinutes: t.firstResponseTargetMinutes,
  resolutionTargetMinutes: t.resolutionTargetMinutes,
  firstResponseDueAt: isoTime(t.firstResponseDueAt)!,
  resolutionDueAt: isoTime(t.resolutionDueAt)!,
  dueAt: isoTime(t.dueAt),
  pausedAt: isoTime(t.pausedAt),
  firstRespondedAt: isoTime(t.firstRespondedAt),
  firstResponseMinutes: t.firstResponseMinutes,
  resolvedAt: isoTime(t.resolvedAt),
  resolutionMinutes: t.resolutionMinutes,
  closedAt: isoTime(t.closedAt),
  firstResponseWarnedAt: isoTime(t.firstResponseWarnedAt),
  firstResponseBreachedAt: isoTime(t.firstResponseBreachedAt),
  resolutionWarnedAt: isoTime(t.resolutionWarnedAt),
  resolutionBreachedAt: isoTime(t.resolutionBreachedAt),
  reopenCount: t.reopenCount,
  publicReplyCount: t.publicReplyCount,
  firstContactResolution: firstContactResolution(t),
  mergedIntoId: t.mergedIntoId,
  createdAt: isoTime(t.createdAt)!,
  updatedAt: isoTime(t.updatedAt)!,
  version: t.version,
});
