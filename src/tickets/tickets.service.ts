import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { AttachmentOwners } from '../common/attachments/attachment-owners.js';
import { AttachmentsService } from '../common/attachments/attachments.service.js';
import { BusinessCalendarService } from '../common/calendar/business-calendar.service.js';
import { CustomerLifecycles, type SummaryFigure, type TimelineItem } from '../common/customer-lifecycle.js';
import { NotAllowed, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import type { Locale } from '../common/roles.js';
import { formatNumber } from '../common/sequences/sequence-formats.js';
import { SequencesService } from '../common/sequences/sequences.service.js';
import type { SessionUser } from '../common/session-user.js';
import { ContactsService } from '../customers/contacts.service.js';
import { type CustomerFacts, CustomersService } from '../customers/customers.service.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../users/users.service.js';
import {
  changeTargets,
  nextDue,
  pause,
  reopen as reopenClock,
  resolve as resolveClock,
  respond,
  resume,
  startClock,
  targetsFor,
} from './sla-clock.js';
import type { Ticket } from './ticket.entity.js';
import { portalKeys } from './portal-rate-limit.js';
import { PortalRequestsRepository } from './portal-requests.repository.js';
import type { InboundMail } from './inbound/inbound-mail.js';
import type { InboundMailHandler } from './inbound/inbound-smtp.server.js';
import type { TicketMessage } from './ticket-message.entity.js';
import {
  AGENT_CHANNELS,
  raisedPriority,
  TICKET_CHANNELS,
  TICKET_EVENTS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  type TicketPriority,
} from './ticket.options.js';
import { type TicketAction, TicketPolicy, type TicketScope, type TicketSubject } from './ticket.policy.js';
import { clockOf, SlaWatch } from './sla-watch.js';
import { firstContactResolution, TicketNotices } from './ticket-notices.js';
import { TicketSettings } from './ticket-settings.js';
import { newToken, TicketSurveys, TOKEN_SHAPE } from './ticket-surveys.js';
import { QUEUE_PAGE_SIZE, TicketsRepository } from './tickets.repository.js';
import {
  type CannedReplyInput,
  type CannedReplyView,
  type ChangeInput,
  type CustomerReplyInput,
  type MergeInput,
  type NewTicketForm,
  type OpenedTicket,
  type OpenTicketInput,
  type PublicTicketView,
  type QueueCounts,
  type QueueFilters,
  type ReplyInput,
  type RoutingInput,
  type SlaPoliciesInput,
  type SurveyAnswerInput,
  type ContactSurveyInput,
  type DeletedTicket,
  type PersonToErase,
  type LowScoreSurvey,
  type SurveyView,
  TICKET_QUEUES,
  type TicketDetail,
  type TicketHistoryEntry,
  type TicketMessageView,
  type TicketQueue,
  type TicketQueuePage,
  type TicketSettingsView,
  type TicketUpload,
  type TicketView,
  type TransferInput,
  type VersionInput,
} from './tickets.types.js';

export { AUTO_CLOSE_JOB, SLA_WATCH_JOB } from './sla-watch.js';
export { firstContactResolution } from './ticket-notices.js';
export { TICKET_SETTINGS_DEFAULTS, TICKET_SETTINGS_KEY } from './ticket-settings.js';
export { SURVEY_DAYS, SurveyAnswered, SurveyExpired } from './ticket-surveys.js';

/** The owner kind of files attached to a ticket's messages. */
export const TICKET_ATTACHMENTS = 'ticket_message';
/** A customer's reply within this many days of the resolution reopens the ticket; later, it opens a new one. */
export const REOPEN_DAYS = 7;

const DAY = 86_400_000;
/** The recycle bin shows this many of the last deleted tickets. */
const RECYCLE_BIN_SIZE = 200;
/** The fields of a ticket its history shows when they change. */
const AUDITED = ['status', 'priority', 'type', 'teamId', 'assigneeId'] as const;
type AuditedField = (typeof AUDITED)[number];

/** T-000123 for "T-000123", "t-123", "123" or "#123"; null for anything else. */
export function ticketNumberOf(text: string): string | null {
  const m = /^\s*(?:#|t-?)?0*(\d{1,9})\s*$/i.exec(text);
  return m ? formatNumber('ticket', 0, Number(m[1])) : null;
}

/** The language a mail seems written in: Chinese when it has Chinese characters, English otherwise. */
const localeOfText = (text: string): Locale => (/[\u4e00-\u9fff]/.test(text) ? 'zh-CN' : 'en');

const CJK = /[\u4e00-\u9fff]/;

/**
 * The colleagues an internal note mentions, by user id: "@" then one of their handles, the longest
 * that fits (so "@孙丽华" is not 孙丽). A colleague's handles are their whole name, its Chinese part
 * and its other part (a bilingual "孙丽 Sun Li" is @孙丽, @Sun Li or @孙丽 Sun Li), and their e-mail's
 * local part. A handle ends the word ("@ann" does not mention Anna) unless it ends in Chinese,
 * which is written on without a space ("@孙丽请看一下").
 */
export function mentionedIn(
  body: string,
  colleagues: readonly { id: number; name: string; email: string }[],
): number[] {
  const text = body.toLowerCase();
  const handles = colleagues
    .flatMap((c) => handlesOf(c).map((handle) => ({ handle, id: c.id })))
    .sort((a, b) => b.handle.length - a.handle.length);
  const found = new Set<number>();
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    const rest = text.slice(at + 1);
    const match = handles.find(({ handle }) => {
      if (!rest.startsWith(handle)) return false;
      const after = rest.charAt(handle.length);
      return !after || CJK.test(handle.at(-1)!) || !/[\p{L}\p{N}._-]/u.test(after);
    });
    if (match) found.add(match.id);
  }
  return [...found].sort((a, b) => a - b);
}

function handlesOf(c: { name: string; email: string }): string[] {
  const name = c.name.toLowerCase().replace(/\s+/g, ' ').trim();
  const chinese = name.match(/[\u4e00-\u9fff·]+/g) ?? [];
  const other = name
    .replace(/[\u4e00-\u9fff·]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return [...new Set([name, ...chinese, other, c.email.toLowerCase().split('@')[0]])].filter(
    (h) => h.length > 0,
  );
}

/** Whether a note seems to mention someone: an "@" that does not sit inside an e-mail address. */
export const triesToMention = (body: string): boolean => /(^|[^\p{L}\p{N}._-])@\S/u.test(body);

/**
 * Service tickets (工单): opened by agents for calls, visits and WeChat, by customers on the portal
 * and by e-mail; routed by type to a team and assigned to its least-loaded present agent; worked
 * through public replies, internal notes, status and priority changes, transfers and merges; kept on
 * the SLA clock of the company's business calendar (warnings at 80%, breaches, escalation); resolved
 * with a satisfaction survey; reopened by the customer's reply within 7 days; closed after N days.
 * Every public method asks TicketPolicy first; all SQL is in TicketsRepository.
 */
@Injectable()
export class TicketsService implements OnModuleInit, InboundMailHandler {
  private readonly logger = new Logger(TicketsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: TicketsRepository,
    private readonly policy: TicketPolicy,
    private readonly calendar: BusinessCalendarService,
    private readonly sequences: SequencesService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
    private readonly users: UsersService,
    private readonly customers: CustomersService,
    private readonly contacts: ContactsService,
    private readonly attachments: AttachmentsService,
    private readonly attachmentOwners: AttachmentOwners,
    private readonly lifecycles: CustomerLifecycles,
    private readonly notices: TicketNotices,
    private readonly surveys: TicketSurveys,
    private readonly ticketSettings: TicketSettings,
    private readonly watcher: SlaWatch,
    private readonly portalRequests: PortalRequestsRepository,
  ) {}

  onModuleInit(): void {
    for (const type of TICKET_EVENTS) this.webhooks.declare(type);
    this.attachmentOwners.register(TICKET_ATTACHMENTS, (user, messageId) =>
      this.maySeeMessage(user, messageId),
    );
  }

  // ---- Access ----

  private subjectOf(t: Ticket, facts: CustomerFacts | undefined): TicketSubject {
    return {
      teamId: t.teamId,
      assigneeId: t.assigneeId,
      status: t.status,
      customerOwnerId: facts?.ownerId ?? null,
      customerOwnerTeamId: facts?.ownerTeamId ?? null,
    };
  }

  /** A ticket the user may see (locked when `m` is given) with its customer; 404 otherwise. */
  private async visible(
    user: SessionUser,
    id: number,
    action: TicketAction,
    m?: EntityManager,
  ): Promise<{ t: Ticket; facts: CustomerFacts | undefined }> {
    const t = m ? await this.repo.lock(m, id) : await this.repo.findLive(id);
    if (!t) throw new NotFound();
    const facts = (await this.customers.factsOf([t.customerId], m)).get(t.customerId);
    this.policy.assert(user, action, this.subjectOf(t, facts));
    return { t, facts };
  }

  /** For attachment downloads: may the user see the ticket the message belongs to (internal notes: staff only)? */
  private async maySeeMessage(user: SessionUser, messageId: number): Promise<boolean> {
    const ticketId = await this.repo.ticketOfMessage(messageId);
    if (ticketId === null) return false;
    const t = await this.repo.findLive(ticketId);
    if (!t) return false;
    const facts = (await this.customers.factsOf([t.customerId])).get(t.customerId);
    return this.policy.can(user, 'view', this.subjectOf(t, facts));
  }

  /** For other modules: may the user see this ticket? */
  async maySee(user: SessionUser, id: number): Promise<boolean> {
    const t = await this.repo.findLive(id);
    if (!t) return false;
    const facts = (await this.customers.factsOf([t.customerId])).get(t.customerId);
    return this.policy.can(user, 'view', this.subjectOf(t, facts));
  }

  /** The tickets the user may see, a rep's customers given by the customers module. */
  private scopeOf(user: SessionUser): TicketScope {
    const scope = this.policy.scope(user);
    if (scope.everyone || scope.customerOwnerId === null) return scope;
    return { ...scope, ownedCustomers: this.customers.ownedBy(scope.customerOwnerId) };
  }

  /**
   * The team's present service agent (active, not away) with the fewest open tickets (ties: the
   * lowest id), or null when it has none. Assignments to one team wait for each other until the
   * transaction ends, so two tickets arriving together do not both go to the same agent.
   */
  private async leastLoadedAgent(m: EntityManager, teamId: number): Promise<number | null> {
    await this.repo.lockTeamAssignment(m, teamId);
    return this.repo.leastLoaded(m, await this.users.presentAgents(m, teamId));
  }

  /** Who answers for a ticket's files from a customer: its assignee, its team's manager, or the first active admin. */
  private async standInUploader(ticketId: number, m?: EntityManager): Promise<number | null> {
    const t = await this.repo.assigneeAndTeam(ticketId, m);
    if (!t) return null;
    if (t.assigneeId !== null) return t.assigneeId;
    const managerId = t.teamId === null ? null : await this.users.teamManagerId(t.teamId, m);
    return managerId ?? (await this.users.firstActiveAdminId(m));
  }

  private checkVersion(t: Ticket, version: number | undefined): void {
    if (version === undefined || version === null)
      throw ValidationFailed.field('_', 'validation.versionMissing');
    if (Number(version) !== t.version) throw new StaleVersion();
  }

  // ---- Opening ----

  /**
   * Opens a ticket: `by` an agent logging a call, visit or WeChat request (who may pick the customer
   * and say when it came in), or null for the customer (portal, e-mail). The customer is matched or
   * created; the type's team takes it and its least-loaded present agent is assigned; VIP and tier-A
   * customers get one priority level more; the SLA clock starts at `receivedAt`; the requester is
   * mailed an acknowledgement with the tracking link.
   */
  async open(input: OpenTicketInput, by: SessionUser | null): Promise<OpenedTicket> {
    if (by) this.policy.assertAgent(by);
    const subject = (input.subject ?? '').trim();
    const body = (input.body ?? '').trim();
    const errors: Record<string, { key: string }[]> = {};
    if (!subject) errors.subject = [{ key: 'validation.required' }];
    if (!body) errors.body = [{ key: 'validation.required' }];
    if (!(input.requester?.name ?? '').trim()) errors.requesterName = [{ key: 'validation.required' }];
    if (!TICKET_TYPES.includes(input.type)) errors.type = [{ key: 'validation.invalid' }];
    if (!TICKET_CHANNELS.includes(input.channel)) errors.channel = [{ key: 'validation.invalid' }];
    else if (by && !AGENT_CHANNELS.includes(input.channel) && input.channel !== 'web')
      errors.channel = [{ key: 'validation.invalid' }];
    else if (!by && AGENT_CHANNELS.includes(input.channel)) errors.channel = [{ key: 'validation.invalid' }];
    if (input.priority !== undefined && !TICKET_PRIORITIES.includes(input.priority))
      errors.priority = [{ key: 'validation.invalid' }];
    const now = new Date();
    let receivedAt = now;
    if (by && input.receivedAt) {
      // A Date, or the ISO text an API body carries.
      const given = new Date(input.receivedAt as Date | string);
      if (Number.isNaN(given.getTime())) errors.receivedAt = [{ key: 'validation.isDateTime' }];
      else if (given.getTime() > now.getTime() + 60_000)
        errors.receivedAt = [{ key: 'tickets.error.received_in_future' }];
      else receivedAt = given;
    }
    if (Object.keys(errors).length) throw new ValidationFailed(errors);

    if (input.mailMessageId) {
      const known = await this.repo.ticketOfMail(input.mailMessageId);
      if (known) return { id: known.id, number: known.number, trackingToken: known.trackingToken };
    }
    const { customerId, contactId, unconfirmed } = await this.requesterCustomer(input, by);
    const facts = (await this.customers.factsOf([customerId])).get(customerId);
    if (!facts) throw ValidationFailed.field('customerId', 'validation.customerUnknown');
    const asked: TicketPriority = input.priority ?? 'normal';
    const priority = facts.vip || facts.tier === 'A' ? raisedPriority(asked) : asked;
    const [policies, calendar, teamId] = await Promise.all([
      this.repo.policies(),
      this.calendar.calendar(),
      this.repo.routeOf(input.type),
    ]);
    const clock = startClock(receivedAt, targetsFor(policies, priority, facts.tier), calendar);
    const requester = input.requester;
    const opened = await this.dataSource.transaction(async (m) => {
      const assigneeId = teamId === null ? null : await this.leastLoadedAgent(m, teamId);
      const trackingToken = newToken();
      const row: Partial<Ticket> = {
        ...clock,
        customerId,
        contactId,
        requesterName: requester.name.trim(),
        requesterEmail: requester.email?.trim().toLowerCase() || null,
        // Kept as 11 digits, as contacts keep theirs, so the customer's other tickets find it.
        requesterMobile: requester.mobile?.trim()
          ? (this.customers.normalizedMobile(requester.mobile) ?? requester.mobile.trim())
          : null,
        requesterUnconfirmed: unconfirmed,
        channel: input.channel,
        type: input.type,
        priority,
        status: 'new',
        subject: subject.slice(0, 500),
        locale: input.locale,
        teamId,
        assigneeId,
        createdById: by?.id ?? null,
        trackingToken,
        number: await this.sequences.next(m, 'ticket'),
      };
      const id = await this.repo.insert(m, row);
      await this.addMessage(
        m,
        id,
        { authorId: null, authorName: row.requesterName!, fromCustomer: true, internal: false, body },
        input.attachments ?? [],
        by?.id ?? null,
        { quoted: input.quoted ?? null, mailMessageId: input.mailMessageId ?? null, at: receivedAt },
      );
      await this.audit.record(
        {
          action: 'create',
          entity: 'ticket',
          entityId: id,
          diff: {
            number: { to: row.number },
            channel: { to: row.channel },
            type: { to: row.type },
            priority: { to: priority },
            ...(priority !== asked ? { priorityAsked: { to: asked } } : {}),
            teamId: { to: teamId },
            assigneeId: { to: assigneeId },
          },
          ...(by ? {} : { actor: null }),
        },
        m,
      );
      const t = (await this.repo.findLive(id, m))!;
      await this.webhooks.emit(m, 'ticket.created', () => this.notices.payload(m, id));
      if (assigneeId !== null) {
        await this.webhooks.emit(m, 'ticket.assigned', () => this.notices.payload(m, id));
        // An agent who logs a ticket for themselves knows it is theirs.
        if (assigneeId !== by?.id)
          await this.notices.tell(m, t, [assigneeId], 'ticket_assigned', { by: by?.name ?? '' });
      }
      if (t.requesterEmail)
        await this.mail.enqueue(
          {
            to: t.requesterEmail,
            template: 'ticket-acknowledgement',
            locale: t.locale,
            params: {
              name: t.requesterName,
              number: t.number,
              subject: t.subject,
              url: `/portal/tickets/${t.trackingToken}`,
            },
          },
          m,
        );
      return { id, number: t.number, trackingToken };
    });
    await this.mail.kickQuietly();
    return opened;
  }

  /**
   * The customer and contact a new ticket is for: the agent's pick, or the requester matched by
   * e-mail or mobile (an unknown requester becomes a contact on a new lead customer, to confirm).
   */
  private async requesterCustomer(
    input: OpenTicketInput,
    by: SessionUser | null,
  ): Promise<{ customerId: number; contactId: number | null; unconfirmed: boolean }> {
    if (by && input.customerId) {
      // A customer the agent may not see is answered as one that does not exist; the contact must be its.
      if (!(await this.customers.maySee(by, input.customerId)))
        throw ValidationFailed.field('customerId', 'validation.customerUnknown');
      const contactId = input.contactId ?? null;
      if (
        contactId !== null &&
        !(await this.contacts.belongsTo(this.dataSource.manager, input.customerId, contactId))
      )
        throw ValidationFailed.field('contactId', 'validation.invalid');
      return { customerId: input.customerId, contactId, unconfirmed: false };
    }
    const r = input.requester;
    if (!r.email?.trim() && !r.mobile?.trim())
      throw ValidationFailed.field('requesterEmail', 'tickets.error.email_or_mobile');
    const found = await this.customers.findOrCreateRequester(
      {
        name: r.name.trim(),
        ...(r.company?.trim() ? { company: r.company.trim() } : {}),
        ...(r.email?.trim() ? { email: r.email.trim() } : {}),
        ...(r.mobile?.trim() ? { mobile: r.mobile.trim() } : {}),
        locale: input.locale,
      },
      by ?? 'system',
    );
    return { customerId: found.customerId, contactId: found.contactId, unconfirmed: !found.matched };
  }

  /** Adds one message to a conversation with its files, in the caller's transaction. */
  private async addMessage(
    m: EntityManager,
    ticketId: number,
    fields: Pick<TicketMessage, 'authorId' | 'authorName' | 'fromCustomer' | 'internal' | 'body'>,
    files: TicketUpload[],
    uploadedById: number | null,
    more: { quoted?: string | null; mailMessageId?: string | null; at?: Date } = {},
  ): Promise<number> {
    const id = await this.repo.insertMessage(m, {
      ...fields,
      ticketId,
      quoted: more.quoted || null,
      mailMessageId: more.mailMessageId || null,
      ...(more.at ? { createdAt: more.at } : {}),
    });
    // Files need someone recorded as their uploader: the agent; for a customer's message, whoever
    // answers for the ticket (its assignee, else its team's manager, else the first admin). They are
    // served only to those who may see the ticket either way.
    const kept = files.filter((f) => f.bytes.length);
    if (!kept.length) return id;
    const uploader = uploadedById ?? (await this.standInUploader(ticketId, m));
    if (uploader === null) return id;
    for (const f of kept) {
      try {
        await this.attachments.store(
          m,
          { kind: TICKET_ATTACHMENTS, id },
          { fileName: f.fileName, bytes: f.bytes, uploadedById: uploader },
        );
      } catch (e) {
        // An agent's form shows the refusal; a customer's mail or form keeps its message without the
        // file (too large, or of a refused type) rather than being lost.
        if (uploadedById !== null || !(e instanceof ValidationFailed)) throw e;
        this.logger.warn(`ticket ${ticketId}: a customer's file was refused (${e.key})`);
      }
    }
    return id;
  }

  // ---- Queues ----

  /** A page of a queue (list pattern: rows, cursors, capped count), by running due time. */
  async queue(
    user: SessionUser,
    queue: TicketQueue,
    filters: QueueFilters,
    cursor: { after?: string; before?: string } = {},
    size = QUEUE_PAGE_SIZE,
  ): Promise<TicketQueuePage> {
    return (await this.readQueue(user, queue, filters, cursor, size, [])).list;
  }

  /**
   * A page of a queue and the count of every queue (the queues page: the list and its tabs), in one
   * statement; the counts as queueCounts gives them.
   */
  async queueWithCounts(
    user: SessionUser,
    queue: TicketQueue,
    filters: QueueFilters,
    cursor: { after?: string; before?: string } = {},
  ): Promise<{ list: TicketQueuePage; counts: QueueCounts }> {
    const { list, counts } = await this.readQueue(
      user,
      queue,
      filters,
      cursor,
      QUEUE_PAGE_SIZE,
      TICKET_QUEUES,
    );
    return {
      list,
      counts: Object.fromEntries(TICKET_QUEUES.map((q, i) => [q, counts[i]])) as QueueCounts,
    };
  }

  private async readQueue(
    user: SessionUser,
    queue: TicketQueue,
    filters: QueueFilters,
    cursor: { after?: string; before?: string },
    size: number,
    tabs: readonly TicketQueue[],
  ): Promise<{ list: TicketQueuePage; counts: number[] }> {
    this.policy.assertAgent(user);
    if (!TICKET_QUEUES.includes(queue)) throw new NotFound();
    const { counts, ...page } = await this.repo.findQueuePage(
      this.scopeOf(user),
      queue,
      user.id,
      filters,
      filters.tier ? this.customers.idsWhere({ tier: filters.tier }) : null,
      cursor,
      size,
      tabs,
    );
    // Each row carries its customer's name; agents' and teams' names come from the directory in memory.
    const [users, teams] = await Promise.all([
      this.users.namesOf(page.rows.flatMap((r) => (r.assigneeId === null ? [] : [r.assigneeId]))),
      this.users.teamNamesOf(page.rows.flatMap((r) => (r.teamId === null ? [] : [r.teamId]))),
    ]);
    const now = Date.now();
    const list = {
      queue,
      ...page,
      rows: page.rows.map((r) => ({
        ...r,
        teamName: r.teamId === null ? null : (teams.get(r.teamId) ?? null),
        assigneeName: r.assigneeId === null ? null : (users.get(r.assigneeId) ?? null),
        overdue: r.dueAt !== null && new Date(r.dueAt).getTime() < now,
      })),
    };
    return { list, counts };
  }

  /** How many tickets each queue holds for the user, counted up to QUEUE_COUNT_CAP + 1 (queueCountText shows them). */
  async queueCounts(user: SessionUser): Promise<QueueCounts> {
    this.policy.assertAgent(user);
    const counts = await this.repo.queueCounts(this.scopeOf(user), user.id, TICKET_QUEUES);
    return Object.fromEntries(TICKET_QUEUES.map((q, i) => [q, counts[i]])) as QueueCounts;
  }

  // ---- The ticket page ----

  private async toView(t: Ticket, facts: CustomerFacts | undefined): Promise<TicketView> {
    const [users, teams, merged] = await Promise.all([
      this.users.namesOf(t.assigneeId === null ? [] : [t.assigneeId]),
      this.users.teamNamesOf(t.teamId === null ? [] : [t.teamId]),
      this.repo.numbersOf(t.mergedIntoId === null ? [] : [t.mergedIntoId]),
    ]);
    return {
      id: t.id,
      number: t.number,
      subject: t.subject,
      customerId: t.customerId,
      customerName: facts?.name ?? '',
      contactId: t.contactId,
      requesterName: t.requesterName,
      requesterEmail: t.requesterEmail,
      requesterMobile: t.requesterMobile,
      requesterUnconfirmed: t.requesterUnconfirmed,
      channel: t.channel,
      type: t.type,
      priority: t.priority,
      status: t.status,
      teamId: t.teamId,
      teamName: t.teamId === null ? null : (teams.get(t.teamId) ?? null),
      assigneeId: t.assigneeId,
      assigneeName: t.assigneeId === null ? null : (users.get(t.assigneeId) ?? null),
      receivedAt: t.receivedAt,
      firstResponseDueAt: t.firstResponseDueAt,
      resolutionDueAt: t.resolutionDueAt,
      dueAt: t.dueAt,
      firstRespondedAt: t.firstRespondedAt,
      firstResponseMinutes: t.firstResponseMinutes,
      resolvedAt: t.resolvedAt,
      resolutionMinutes: t.resolutionMinutes,
      closedAt: t.closedAt,
      firstResponseWarned: t.firstResponseWarnedAt !== null,
      resolutionWarned: t.resolutionWarnedAt !== null,
      firstResponseBreached: t.firstResponseBreachedAt !== null,
      resolutionBreached: t.resolutionBreachedAt !== null,
      reopenCount: t.reopenCount,
      firstContactResolution: firstContactResolution(t),
      mergedIntoId: t.mergedIntoId,
      mergedIntoNumber: t.mergedIntoId === null ? null : (merged.get(t.mergedIntoId) ?? null),
      trackingToken: t.trackingToken,
      version: t.version,
    };
  }

  private async messageViews(ticketId: number, withInternal: boolean): Promise<TicketMessageView[]> {
    const messages = await this.repo.messages(ticketId, withInternal);
    return Promise.all(
      messages.map(async (msg) => ({
        id: msg.id,
        authorName: msg.authorName,
        fromCustomer: msg.fromCustomer,
        internal: msg.internal,
        body: msg.body,
        quoted: msg.quoted,
        createdAt: msg.createdAt,
        attachments: (await this.attachments.list({ kind: TICKET_ATTACHMENTS, id: msg.id })).map((a) => ({
          id: a.id,
          fileName: a.fileName,
          size: a.size,
        })),
      })),
    );
  }

  /**
   * Who asked, for a ticket logged for a known customer without naming them: the contact given, else
   * the customer itself (its name), with their e-mail and mobile.
   */
  async knownRequester(
    user: SessionUser,
    customerId: number,
    contactId: number | null,
  ): Promise<{ name: string; email: string | null; mobile: string | null }> {
    const customer = await this.customers.getFor(user, customerId, 'view');
    const contact = customer.contacts.find((c) => c.id === contactId);
    if (contact) return { name: contact.name, email: contact.email, mobile: contact.mobile };
    return { name: customer.name, email: null, mobile: null };
  }

  /** The ticket's history from the audit log, newest first, each change named by a locale key. */
  private async history(ticketId: number): Promise<TicketHistoryEntry[]> {
    const events = await this.audit.eventsOf(
      'ticket',
      ticketId,
      [
        'create',
        'update',
        'assign',
        'transfer',
        'merge',
        'merged_into',
        'resolve',
        'reopen',
        'close',
        'escalate',
        'customer_reply',
        'sla_warning',
        'sla_breach',
        'relink',
        'confirm_requester',
        'return_to_team',
        'survey_answer',
        'delete',
        'restore',
      ],
      100,
    );
    const userIds = new Set<number>();
    const teamIds = new Set<number>();
    const customerIds = new Set<number>();
    const idsOf: Record<string, Set<number>> = {
      teamId: teamIds,
      assigneeId: userIds,
      customerId: customerIds,
    };
    for (const e of events) {
      if (e.actorId !== null) userIds.add(e.actorId);
      for (const [field, c] of Object.entries(e.diff))
        for (const v of [c.from, c.to]) if (typeof v === 'number' && idsOf[field]) idsOf[field].add(v);
    }
    const [users, teams, customers] = await Promise.all([
      this.users.namesOf([...userIds]),
      this.users.teamNamesOf([...teamIds]),
      this.customers.namesOf([...customerIds]),
    ]);
    const text = (field: string, v: unknown): string | null => {
      if (v === null || v === undefined) return null;
      if (field === 'assigneeId') return users.get(Number(v)) ?? String(v);
      if (field === 'teamId') return teams.get(Number(v)) ?? String(v);
      if (field === 'customerId') return customers.get(Number(v)) ?? String(v);
      if (field === 'target') return `tickets.sla.${String(v)}`;
      if (field === 'status' || field === 'priority' || field === 'type' || field === 'channel')
        return `tickets.${field}.${String(v)}`;
      if (field === 'priorityAsked') return `tickets.priority.${String(v)}`;
      return typeof v === 'string' ? v : JSON.stringify(v);
    };
    return events.map((e) => ({
      at: e.at,
      actionKey: `tickets.history.${e.action}`,
      by: e.actorId === null ? null : (users.get(e.actorId) ?? null),
      // A delete records the number it had, which the page already shows.
      changes: Object.entries(e.action === 'delete' ? {} : e.diff).map(([field, c]) => ({
        field: `tickets.field.${field}`,
        // A fact of the change (the messages a merge moved) has no value before it.
        fact: !('from' in c),
        from: text(field, c.from),
        to: text(field, c.to),
      })),
    }));
  }

  /**
   * The ticket page: the ticket, its conversation (internal notes for staff), history, the customer's
   * summary, the survey, what the user may do, the canned replies with names filled, whom it may be
   * given to and which teams it may go to. 404 outside the user's scope.
   */
  async detail(id: number, user: SessionUser): Promise<TicketDetail> {
    const { t, facts } = await this.visible(user, id, 'view');
    const subject = this.subjectOf(t, facts);
    const can = this.policy.flags(user, subject);
    const [ticket, messages, history, side, survey, canned, assignees, teams] = await Promise.all([
      this.toView(t, facts),
      this.messageViews(t.id, true),
      this.history(t.id),
      this.sidePanel(t, facts, user),
      this.repo.surveyOfTicket(t.id),
      can.reply ? this.ticketSettings.cannedRepliesFor(t, facts) : Promise.resolve([]),
      t.teamId !== null && can.assign ? this.users.teamAgents(t.teamId) : Promise.resolve([]),
      can.transfer ? this.users.serviceTeamChoices() : Promise.resolve([]),
    ]);
    return {
      ticket,
      messages,
      history,
      side,
      survey: survey && {
        sentAt: survey.sentAt,
        expiresAt: survey.expiresAt,
        answeredAt: survey.answeredAt,
        csat: survey.csat,
        ces: survey.ces,
        comment: survey.comment,
      },
      can,
      cannedReplies: canned,
      assignees,
      teams,
    };
  }

  private async sidePanel(t: Ticket, facts: CustomerFacts | undefined, user: SessionUser) {
    const [{ timeline, figures }, recent, owner] = await Promise.all([
      this.lifecycles
        .profile(t.customerId, 60, user)
        .catch(() => ({ timeline: [] as TimelineItem[], figures: [] as SummaryFigure[] })),
      this.repo.ofCustomer(t.customerId, 6),
      this.users.namesOf(facts?.ownerId ? [facts.ownerId] : []),
    ]);
    const of = (kind: string, n: number) => timeline.filter((i) => i.kind === kind).slice(0, n);
    return {
      customer: {
        id: t.customerId,
        name: facts?.name ?? '',
        tier: facts?.tier ?? null,
        vip: facts?.vip ?? false,
        ownerId: facts?.ownerId ?? null,
        ownerName: facts?.ownerId ? (owner.get(facts.ownerId) ?? null) : null,
      },
      figures,
      deals: of('opportunity', 5),
      contracts: of('contract', 5),
      followUps: of('follow_up', 5),
      recentTickets: recent
        .filter((r) => r.id !== t.id)
        .slice(0, 5)
        .map((r) => ({
          id: r.id,
          number: r.number,
          subject: r.subject,
          status: r.status,
          receivedAt: r.receivedAt,
        })),
    };
  }

  /** What the new-ticket form offers an agent. */
  async newTicketForm(user: SessionUser): Promise<NewTicketForm> {
    this.policy.assertAgent(user);
    return {
      channels: AGENT_CHANNELS,
      types: TICKET_TYPES,
      priorities: TICKET_PRIORITIES,
      teams: await this.users.serviceTeamChoices(),
    };
  }

  // ---- Working a ticket ----

  /**
   * A public reply (mailed to the requester as "[T-000123] subject"; the first one stops the
   * first-response clock) or an internal note (colleagues it @mentions are told in-app and by mail).
   * Answers whether a public reply was mailed (a requester without an e-mail address sees it only on
   * the ticket's tracking page), and the names of the colleagues a note told.
   */
  async reply(
    id: number,
    user: SessionUser,
    input: ReplyInput,
  ): Promise<{ mailed: boolean; told: string[] }> {
    const body = (input.body ?? '').trim();
    if (!body) throw ValidationFailed.field('body', 'validation.required');
    const internal = !!input.internal;
    let told: string[] = [];
    const mailed = await this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, internal ? 'note' : 'reply', m);
      this.checkVersion(t, input.version);
      const messageId = await this.addMessage(
        m,
        t.id,
        { authorId: user.id, authorName: user.name, fromCustomer: false, internal, body },
        input.attachments ?? [],
        user.id,
      );
      await this.audit.record(
        {
          action: internal ? 'note' : 'reply',
          entity: 'ticket',
          entityId: t.id,
          diff: { internal: { to: internal } },
        },
        m,
      );
      if (internal) {
        const colleagues = (await this.users.activeRecipients()).filter((u) => u.id !== user.id);
        const mentioned = mentionedIn(body, colleagues);
        told = colleagues.filter((c) => mentioned.includes(c.id)).map((c) => c.name);
        await this.notices.tell(
          m,
          t,
          mentioned,
          'ticket_mentioned',
          { by: user.name, excerpt: body.slice(0, 200) },
          'ticket-mention',
        );
        return false;
      }
      const now = new Date();
      const clock = respond(clockOf(t), now, await this.calendar.calendar());
      await this.repo.update(m, t.id, {
        ...clock,
        status: t.status === 'new' ? 'open' : t.status,
        publicReplyCount: t.publicReplyCount + 1,
      });
      if (t.status === 'new')
        await this.audit.record(
          {
            action: 'update',
            entity: 'ticket',
            entityId: t.id,
            diff: { status: { from: 'new', to: 'open' } },
          },
          m,
        );
      if (!t.requesterEmail) return false;
      await this.mail.enqueue(
        {
          to: t.requesterEmail,
          template: 'ticket-reply',
          locale: t.locale,
          params: {
            name: t.requesterName,
            number: t.number,
            subject: t.subject,
            by: user.name,
            body,
            url: `/portal/tickets/${t.trackingToken}`,
            messageId,
          },
        },
        m,
      );
      return true;
    });
    await this.mail.kickQuietly();
    return { mailed, told };
  }

  /**
   * Status, priority, type and assignee changes, each in the ticket's history. Pending stops the
   * clock and open runs it again; a new priority brings its SLA targets (counted from arrival);
   * resolved goes through `resolve` (the survey).
   */
  async change(id: number, user: SessionUser, input: ChangeInput): Promise<void> {
    if (input.status === 'resolved') {
      await this.resolve(id, user, { version: input.version });
      return;
    }
    if (input.status !== undefined && !['new', 'open', 'pending'].includes(input.status))
      throw ValidationFailed.field('status', 'validation.invalid');
    if (input.priority !== undefined && !TICKET_PRIORITIES.includes(input.priority))
      throw ValidationFailed.field('priority', 'validation.invalid');
    if (input.type !== undefined && !TICKET_TYPES.includes(input.type))
      throw ValidationFailed.field('type', 'validation.invalid');
    await this.dataSource.transaction(async (m) => {
      const { t, facts } = await this.visible(user, id, 'change', m);
      this.checkVersion(t, input.version);
      const calendar = await this.calendar.calendar();
      const now = new Date();
      let clock = clockOf(t);
      const after: Partial<Ticket> = {};
      if (input.status !== undefined && input.status !== t.status) {
        if (input.status === 'pending') clock = pause(clock, now);
        else if (t.status === 'pending') clock = resume(clock, now, calendar, input.status);
        else clock = { ...clock, status: input.status };
        clock.dueAt = clock.status === 'pending' ? null : nextDue(clock);
        after.status = clock.status;
      }
      if (input.priority !== undefined && input.priority !== t.priority) {
        const policies = await this.repo.policies(m);
        clock = changeTargets(clock, targetsFor(policies, input.priority, facts?.tier ?? null), calendar);
        if (clock.status === 'pending') clock.dueAt = null;
        after.priority = input.priority;
      }
      if (input.type !== undefined && input.type !== t.type) after.type = input.type;
      if (input.assigneeId !== undefined && input.assigneeId !== t.assigneeId) {
        this.policy.assert(user, 'assign', this.subjectOf(t, facts));
        await this.checkAssignee(t, input.assigneeId, user);
        after.assigneeId = input.assigneeId;
      }
      if (!Object.keys(after).length) return;
      await this.repo.update(m, t.id, { ...clock, ...after });
      await this.audit.record(
        { action: 'update', entity: 'ticket', entityId: t.id, diff: this.diff(t, after) },
        m,
      );
      if (after.assigneeId) {
        await this.webhooks.emit(m, 'ticket.assigned', () => this.notices.payload(m, t.id));
        if (after.assigneeId !== user.id)
          await this.notices.tell(m, t, [after.assigneeId], 'ticket_assigned', { by: user.name });
      }
    });
    await this.mail.kickQuietly();
  }

  private diff(before: Ticket, after: Partial<Ticket>) {
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const f of AUDITED as readonly AuditedField[])
      if (after[f] !== undefined && after[f] !== before[f]) diff[f] = { from: before[f], to: after[f] };
    return diff;
  }

  /** An assignee must be an active agent of the ticket's team (the admin may pick any active agent). */
  private async checkAssignee(t: Ticket, assigneeId: number | null, user: SessionUser): Promise<void> {
    if (assigneeId === null) return;
    if (t.teamId !== null && (await this.users.teamAgents(t.teamId)).some((a) => a.id === assigneeId)) return;
    const u = (await this.users.everyone()).find((x) => x.id === assigneeId);
    if (
      user.role === 'admin' &&
      u?.active &&
      (u.role === 'service' || u.role === 'manager' || u.role === 'admin')
    )
      return;
    if (!u) throw ValidationFailed.field('assigneeId', 'validation.invalid');
    // Said by name: a bulk action may hold tickets of several teams.
    const team = t.teamId === null ? '' : ((await this.users.teamNamesOf([t.teamId])).get(t.teamId) ?? '');
    throw ValidationFailed.field('assigneeId', 'tickets.error.assignee_not_in_team', {
      name: u.name,
      number: t.number,
      team,
    });
  }

  /** Gives several tickets to one agent (a queue's bulk action); answers how many changed. */
  async assignMany(ids: number[], assigneeId: number | null, user: SessionUser): Promise<number> {
    this.policy.assertAgent(user);
    const wanted = [...new Set(ids.filter((i) => Number.isInteger(i) && i > 0))].slice(0, 200);
    if (!wanted.length) throw ValidationFailed.field('ids', 'bulk.none_chosen');
    let changed = 0;
    await this.dataSource.transaction(async (m) => {
      const rows = await this.repo.lockMany(m, wanted);
      const facts = await this.customers.factsOf(
        rows.map((r) => r.customerId),
        m,
      );
      for (const t of rows) {
        const subject = this.subjectOf(t, facts.get(t.customerId));
        if (!this.policy.can(user, 'assign', subject) || t.assigneeId === assigneeId) continue;
        await this.checkAssignee(t, assigneeId, user);
        await this.repo.update(m, t.id, { assigneeId });
        await this.audit.record(
          {
            action: 'assign',
            entity: 'ticket',
            entityId: t.id,
            diff: { assigneeId: { from: t.assigneeId, to: assigneeId } },
          },
          m,
        );
        if (assigneeId !== null)
          await this.webhooks.emit(m, 'ticket.assigned', () => this.notices.payload(m, t.id));
        changed++;
      }
      if (changed && assigneeId !== null && assigneeId !== user.id)
        await this.notices.tell(m, null, [assigneeId], 'tickets_assigned', { by: user.name, count: changed });
    });
    return changed;
  }

  /** Hands a ticket to another team with the reason; that team's least-loaded present agent gets it. */
  async transfer(id: number, user: SessionUser, input: TransferInput): Promise<void> {
    const reason = (input.reason ?? '').trim();
    if (!reason) throw ValidationFailed.field('reason', 'validation.required');
    const teams = await this.users.teamChoices();
    if (!teams.some((x) => x.id === Number(input.teamId)))
      throw ValidationFailed.field('teamId', 'validation.invalid');
    const teamId = Number(input.teamId);
    await this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, 'transfer', m);
      this.checkVersion(t, input.version);
      if (t.teamId === teamId) throw ValidationFailed.field('teamId', 'tickets.error.same_team');
      const assigneeId = await this.leastLoadedAgent(m, teamId);
      await this.repo.update(m, t.id, { teamId, assigneeId });
      await this.audit.record(
        {
          action: 'transfer',
          entity: 'ticket',
          entityId: t.id,
          diff: {
            teamId: { from: t.teamId, to: teamId },
            assigneeId: { from: t.assigneeId, to: assigneeId },
            reason: { to: reason },
          },
        },
        m,
      );
      if (assigneeId !== null) {
        await this.webhooks.emit(m, 'ticket.assigned', () => this.notices.payload(m, t.id));
        await this.notices.tell(m, t, [assigneeId], 'ticket_transferred', { by: user.name, reason });
      }
    });
    await this.mail.kickQuietly();
  }

  /**
   * Merges a duplicate into another ticket: its conversation moves there, it is closed with a
   * pointer to the other, and its requester is told by mail where the request continues.
   */
  /** Merges ticket `id` into the one numbered `input.intoNumber` (a duplicate of the same customer); answers that number. */
  async merge(id: number, user: SessionUser, input: MergeInput): Promise<string> {
    const number = ticketNumberOf(input.intoNumber ?? '');
    if (!number) throw ValidationFailed.field('intoNumber', 'tickets.error.no_such_ticket');
    const target = await this.repo.findByNumber(number);
    if (target?.id === id) throw ValidationFailed.field('intoNumber', 'tickets.error.merge_into_itself');
    if (!target) throw ValidationFailed.field('intoNumber', 'tickets.error.no_such_ticket');
    await this.dataSource.transaction(async (m) => {
      // Both locked, the lower id first, so two merges the other way round wait rather than deadlock.
      const [first, second] = id < target.id ? [id, target.id] : [target.id, id];
      const a = await this.repo.lock(m, first);
      const b = await this.repo.lock(m, second);
      const dup = a?.id === id ? a : b;
      const into = a?.id === id ? b : a;
      if (!dup || !into) throw new NotFound();
      const facts = await this.customers.factsOf([dup.customerId, into.customerId], m);
      this.policy.assert(user, 'merge', this.subjectOf(dup, facts.get(dup.customerId)));
      this.checkVersion(dup, input.version);
      if (!this.policy.can(user, 'reply', this.subjectOf(into, facts.get(into.customerId))))
        throw ValidationFailed.field('intoNumber', 'tickets.error.no_such_ticket');
      // Another customer's request is not a duplicate: its conversation and replies would go to them.
      if (dup.customerId !== into.customerId)
        throw ValidationFailed.field('intoNumber', 'tickets.error.merge_other_customer', {
          number: into.number,
          customer: facts.get(into.customerId)?.name ?? '',
        });
      const moved = await this.repo.moveMessages(m, dup.id, into.id);
      await this.addMessage(
        m,
        into.id,
        {
          authorId: user.id,
          authorName: user.name,
          fromCustomer: false,
          internal: true,
          body: `${dup.number} → ${into.number}: ${dup.subject}`,
        },
        [],
        user.id,
      );
      const now = new Date();
      await this.repo.update(m, dup.id, {
        status: 'closed',
        closedAt: now,
        mergedIntoId: into.id,
        dueAt: null,
        pausedAt: null,
      });
      await this.audit.record(
        {
          action: 'merge',
          entity: 'ticket',
          entityId: dup.id,
          diff: { status: { from: dup.status, to: 'closed' }, mergedIntoId: { to: into.number } },
        },
        m,
      );
      await this.audit.record(
        {
          action: 'merged_into',
          entity: 'ticket',
          entityId: into.id,
          diff: { mergedFrom: { to: dup.number }, messages: { to: moved } },
        },
        m,
      );
      if (dup.requesterEmail) {
        const sameRequester = dup.requesterEmail === into.requesterEmail;
        await this.mail.enqueue(
          {
            to: dup.requesterEmail,
            template: 'ticket-merged',
            locale: dup.locale,
            params: {
              name: dup.requesterName,
              number: dup.number,
              subject: dup.subject,
              into: into.number,
              // The other ticket's link only to its own requester: it shows that conversation.
              url: sameRequester ? `/portal/tickets/${into.trackingToken}` : '',
            },
          },
          m,
        );
      }
    });
    await this.mail.kickQuietly();
    return target.number;
  }

  /**
   * Resolves a ticket: the resolution time is measured (pauses left out) and the requester is mailed
   * the survey link (/survey/:token, 32 random bytes, working 14 days, once) unless they have no
   * e-mail address or opted out of mail. Whether the survey was sent.
   */
  async resolve(id: number, user: SessionUser, input: VersionInput): Promise<{ surveySent: boolean }> {
    const surveySent = await this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, 'resolve', m);
      this.checkVersion(t, input.version);
      const now = new Date();
      const clock = resolveClock(clockOf(t), now, await this.calendar.calendar());
      await this.repo.update(m, t.id, { ...clock });
      await this.audit.record(
        {
          action: 'resolve',
          entity: 'ticket',
          entityId: t.id,
          diff: {
            status: { from: t.status, to: 'resolved' },
            resolutionMinutes: { to: clock.resolutionMinutes },
          },
        },
        m,
      );
      const sent = await this.surveys.send(m, t, now);
      await this.webhooks.emit(m, 'ticket.resolved', () => this.notices.payload(m, t.id));
      return sent;
    });
    await this.mail.kickQuietly();
    return { surveySent };
  }

  /** Takes a resolved ticket back to work: the clock runs again, the time it sat resolved left out. */
  async reopen(id: number, user: SessionUser, input: VersionInput): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, 'reopen', m);
      this.checkVersion(t, input.version);
      await this.reopenIn(m, t, new Date());
    });
  }

  private async reopenIn(m: EntityManager, t: Ticket, at: Date): Promise<void> {
    const clock = reopenClock(clockOf(t), at, await this.calendar.calendar());
    await this.repo.update(m, t.id, { ...clock, reopenCount: t.reopenCount + 1, closedAt: null });
    await this.audit.record(
      {
        action: 'reopen',
        entity: 'ticket',
        entityId: t.id,
        diff: { status: { from: t.status, to: 'open' } },
      },
      m,
    );
    await this.webhooks.emit(m, 'ticket.reopened', () => this.notices.payload(m, t.id));
  }

  /**
   * The requester matched no known contact when the ticket came in (a new lead was made): an agent
   * confirms that lead and contact as the ticket's customer.
   */
  async confirmRequester(id: number, user: SessionUser, input: VersionInput): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, 'change', m);
      this.checkVersion(t, input.version);
      if (!t.requesterUnconfirmed) return;
      await this.repo.update(m, t.id, { requesterUnconfirmed: false });
      await this.audit.record(
        {
          action: 'confirm_requester',
          entity: 'ticket',
          entityId: t.id,
          diff: { requesterUnconfirmed: { from: true, to: false } },
        },
        m,
      );
    });
  }

  /**
   * Moves the ticket to the customer (and contact) the requester really belongs to: an agent's
   * correction of the match made on arrival. The contact must be one of that customer's.
   */
  async relinkRequester(
    id: number,
    user: SessionUser,
    input: { customerId: number; contactId?: number | null; version: number },
  ): Promise<void> {
    const customerId = Number(input.customerId);
    const contactId =
      input.contactId === undefined || input.contactId === null ? null : Number(input.contactId);
    const facts = (await this.customers.factsOf([customerId])).get(customerId);
    if (!facts) throw ValidationFailed.field('customerId', 'validation.customerUnknown');
    if (
      contactId !== null &&
      !(await this.contacts.belongsTo(this.dataSource.manager, customerId, contactId))
    )
      throw ValidationFailed.field('contactId', 'validation.invalid');
    await this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, 'change', m);
      // A customer the agent may not see is answered as one that does not exist.
      if (!(await this.customers.maySee(user, customerId)))
        throw ValidationFailed.field('customerId', 'validation.customerUnknown');
      this.checkVersion(t, input.version);
      await this.repo.update(m, t.id, { customerId, contactId, requesterUnconfirmed: false });
      await this.audit.record(
        {
          action: 'relink',
          entity: 'ticket',
          entityId: t.id,
          diff: {
            customerId: { from: t.customerId, to: customerId },
            contactId: { from: t.contactId, to: contactId },
            ...(t.requesterUnconfirmed ? { requesterUnconfirmed: { from: true, to: false } } : {}),
          },
        },
        m,
      );
    });
  }

  /**
   * Deletes a ticket (kept, marked deleted: the admin restores it from the recycle bin); returns its
   * number. Its queues, counts and SLA watch no longer see it.
   */
  async remove(id: number, user: SessionUser): Promise<string> {
    return this.dataSource.transaction(async (m) => {
      const { t } = await this.visible(user, id, 'delete', m);
      await this.repo.softDelete(m, id);
      await this.audit.record(
        { action: 'delete', entity: 'ticket', entityId: id, diff: { number: { from: t.number } } },
        m,
      );
      return t.number;
    });
  }

  /** The recycle bin: deleted tickets, last deleted first, with their customers' names (the admin's). */
  async deleted(user: SessionUser): Promise<DeletedTicket[]> {
    if (!this.policy.mayRestore(user)) throw new NotAllowed();
    return this.repo.findDeleted(RECYCLE_BIN_SIZE);
  }

  /** Whether the user keeps the recycle bin (sees deleted tickets and restores them). */
  mayRestore(user: SessionUser): boolean {
    return this.policy.mayRestore(user);
  }

  /** Brings a deleted ticket back, as it was; returns its number. */
  async restore(id: number, user: SessionUser): Promise<string> {
    if (!this.policy.mayRestore(user)) throw new NotAllowed();
    return this.dataSource.transaction(async (m) => {
      const number = await this.repo.restore(m, id);
      if (number === null) throw new NotFound();
      await this.audit.record({ action: 'restore', entity: 'ticket', entityId: id }, m);
      return number;
    });
  }

  /** An agent marks themselves away (no new tickets assigned to them) or back. */
  async setAway(user: SessionUser, away: boolean): Promise<void> {
    this.policy.assertAgent(user);
    await this.users.setAway(user.id, away);
    await this.audit.record({ action: away ? 'away' : 'back', entity: 'user', entityId: user.id });
  }

  /** Whether the user has marked themselves away. */
  async isAway(user: SessionUser): Promise<boolean> {
    return (await this.users.awaySince(user.id)) !== null;
  }

  // ---- The customer's side ----

  private async byToken(tokenText: string): Promise<Ticket | null> {
    if (!TOKEN_SHAPE.test(tokenText ?? '')) return null;
    return this.repo.findByToken(tokenText);
  }

  /** What the customer sees at /portal/tickets/:token (public messages only), or null. */
  async byTrackingToken(tokenText: string): Promise<PublicTicketView | null> {
    const t = await this.byToken(tokenText);
    if (!t) return null;
    const messages = await this.repo.messages(t.id, false);
    return {
      number: t.number,
      subject: t.subject,
      status: t.status,
      receivedAt: t.receivedAt,
      resolvedAt: t.resolvedAt,
      mayReply: t.status !== 'closed' || t.mergedIntoId === null,
      replyOpensNew:
        t.mergedIntoId === null &&
        (t.status === 'closed' ||
          (t.status === 'resolved' &&
            t.resolvedAt !== null &&
            Date.now() - t.resolvedAt.getTime() > REOPEN_DAYS * DAY)),
      messages: messages.map((msg) => ({
        authorName: msg.authorName,
        fromCustomer: msg.fromCustomer,
        body: msg.body,
        createdAt: msg.createdAt,
      })),
    };
  }

  /**
   * The customer writes on their ticket's page. A waiting ticket runs again; a resolved one within 7
   * days reopens; a closed one, or one resolved longer ago, opens a new ticket that refers to it.
   * Answers the ticket the message went to.
   */
  async customerReply(tokenText: string, input: CustomerReplyInput): Promise<OpenedTicket> {
    const body = (input.body ?? '').trim();
    if (!body) throw ValidationFailed.field('body', 'validation.required');
    const t = await this.byToken(tokenText);
    if (!t) throw new NotFound();
    return this.fromCustomer(t, body, input.attachments ?? [], {});
  }

  private async fromCustomer(
    found: Ticket,
    body: string,
    files: TicketUpload[],
    mail: { quoted?: string; mailMessageId?: string | null; at?: Date },
  ): Promise<OpenedTicket> {
    const at = mail.at ?? new Date();
    // A merged duplicate's conversation lives on in the ticket it went into.
    let t = found;
    for (let hops = 0; t.mergedIntoId !== null && hops < 5; hops++) {
      const next = await this.repo.findLive(t.mergedIntoId);
      if (!next) break;
      t = next;
    }
    const stale =
      t.status === 'closed' ||
      (t.status === 'resolved' &&
        t.resolvedAt !== null &&
        at.getTime() - t.resolvedAt.getTime() > REOPEN_DAYS * DAY);
    // The customer is known: a new ticket on the same customer and contact, referring to the old.
    if (stale) return this.openFollowUpOf(t, body, files, mail);
    await this.dataSource.transaction(async (m) => {
      const locked = (await this.repo.lock(m, t.id))!;
      await this.addMessage(
        m,
        locked.id,
        { authorId: null, authorName: locked.requesterName, fromCustomer: true, internal: false, body },
        files,
        null,
        { quoted: mail.quoted ?? null, mailMessageId: mail.mailMessageId ?? null },
      );
      if (locked.status === 'resolved') await this.reopenIn(m, locked, at);
      else if (locked.status === 'pending') {
        const clock = resume(clockOf(locked), at, await this.calendar.calendar());
        await this.repo.update(m, locked.id, { ...clock });
        await this.audit.record(
          {
            action: 'customer_reply',
            entity: 'ticket',
            entityId: locked.id,
            diff: { status: { from: 'pending', to: 'open' } },
            actor: null,
          },
          m,
        );
      }
      if (locked.assigneeId !== null)
        await this.notices.tell(m, locked, [locked.assigneeId], 'ticket_customer_replied', {});
    });
    return { id: t.id, number: t.number, trackingToken: t.trackingToken };
  }

  /** A new ticket on a closed one's customer, referring to it (the customer wrote again). */
  private async openFollowUpOf(
    t: Ticket,
    body: string,
    files: TicketUpload[],
    mail: { quoted?: string; mailMessageId?: string | null },
  ): Promise<OpenedTicket> {
    const facts = (await this.customers.factsOf([t.customerId])).get(t.customerId);
    const [policies, calendar, teamId] = await Promise.all([
      this.repo.policies(),
      this.calendar.calendar(),
      this.repo.routeOf(t.type),
    ]);
    const now = new Date();
    // A new request starts at normal priority (one level more for VIP and tier-A customers), whatever
    // the old one had become.
    const priority: TicketPriority = facts?.vip || facts?.tier === 'A' ? raisedPriority('normal') : 'normal';
    const clock = startClock(now, targetsFor(policies, priority, facts?.tier ?? null), calendar);
    const opened = await this.dataSource.transaction(async (m) => {
      const assigneeId = teamId === null ? null : await this.leastLoadedAgent(m, teamId);
      const trackingToken = newToken();
      const number = await this.sequences.next(m, 'ticket');
      const id = await this.repo.insert(m, {
        ...clock,
        number,
        customerId: t.customerId,
        contactId: t.contactId,
        requesterName: t.requesterName,
        requesterEmail: t.requesterEmail,
        requesterMobile: t.requesterMobile,
        channel: mail.mailMessageId !== undefined ? 'email' : 'portal',
        type: t.type,
        priority,
        subject: t.subject,
        locale: t.locale,
        teamId,
        assigneeId,
        trackingToken,
      });
      await this.addMessage(
        m,
        id,
        {
          authorId: null,
          authorName: t.requesterName,
          fromCustomer: true,
          internal: false,
          body: `${body}\n\n(${t.number})`,
        },
        files,
        null,
        { quoted: mail.quoted ?? null, mailMessageId: mail.mailMessageId ?? null },
      );
      await this.audit.record(
        {
          action: 'create',
          entity: 'ticket',
          entityId: id,
          diff: { number: { to: number }, follows: { to: t.number } },
          actor: null,
        },
        m,
      );
      await this.webhooks.emit(m, 'ticket.created', () => this.notices.payload(m, id));
      const created = (await this.repo.findLive(id, m))!;
      if (assigneeId !== null) {
        await this.webhooks.emit(m, 'ticket.assigned', () => this.notices.payload(m, id));
        await this.notices.tell(m, created, [assigneeId], 'ticket_assigned', { by: '' });
      }
      if (created.requesterEmail)
        await this.mail.enqueue(
          {
            to: created.requesterEmail,
            template: 'ticket-acknowledgement',
            locale: created.locale,
            params: {
              name: created.requesterName,
              number,
              subject: created.subject,
              url: `/portal/tickets/${trackingToken}`,
            },
          },
          m,
        );
      return { id, number, trackingToken };
    });
    await this.mail.kickQuietly();
    return opened;
  }

  /**
   * An inbound mail (the InboundMailHandler): a reply tagged [T-000123] from the ticket's requester
   * joins its conversation (and reopens it when resolved within 7 days); anything else opens an
   * e-mail ticket. Machine mail (auto-replies, bounces) and a mail already received are dropped.
   */
  async receiveMail(mail: InboundMail): Promise<void> {
    if (mail.autoReply || !mail.from) return;
    if (mail.messageId && (await this.repo.hasMail(mail.messageId))) return;
    const body = mail.body.trim() || mail.subject.trim() || '-';
    const files = mail.attachments.map((a) => ({ fileName: a.filename, bytes: a.content }));
    if (mail.ticketNumber !== null) {
      const t = await this.repo.findByNumber(formatNumber('ticket', 0, mail.ticketNumber));
      if (t && t.requesterEmail && t.requesterEmail === mail.from.address.toLowerCase()) {
        await this.fromCustomer(t, body, files, {
          quoted: mail.quoted,
          mailMessageId: mail.messageId,
          at: mail.receivedAt,
        });
        return;
      }
    }
    await this.open(
      {
        channel: 'email',
        type: 'consultation',
        subject: mail.subject.trim() || body.slice(0, 80),
        body,
        requester: { name: mail.from.name || mail.from.address.split('@')[0], email: mail.from.address },
        attachments: files,
        mailMessageId: mail.messageId,
        quoted: mail.quoted || null,
        locale: localeOfText(`${mail.subject} ${body}`),
      },
      null,
    );
  }

  /** The inbound listener's handler (INBOUND_MAIL_HANDLER): see receiveMail. */
  async receive(mail: InboundMail): Promise<void> {
    try {
      await this.receiveMail(mail);
    } catch (e) {
      // A mail Kehu will never take (no usable sender): retrying would not change that. Anything
      // else (the database away) is refused for now, so the sender's server tries again.
      if (!(e instanceof ValidationFailed)) throw e;
      this.logger.warn(
        `inbound mail ${mail.messageId ?? '(no Message-ID)'} dropped: ${JSON.stringify(e.fields)}`,
      );
    }
  }

  // ---- Surveys, settings and jobs (their own classes; the module's other users call them here) ----

  /** The survey page for a token: to answer, answered or expired; null for no such survey. */
  surveyByToken(tokenText: string): Promise<SurveyView | null> {
    return this.surveys.byToken(tokenText);
  }

  /** Stores a survey's answer once; a second answer (409) or an expired link (410) is refused. */
  answerSurvey(tokenText: string, input: SurveyAnswerInput): Promise<void> {
    return this.surveys.answer(tokenText, input);
  }

  /** Sends a contract or NPS survey to a contact, in the caller's (a rule's) transaction; answers its id. */
  sendContactSurvey(m: EntityManager, input: ContactSurveyInput, now = new Date()): Promise<number> {
    return this.surveys.sendToContact(m, input, now);
  }

  /** Answered surveys scoring below `below` on satisfaction, answered since `since`. */
  lowScoreSurveys(since: Date, below: number): Promise<LowScoreSurvey[]> {
    return this.surveys.lowScores(since, below);
  }

  /** Which of these contacts were sent a survey since `since` (the NPS rule skips them). */
  contactsSurveyedSince(contactIds: number[], since: Date): Promise<Set<number>> {
    return this.surveys.contactsSurveyedSince(contactIds, since);
  }

  settings(user: SessionUser): Promise<TicketSettingsView> {
    return this.ticketSettings.view(user);
  }

  saveRouting(user: SessionUser, input: RoutingInput): Promise<void> {
    return this.ticketSettings.saveRouting(user, input);
  }

  saveSlaPolicies(user: SessionUser, input: SlaPoliciesInput): Promise<void> {
    return this.ticketSettings.saveSlaPolicies(user, input);
  }

  saveCannedReply(user: SessionUser, input: CannedReplyInput): Promise<number> {
    return this.ticketSettings.saveCannedReply(user, input);
  }

  deleteCannedReply(user: SessionUser, id: number): Promise<void> {
    return this.ticketSettings.deleteCannedReply(user, id);
  }

  /** The canned replies an agent may use (their team's and everyone's), unfilled. */
  cannedReplies(user: SessionUser): Promise<CannedReplyView[]> {
    return this.ticketSettings.cannedReplies(user);
  }

  /** The SLA watch's run at `now` (the job runs it every minute). */
  watchSla(now: Date = new Date()): Promise<{ warnings: number; breaches: number }> {
    return this.watcher.watch(now);
  }

  /** Closes tickets resolved longer ago than the setting's days; answers how many (the job runs it hourly). */
  closeResolved(): Promise<number> {
    return this.watcher.closeResolved();
  }

  /**
   * What the service desk holds on a person (a PIPL request): the tickets they asked (all of a
   * person-customer's when `contactIds` is null), every message of those, their surveys. Whoever calls
   * checks the right.
   */
  async personalDataOf(who: {
    customerId: number;
    contactIds: number[] | null;
    emails: string[];
    mobiles: string[];
  }) {
    const tickets = await this.repo.findOfPerson(who.customerId, who.contactIds, who.emails, who.mobiles);
    const messages = tickets.length ? await this.repo.findMessagesOf(tickets.map((t) => t.id)) : [];
    const numbers = new Map(tickets.map((t) => [t.id, t.number]));
    const surveys = await this.repo.findSurveysOfPerson(who.customerId, who.contactIds, who.emails);
    return {
      tickets: tickets.map((t) => ({
        number: t.number,
        subject: t.subject,
        requesterName: t.requesterName,
        requesterEmail: t.requesterEmail,
        requesterMobile: t.requesterMobile,
        channel: t.channel,
        type: t.type,
        status: t.status,
        receivedAt: t.receivedAt,
        resolvedAt: t.resolvedAt,
      })),
      messages: messages.map((msg) => ({
        ticket: numbers.get(msg.ticketId) ?? '',
        at: msg.createdAt,
        from: msg.authorName,
        fromCustomer: msg.fromCustomer,
        internal: msg.internal,
        body: msg.body,
        quoted: msg.quoted,
      })),
      surveys: surveys.map((s) => ({
        kind: s.kind,
        sentTo: s.sentTo,
        sentAt: s.sentAt,
        answeredAt: s.answeredAt,
        csat: s.csat,
        ces: s.ces,
        nps: s.nps,
        comment: s.comment,
      })),
    };
  }

  /**
   * Erasing a person, in the erasure's transaction: requester fields, their messages and the files on
   * them, their survey addresses and comments; what names them in subjects and agents' replies; the
   * portal's count of their requests.
   */
  async erasePerson(
    m: EntityManager,
    who: PersonToErase,
  ): Promise<{ tickets: number; messages: number; surveys: number }> {
    const erased = await this.repo.erasePerson(m, who);
    await this.attachments.erase(m, TICKET_ATTACHMENTS, erased.messageIds, who.mask);
    // The portal's hour of requests counted against their addresses.
    await this.portalRequests.forget(m, [
      ...who.emails.flatMap((e) => portalKeys(undefined, e).slice(1)),
      ...who.mobiles.flatMap((n) => portalKeys(undefined, null, n).slice(1)),
    ]);
    return { tickets: erased.tickets, messages: erased.messageIds.length, surveys: erased.surveys };
  }
}
