import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import {
  CustomerLifecycles,
  type SummaryFigure,
  summarySource,
  type TimelineItem,
  type TimelinePage,
  timelineSource,
} from '../common/customer-lifecycle.js';
import type { Locale } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { translate } from '../i18n/i18n.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UsersService } from '../users/users.service.js';
import { TicketLifecycleRepository, type TimelineTicketRow } from './ticket-lifecycle.repository.js';
import { OPEN_TICKET_STATUSES } from './ticket.options.js';
import { TicketPolicy } from './ticket.policy.js';

/**
 * Every action the tickets module records in the audit log (on tickets, surveys and, for away and
 * back, the agent), each labelled in both languages under `audit.actions.*` (create, update, assign,
 * merge, merged_into and reopen are shared with other records).
 */
export const TICKET_AUDIT_ACTIONS = [
  'create',
  'update',
  'assign',
  'reply',
  'note',
  'customer_reply',
  'transfer',
  'merge',
  'merged_into',
  'resolve',
  'reopen',
  'close',
  'escalate',
  'sla_warning',
  'sla_breach',
  'relink',
  'confirm_requester',
  'return_to_team',
  'survey_answer',
  'delete',
  'restore',
  'away',
  'back',
] as const;

/**
 * How tickets take part in the customer's life (CustomerLifecycle):
 * - the 360° timeline shows each ticket the viewer may see, with its status, the scores of its
 *   answered survey (CSAT 1–5, effort 1–7) and its comment, and whether the requester still has to be
 *   confirmed as this customer's contact;
 * - a merge moves the merged customer's tickets and every survey sent to its contacts;
 * - a leaving agent hands nothing over to a colleague: tickets are their team's, not the agent's.
 *   Their open tickets go back to the team's unassigned queue (the hand-over choice is about the
 *   records a rep owns), each audited, and the team's manager is told how many came back;
 * - the audit log names a ticket's fields and values in the reader's language.
 * It also declares the webhook events the tickets service emits.
 */
@Injectable()
export class TicketLifecycle implements OnModuleInit {
  constructor(
    private readonly lifecycles: CustomerLifecycles,
    private readonly repo: TicketLifecycleRepository,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly policy: TicketPolicy,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.lifecycles.register({
      entity: 'ticket',
      audit: {
        fields: {
          number: 'tickets.audit.number',
          customerId: 'tickets.audit.customer',
          contactId: 'tickets.audit.contact',
          requesterName: 'tickets.audit.requester_name',
          requesterEmail: 'tickets.audit.requester_email',
          requesterMobile: 'tickets.audit.requester_mobile',
          requesterUnconfirmed: 'tickets.audit.requester_unconfirmed',
          channel: 'tickets.audit.channel',
          type: 'tickets.audit.type',
          priority: 'tickets.audit.priority',
          status: 'tickets.audit.status',
          subject: 'tickets.audit.subject',
          body: 'tickets.audit.body',
          internal: 'tickets.audit.internal',
          teamId: 'tickets.audit.team',
          assigneeId: 'tickets.audit.assignee',
          priorityAsked: 'tickets.audit.priority_asked',
          locale: 'tickets.audit.locale',
          receivedAt: 'tickets.audit.received_at',
          firstResponseMinutes: 'tickets.audit.first_response_minutes',
          resolutionMinutes: 'tickets.audit.resolution_minutes',
          firstResponseDueAt: 'tickets.audit.first_response_due_at',
          resolutionDueAt: 'tickets.audit.resolution_due_at',
          reason: 'tickets.audit.reason',
          mergedIntoId: 'tickets.audit.merged_into',
          mergedFrom: 'tickets.audit.merged_from',
          reopenCount: 'tickets.audit.reopen_count',
          target: 'tickets.audit.target',
          csat: 'tickets.audit.csat',
          ces: 'tickets.audit.ces',
          comment: 'tickets.audit.comment',
        },
        values: {
          channel: 'tickets.channel.',
          type: 'tickets.type.',
          priority: 'tickets.priority.',
          priorityAsked: 'tickets.priority.',
          status: 'tickets.status.',
          locale: 'locale.',
          target: 'tickets.audit.targets.',
        },
        refs: { teamId: 'team', assigneeId: 'user' },
      },
      timeline: timelineSource(
        this.repo.timelineSql,
        (rows: Parameters<TicketLifecycleRepository['timelineRows']>[0], page) =>
          this.timelineOf(this.repo.timelineRows(rows), page),
      ),
      summary: summarySource(
        this.repo.summarySql,
        (rows: Parameters<TicketLifecycleRepository['timelineRows']>[0], page) =>
          this.figuresOf(this.repo.timelineRows(rows), page),
      ),
      merge: (m, fromId, toId) => this.repo.moveTickets(m, fromId, toId),
      deactivate: (m, userId, actor) => this.returnToTeam(m, userId, actor),
    });
    // Surveys move with the customer too, counted apart in the merge's audit entry.
    this.lifecycles.register({
      entity: 'survey',
      audit: {
        fields: {
          csat: 'tickets.audit.csat',
          ces: 'tickets.audit.ces',
          nps: 'tickets.audit.nps',
          comment: 'tickets.audit.comment',
          ticketId: 'tickets.audit.ticket',
        },
      },
      merge: (m, fromId, toId) => this.repo.moveSurveys(m, fromId, toId),
    });
  }

