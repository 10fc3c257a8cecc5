import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import { BusinessCalendarService } from '../common/calendar/business-calendar.service.js';
import type { BusinessCalendar } from '../common/calendar/business-time.js';
import { CustomersService } from '../customers/customers.service.js';
import { toLocalInput } from '../common/time.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { translate } from '../i18n/i18n.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../users/users.service.js';
import { changeTargets, type SlaClock, type SlaPolicyRow, targetsFor, warningsDue } from './sla-clock.js';
import type { Ticket } from './ticket.entity.js';
import { raisedPriority } from './ticket.options.js';
import { TicketNotices } from './ticket-notices.js';
import { TicketSettings } from './ticket-settings.js';
import { TicketsRepository } from './tickets.repository.js';

export const SLA_WATCH_JOB = 'tickets.sla-watch';
export const AUTO_CLOSE_JOB = 'tickets.auto-close';

/** The clock's fields of a ticket row. */
export const clockOf = (t: Ticket): SlaClock => ({
  status: t.status,
  receivedAt: t.receivedAt,
  firstResponseTargetMinutes: t.firstResponseTargetMinutes,
  resolutionTargetMinutes: t.resolutionTargetMinutes,
  firstResponseDueAt: t.firstResponseDueAt,
  resolutionDueAt: t.resolutionDueAt,
  firstResponseWarningDueAt: t.firstResponseWarningDueAt,
  resolutionWarningDueAt: t.resolutionWarningDueAt,
  dueAt: t.dueAt,
  pausedAt: t.pausedAt,
  pausedMinutes: t.pausedMinutes,
  firstRespondedAt: t.firstRespondedAt,
  firstResponseMinutes: t.firstResponseMinutes,
  resolvedAt: t.resolvedAt,
  resolutionMinutes: t.resolutionMinutes,
});

/**
 * The tickets' jobs: the SLA watch every minute (warnings at 80%, breaches, escalation) and the
 * hourly close of tickets resolved longer ago than the setting. Each runs once at a time across
 * instances (singleton), and each warning or breach is marked in the statement that picks it.
 */
