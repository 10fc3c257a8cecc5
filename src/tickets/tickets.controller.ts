import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Redirect,
  Render,
  Req,
  UploadedFiles,
} from '@nestjs/common';
import type { Request } from 'express';
import { CustomersService } from '../customers/customers.service.js';
import { UsersService } from '../users/users.service.js';
import { CurrentUser, FormView, freshForm, RefusalGoesTo } from '../common/decorators.js';
import { DomainError, editedVersion, ValidationFailed } from '../common/errors.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import { IdPipe, parseId } from '../common/ids.js';
import { OnceOnly } from '../common/once-only.js';
import type { SessionUser } from '../common/session-user.js';
import { parseLocalDateTime, toLocalInput } from '../common/time.js';
import { hasKey } from '../i18n/i18n.js';
import { dueLabel } from './due-label.js';
import {
  TicketChangeDto,
  TicketMergeDto,
  TicketRelinkDto,
  TicketShowQueryDto,
  TicketReplyDto,
  TicketTransferDto,
  TicketVersionDto,
} from './dto/ticket-actions.dto.js';
import { NewTicketDto, NewTicketQueryDto } from './dto/ticket-form.dto.js';
import {
  CUSTOMER_TIERS,
  TicketAwayDto,
  TicketBulkAssignDto,
  TicketQueueQueryDto,
} from './dto/ticket-queue.dto.js';
import { queueCountText } from './queue-count.js';
import { uploads } from './ticket-upload.middleware.js';
import {
  AGENT_CHANNELS,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  type TicketStatus,
} from './ticket.options.js';
import { TicketsService, triesToMention } from './tickets.service.js';
import { TICKET_QUEUES, type TicketQueue } from './tickets.types.js';

const OPTIONS = { TICKET_TYPES, TICKET_PRIORITIES, TICKET_CHANNELS, TIERS: CUSTOMER_TIERS };

/** The statuses an agent sets by hand; resolving has its own button (it sends the survey). */
const SETTABLE_STATUSES: readonly TicketStatus[] = ['open', 'pending'];

/**
 * Not an error: the reply form is shown again with the chosen canned reply put into its text, nothing
 * sent (the canned-reply picker without JavaScript).
 */
class CannedReplyInserted extends DomainError {
  constructor() {
    super(200, 'tickets.reply.inserted');
  }
}

/** A value of the ticket's history: a locale key (a status, a priority) to translate, or text as it is. */
const shownValue = (v: string | null) =>
  v === null ? null : hasKey('en', v) && v.startsWith('tickets.') ? { key: v } : { text: v };