  /** The customer's tickets as `viewer` may see them, newest arrival first. */
  async timelineOf(rows: TimelineTicketRow[], page: TimelinePage): Promise<TimelineItem[]> {
    const shown = await this.seenBy(rows, page);
    const locale: Locale = page.viewer?.locale ?? 'zh-CN';
    return shown.map((r) => ({
      at: r.receivedAt,
      kind: 'ticket',
      labelKey: `tickets.timeline.${r.type}`,
      by: null,
      counterpart: r.requesterUnconfirmed
        ? translate(locale, 'tickets.timeline.unconfirmed', { name: r.requesterName })
        : r.requesterName,
      text: ticketLine(locale, r),
      promise: null,
      nextAction: null,
      nextAt: null,
      url: `/tickets/${r.id}`,
    }));
  }

  /**
   * How many of the customer's tickets the viewer sees are open, and how its surveys of the past year
   * rated the service; none when the viewer sees no ticket of it.
   */
  async figuresOf(rows: TimelineTicketRow[], page: TimelinePage): Promise<SummaryFigure[]> {
    const shown = await this.seenBy(rows, page);
    if (!shown.length || !page.viewer) return [];
    const open = shown.filter((r) => (OPEN_TICKET_STATUSES as readonly string[]).includes(r.status)).length;
    const rated = shown.flatMap((r) => (r.csat === null ? [] : [r.csat]));
    const locale = page.viewer.locale;
    return [
      {
        labelKey: 'tickets.summary_open',
        value: String(open),
        detail: rated.length
          ? translate(locale, 'tickets.summary_csat', {
              score: (rated.reduce((a, b) => a + b, 0) / rated.length).toFixed(1),
              count: rated.length,
            })
          : translate(locale, 'tickets.summary_no_surveys'),
      },
    ];
  }

  /**
   * The tickets `viewer` may see: a sales rep those of their customers (the page's owner), a manager
   * those of their teams' customers besides their teams' own.
   */
  private async seenBy(
    rows: TimelineTicketRow[],
    { viewer, ownerId }: TimelinePage,
  ): Promise<TimelineTicketRow[]> {
    if (!viewer) return rows;
    const ownerTeamId =
      ownerId === null ? null : ((await this.users.teamIdsOf([ownerId])).get(ownerId) ?? null);
    return rows.filter((r) =>
      this.policy.can(viewer, 'view', { ...r, customerOwnerId: ownerId, customerOwnerTeamId: ownerTeamId }),
    );
  }

  /** A leaving agent's open tickets back to their teams' queues, audited, their managers told. */
  private async returnToTeam(m: EntityManager, userId: number, actor: SessionUser): Promise<void> {
    const returned = await this.repo.returnToTeam(m, userId);
    const teams = new Map(
      (
        await this.users.teamsWithManagers(
          returned.flatMap((t) => (t.teamId === null ? [] : [t.teamId])),
          m,
        )
      ).map((tm) => [tm.id, tm]),
    );
    for (const t of returned)
      await this.audit.record(
        {
          actor,
          action: 'return_to_team',
          entity: 'ticket',
          entityId: t.id,
          diff: { assigneeId: { from: userId, to: null } },
        },
        m,
      );
    const perManager = new Map<number, { count: number; team: string }>();
    for (const t of returned) {
      const team = t.teamId === null ? undefined : teams.get(t.teamId);
      if (!team || team.managerId === null || team.managerId === userId) continue;
      const seen = perManager.get(team.managerId);
      perManager.set(team.managerId, { count: (seen?.count ?? 0) + 1, team: seen?.team ?? team.name });
    }
    for (const [managerId, { count, team }] of perManager)
      await this.notifications.notify(
        managerId,
        'tickets_returned',
        { count, team },
        '/tickets?queue=unassigned',
        m,
      );
  }
}

/** "T-000123 发票抬头错了 · 已解决 · 满意度 2/5 · 费力度 6/7 · “comment”" in the viewer's language. */
export function ticketLine(locale: Locale, r: TimelineTicketRow): string {
  const parts = [`${r.number} ${r.subject}`, translate(locale, `tickets.status.${r.status}`)];
  if (r.csat !== null) parts.push(translate(locale, 'tickets.timeline.csat', { score: r.csat }));
  if (r.ces !== null) parts.push(translate(locale, 'tickets.timeline.ces', { score: r.ces }));
  if (r.surveyComment) parts.push(`“${r.surveyComment}”`);
  return parts.join(' · ');
}