@Injectable()
export class SlaWatch implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: TicketsRepository,
    private readonly calendar: BusinessCalendarService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
    private readonly notices: TicketNotices,
    private readonly ticketSettings: TicketSettings,
    private readonly jobs: JobsService,
    private readonly customers: CustomersService,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(SLA_WATCH_JOB, () => this.watch().then(() => undefined), {
      cron: '* * * * *',
      singleton: true,
    });
    this.jobs.register(AUTO_CLOSE_JOB, () => this.closeResolved().then(() => undefined), {
      cron: '20 * * * *',
      singleton: true,
    });
  }

  /** Closes tickets resolved longer ago than the setting's days (default 7); answers how many. */
  async closeResolved(): Promise<number> {
    const ids = await this.repo.closeResolvedBefore(await this.ticketSettings.autoCloseDays());
    for (const id of ids)
      await this.audit.record({
        action: 'close',
        entity: 'ticket',
        entityId: id,
        diff: { status: { from: 'resolved', to: 'closed' } },
        actor: null,
      });
    return ids.length;
  }

  /**
   * The SLA watch (every minute, once across instances): breaches first (a first-response breach
   * raises the priority one level and alerts the team manager), then the 80% warnings whose instant
   * has come. Each warning and breach is marked in the statement that picks it, so it is told once, to
   * the assignee and the team's manager, in-app and by mail. Answers how many were told.
   */
  async watch(now: Date = new Date()): Promise<{ warnings: number; breaches: number }> {
    await this.placeWarnings();
    let breaches = 0;
    let warnings = 0;
    await this.dataSource.transaction(async (m) => {
      const firstResponseBreaches = await this.repo.markFirstResponseBreaches(m, now);
      if (firstResponseBreaches.length) {
        const calendar = await this.calendar.calendar();
        const policies = await this.repo.policies(m);
        for (const id of firstResponseBreaches) {
          const t = await this.repo.lock(m, id);
          if (!t) continue;
          const escalated = await this.escalate(m, t, policies, calendar);
          await this.alert(m, (await this.repo.findLive(id, m))!, 'first_response', 'breached', escalated);
          breaches++;
        }
      }
      for (const id of await this.repo.markResolutionBreaches(m, now)) {
        await this.alert(m, (await this.repo.findLive(id, m))!, 'resolution', 'breached');
        breaches++;
      }
      for (const id of await this.repo.markFirstResponseWarnings(m, now)) {
        await this.alert(m, (await this.repo.findLive(id, m))!, 'first_response', 'warning');
        warnings++;
      }
      for (const id of await this.repo.markResolutionWarnings(m, now)) {
        await this.alert(m, (await this.repo.findLive(id, m))!, 'resolution', 'warning');
        warnings++;
      }
    });
    if (warnings || breaches) await this.mail.kickQuietly();
    return { warnings, breaches };
  }

  /**
   * Works out the warning instants of running tickets that have none yet (written before they were
   * kept, or by hand), a batch a run; every change to a clock sets its own.
   */
  private async placeWarnings(): Promise<void> {
    const unplaced = await this.repo.unplacedWarnings(5000);
    if (!unplaced.length) return;
    const calendar = await this.calendar.calendar();
    await this.repo.placeWarnings(unplaced.map((t) => ({ id: t.id, ...warningsDue(t, calendar) })));
  }

  /** A first-response breach: one priority level up (targets from arrival again), in the history; false when already urgent. */
  private async escalate(
    m: EntityManager,
    t: Ticket,
    policies: SlaPolicyRow[],
    calendar: BusinessCalendar,
  ): Promise<boolean> {
    const priority = raisedPriority(t.priority);
    if (priority === t.priority) return false;
    const facts = (await this.customers.factsOf([t.customerId], m)).get(t.customerId);
    const clock = changeTargets(clockOf(t), targetsFor(policies, priority, facts?.tier ?? null), calendar);
    await this.repo.update(m, t.id, { ...clock, priority });
    await this.audit.record(
      {
        action: 'escalate',
        entity: 'ticket',
        entityId: t.id,
        diff: { priority: { from: t.priority, to: priority } },
        actor: null,
      },
      m,
    );
    return true;
  }

  /** Tells the assignee and the team's manager of a warning or breach (in-app and mail) and emits the event. */
  private async alert(
    m: EntityManager,
    t: Ticket,
    target: 'first_response' | 'resolution',
    kind: 'warning' | 'breached',
    escalated = false,
  ): Promise<void> {
    const managerId = t.teamId === null ? null : await this.users.teamManagerId(t.teamId, m);
    const to = [t.assigneeId, managerId].filter((x): x is number => x !== null);
    const due = target === 'first_response' ? t.firstResponseDueAt : t.resolutionDueAt;
    await this.audit.record(
      {
        action: kind === 'warning' ? 'sla_warning' : 'sla_breach',
        entity: 'ticket',
        entityId: t.id,
        diff: { target: { to: target } },
        actor: null,
      },
      m,
    );
    await this.notices.tell(
      m,
      t,
      [...new Set(to)],
      `ticket_${target}_${kind}`,
      { targetKey: `tickets.sla.${target}`, due: due.toISOString() },
      `ticket-sla-${kind}`,
    );
    if (escalated && managerId !== null)
      await this.notices.tell(
        m,
        t,
        [managerId],
        'ticket_escalated',
        { priorityKey: `tickets.priority.${t.priority}` },
        'ticket-escalated',
      );
    if (kind === 'breached') await this.breachToRobots(m, t, target, due);
    await this.webhooks.emit(m, `sla.${kind === 'warning' ? 'warning' : 'breached'}`, async () => ({
      target,
      dueAt: due.toISOString(),
      ticket: await this.notices.payload(m, t.id),
    }));
  }

  /** A breach told to the company's group robots (when one is set and takes SLA breaches). */
  private async breachToRobots(
    m: EntityManager,
    t: Ticket,
    target: 'first_response' | 'resolution',
    due: Date,
  ): Promise<void> {
    if (!(await this.notifications.robotsTake('sla_breach'))) return;
    const locale = await this.notifications.robotLocale();
    const customer = (await this.customers.namesOf([t.customerId])).get(t.customerId) ?? '';
    const assignee =
      t.assigneeId === null ? null : (await this.users.everyone()).find((u) => u.id === t.assigneeId);
    await this.notifications.toRobots(
      'sla_breach',
      {
        title: { key: 'robots.msg.sla_breach_title', params: { number: t.number } },
        lines: [
          {
            key: 'robots.msg.sla_breach_line',
            params: {
              subject: t.subject,
              customer,
              target: translate(locale, `tickets.sla.${target}`),
              due: toLocalInput(due, this.config.defaultTimezone).replace('T', ' '),
            },
          },
          ...(assignee
            ? [{ key: 'robots.msg.sla_breach_assignee', params: { assignee: assignee.name } }]
            : []),
        ],
        link: `/tickets/${t.id}`,
      },
      m,
    );
  }
}