/** The text of a form field as typed, for a form shown again. */
const typedText = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Tickets' pages for the people who work them: /tickets (the queues), a new ticket logged from a call,
 * a chat, a visit or the counter, and a ticket's page with its conversation, its changes and the
 * customer beside it.
 */
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly customers: CustomersService,
    private readonly users: UsersService,
  ) {}

  /**
   * Whom the queue's tickets may be given to in bulk: the active agents and managers of the user's
   * teams (every team's for the admin, who has none). The service checks each ticket as it assigns.
   */
  private async bulkAssignees(user: SessionUser) {
    const mine = new Set(user.teamIds);
    return (await this.users.everyone())
      .filter(
        (u) =>
          u.active &&
          (u.role === 'service' || u.role === 'manager') &&
          (mine.size === 0 ||
            (u.teamId !== null && mine.has(u.teamId)) ||
            u.managedTeamIds.some((id) => mine.has(id))),
      )
      .map((u) => ({ id: u.id, name: u.name, away: u.awaySince !== null }));
  }

  /** The new-ticket form: a known customer picked (with its contacts), or a search for one. */
  async newTicketModel(user: SessionUser, query: { customerQ?: string | null; customerId?: number | null }) {
    const form = await this.tickets.newTicketForm(user);
    const customer = query.customerId ? await this.customers.getFor(user, query.customerId, 'view') : null;
    const choices =
      customer || !query.customerQ ? [] : (await this.customers.list(user, { q: query.customerQ })).rows;
    return {
      title: 'tickets.new',
      section: 'tickets',
      ...form,
      channels: AGENT_CHANNELS,
      customer,
      customerQ: query.customerQ ?? '',
      choices,
      requesterRequired: !customer,
      values: {
        channel: 'phone',
        receivedAt: toLocalInput(new Date(), user.timezone),
        type: 'consultation',
        priority: 'normal',
        contactId: customer?.contacts.find((c) => c.primary)?.id,
      },
    };
  }

  /** The ticket page's model, also when one of its forms is shown again (`input`: what was typed). */
  async showModel(
    user: SessionUser,
    id: number,
    input: Readonly<Record<string, unknown>> = {},
    relinkQ: string | null = null,
  ) {
    const detail = await this.tickets.detail(id, user);
    // Moving the ticket to the right customer: those matching the search typed on the page.
    const relinkChoices =
      relinkQ && detail.can.change
        ? (await this.customers.list(user, { q: relinkQ })).rows
            .filter((c) => c.id !== detail.ticket.customerId)
            .slice(0, 10)
        : [];
    const { ticket, can } = detail;
    const now = new Date();
    const paused = ticket.status === 'pending';
    const canned = detail.cannedReplies.find((c) => c.id === parseId(input.cannedReplyId));
    const typed = typedText(input.body).trimEnd();
    const statuses = [...new Set([ticket.status, ...SETTABLE_STATUSES])];
    return {
      titleText: `${ticket.number} ${ticket.subject}`,
      section: 'tickets',
      ...detail,
      history: detail.history.map((h) => ({
        ...h,
        changes: h.changes.map((c) => ({
          fieldKey: hasKey('en', c.field) ? c.field : null,
          field: c.field.replace(/^tickets\.field\./, ''),
          fact: c.fact,
          from: shownValue(c.from),
          to: shownValue(c.to),
        })),
      })),
      options: OPTIONS,
      statusChoices: statuses,
      // A transfer goes elsewhere: the ticket's own team is not offered.
      teamOptions: detail.teams
        .filter((t) => t.id !== ticket.teamId)
        .map((t) => ({ value: t.id, label: t.name })),
      mayWrite: can.reply || can.note,
      mayChange: can.change || can.assign,
      mayAct:
        can.change || can.assign || can.resolve || can.reopen || can.transfer || can.merge || can.delete,
      // No countdown while the clock stands still (waiting on the customer), once a target is met, or
      // on a ticket closed without an answer (merged into another).
      firstDue:
        ticket.firstRespondedAt || paused || ticket.status === 'closed'
          ? null
          : dueLabel(ticket.firstResponseDueAt, now, ticket.firstResponseWarned),
      resolutionDue:
        ticket.resolvedAt || paused || ticket.status === 'closed'
          ? null
          : dueLabel(ticket.resolutionDueAt, now, ticket.resolutionWarned),
      insertedBody: canned ? (typed ? `${typed}\n\n${canned.body}` : canned.body) : null,
      relinkQ,
      relinkChoices,
      values: {
        version: ticket.version,
        status: ticket.status,
        priority: ticket.priority,
        type: ticket.type,
        assigneeId: ticket.assigneeId,
        body: '',
      },
    };
  }

  @Get()
  @Render('tickets/index')
  async index(@CurrentUser() user: SessionUser, @Query() query: TicketQueueQueryDto) {
    const { queue: asked, after, before, ...filters } = query;
    const cursor = { after, before };
    // A queue asked for is read with the counts, in one statement; without a choice, the agent's own
    // queue while it holds anything, else their team's, once the counts say so.
    const [read, away, assignees] = await Promise.all([
      asked
        ? this.tickets.queueWithCounts(user, asked, filters, cursor)
        : this.tickets.queueCounts(user).then((counts) => ({ counts, list: null })),
      this.tickets.isAway(user),
      this.bulkAssignees(user),
    ]);
    const { counts } = read;
    const queue: TicketQueue = asked ?? (counts.mine > 0 ? 'mine' : 'team');
    const list = read.list ?? (await this.tickets.queue(user, queue, filters, cursor));
    const now = new Date();
    return {
      title: 'tickets.nav',
      section: 'tickets',
      queue,
      filter: query,
      filtered: Object.values(filters).some((v) => v !== undefined),
      tabs: TICKET_QUEUES.map((q) => ({ queue: q, count: queueCountText(counts[q]), current: q === queue })),
      list: {
        ...list,
        rows: list.rows.map((r) => ({ ...r, due: dueLabel(r.dueAt, now, r.warned) })),
      },
      resolvedQueue: queue === 'resolved',
      options: OPTIONS,
      agent: true,
      away,
      assignees,
      // The bulk-assign bar, for whoever may assign to someone (and the refused form's page key).
      bulk: assignees.length > 0,
      recycleBin: this.tickets.mayRestore(user),
    };
  }

  @Get('new')
  @Render('tickets/form')
  async newForm(@CurrentUser() user: SessionUser, @Query() query: NewTicketQueryDto) {
    return freshForm(await this.newTicketModel(user, query));
  }

  @Post('new')
  @FormView<TicketsController>('tickets/form', (c, { user, input }) =>
    c.newTicketModel(user, { customerId: parseId(input.customerId) }),
  )
  @OnceOnly()
  @Redirect()
  async create(
    @CurrentUser() user: SessionUser,
    @Body() dto: NewTicketDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Req() req: Request,
  ) {
    const receivedAt = parseLocalDateTime(dto.receivedAt, user.timezone);
    if (!receivedAt) throw ValidationFailed.field('receivedAt', 'validation.isDateTime');
    // With a known customer, the requester is the contact chosen (or the customer) unless typed.
    const picked = dto.customerId ? await this.customers.getFor(user, dto.customerId, 'view') : null;
    const contact = picked?.contacts.find((c) => c.id === dto.contactId);
    const opened = await this.tickets.open(
      {
        channel: dto.channel,
        type: dto.type,
        priority: dto.priority,
        subject: dto.subject,
        body: dto.body,
        requester: {
          name: dto.requesterName ?? contact?.name ?? picked?.name ?? '',
          email: dto.requesterEmail ?? (dto.requesterName ? null : (contact?.email ?? null)),
          mobile: dto.requesterMobile ?? (dto.requesterName ? null : (contact?.mobile ?? null)),
        },
        customerId: dto.customerId,
        contactId: dto.contactId,
        receivedAt,
        attachments: uploads(files),
        locale: user.locale,
      },
      user,
    );
    flash(req, 'tickets.created', { number: opened.number });
    return seeOther(`/tickets/${opened.id}`);
  }

  @Post('assign')
  // Refused (no agent chosen, no ticket ticked): back to the same queue, the reason beside the bar.
  @RefusalGoesTo('/tickets', { name: 'bulk', keep: ['assigneeId'] })
  @Redirect()
  async assign(@CurrentUser() user: SessionUser, @Body() dto: TicketBulkAssignDto, @Req() req: Request) {
    const count = await this.tickets.assignMany(dto.ids, dto.assigneeId, user);
    flash(req, 'tickets.bulk.assigned', { count });
    return seeOther(safeReturnTo(dto.returnTo, '/tickets'));
  }

  @Post('away')
  @RefusalGoesTo('/tickets')
  @Redirect()
  async away(@CurrentUser() user: SessionUser, @Body() dto: TicketAwayDto, @Req() req: Request) {
    await this.tickets.setAway(user, dto.away);
    flash(req, dto.away ? 'tickets.away.marked' : 'tickets.away.cleared', {}, 'info');
    return seeOther('/tickets');
  }

  /** The recycle bin: the last deleted tickets, for the admin to bring back. */
  @Get('deleted')
  @Render('tickets/deleted')
  async deleted(@CurrentUser() user: SessionUser) {
    return { title: 'tickets.recycle_bin', section: 'tickets', tickets: await this.tickets.deleted(user) };
  }

  @Get(':id')
  @Render('tickets/show')
  async show(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Query() query: TicketShowQueryDto,
  ) {
    return freshForm(await this.showModel(user, id, {}, query.relinkQ ?? null));
  }

  /** The requester matched no contact on arrival: the agent confirms the new lead as the customer. */
  @Post(':id/confirm-requester')
  @RefusalGoesTo('/tickets/:id')
  @Redirect()
  async confirmRequester(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketVersionDto,
    @Req() req: Request,
  ) {
    await this.tickets.confirmRequester(id, user, { version: editedVersion(dto.version) });
    flash(req, 'tickets.relink.confirmed');
    return seeOther(`/tickets/${id}`);
  }

  /** Moves the ticket to the customer the requester really belongs to. */
  @Post(':id/relink')
  @RefusalGoesTo('/tickets/:id')
  @Redirect()
  async relink(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketRelinkDto,
    @Req() req: Request,
  ) {
    await this.tickets.relinkRequester(id, user, {
      customerId: dto.customerId,
      contactId: dto.contactId,
      version: editedVersion(dto.version),
    });
    flash(req, 'tickets.relink.moved');
    return seeOther(`/tickets/${id}`);
  }

  /** A public reply or an internal note; "Insert" instead puts a canned reply into the text. */
  @Post(':id/reply')
  @FormView<TicketsController>('tickets/show', (c, { user, ids, input }) => c.showModel(user, ids.id, input))
  // A reply sent twice (a double tap, Back and Send) goes to the customer once.
  @OnceOnly()
  @Redirect()
  async reply(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketReplyDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Req() req: Request,
  ) {
    if (dto.insert) throw new CannedReplyInserted();
    if (!dto.body) throw ValidationFailed.field('body', 'validation.required');
    const { mailed, told } = await this.tickets.reply(id, user, {
      body: dto.body,
      internal: dto.internal,
      version: editedVersion(dto.version),
      attachments: uploads(files),
    });
    if (!dto.internal) flash(req, mailed ? 'tickets.reply.sent' : 'tickets.reply.not_mailed');
    else if (told.length)
      flash(req, 'tickets.reply.noted_told', {
        names: new Intl.ListFormat(req.locale, { type: 'conjunction' }).format(told),
      });
    // An "@" that named nobody Kehu knows: the agent learns that no one was told.
    else flash(req, triesToMention(dto.body) ? 'tickets.reply.noted_nobody' : 'tickets.reply.noted');
    return seeOther(`/tickets/${id}`);
  }

  @Post(':id/change')
  @FormView<TicketsController>('tickets/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async change(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketChangeDto,
    @Req() req: Request,
  ) {
    await this.tickets.change(id, user, { ...dto, version: editedVersion(dto.version) });
    flash(req, 'tickets.changed');
    return seeOther(`/tickets/${id}`);
  }

  @Post(':id/transfer')
  @FormView<TicketsController>('tickets/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async transfer(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketTransferDto,
    @Req() req: Request,
  ) {
    await this.tickets.transfer(id, user, { ...dto, version: editedVersion(dto.version) });
    // Handed to a team the agent does not work in, it leaves their sight: back to their team's queue.
    if (await this.tickets.maySee(user, id)) {
      flash(req, 'tickets.transfer.done');
      return seeOther(`/tickets/${id}`);
    }
    flash(req, 'tickets.transfer.done_gone');
    return seeOther('/tickets?queue=team');
  }

  @Post(':id/merge')
  @FormView<TicketsController>('tickets/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async merge(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketMergeDto,
    @Req() req: Request,
  ) {
    const into = await this.tickets.merge(id, user, { ...dto, version: editedVersion(dto.version) });
    flash(req, 'tickets.merge.done', { number: into });
    return seeOther(`/tickets/${id}`);
  }

  @Post(':id/resolve')
  @FormView<TicketsController>('tickets/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async resolve(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketVersionDto,
    @Req() req: Request,
  ) {
    const { surveySent } = await this.tickets.resolve(id, user, { version: editedVersion(dto.version) });
    flash(req, surveySent ? 'tickets.resolved' : 'tickets.resolved_no_survey');
    return seeOther(`/tickets/${id}`);
  }

  @Post(':id/reopen')
  @FormView<TicketsController>('tickets/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async reopen(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: TicketVersionDto,
    @Req() req: Request,
  ) {
    await this.tickets.reopen(id, user, { version: editedVersion(dto.version) });
    flash(req, 'tickets.reopened');
    return seeOther(`/tickets/${id}`);
  }

  @Post(':id/delete')
  @RefusalGoesTo('/tickets/:id')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const number = await this.tickets.remove(id, user);
    flash(req, 'tickets.deleted', { number });
    return seeOther('/tickets');
  }

  @Post(':id/restore')
  @RefusalGoesTo('/tickets/deleted')
  @Redirect()
  async restore(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const number = await this.tickets.restore(id, user);
    flash(req, 'tickets.restored', { number });
    return seeOther(`/tickets/${id}`);
  }
}
