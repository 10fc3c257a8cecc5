import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import { CustomerLifecycles, type TimelineItem } from '../common/customer-lifecycle.js';
import { NotAllowed, ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { daysBetween, localDay, parseLocalDateTime } from '../common/time.js';
import { ContactsService } from '../customers/contacts.service.js';
import { CustomersService } from '../customers/customers.service.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UsersService } from '../users/users.service.js';
import type { FollowUpDto } from './dto/follow-up.dto.js';
import type { FollowUp } from './follow-up.entity.js';
import { FollowUpsRepository } from './follow-ups.repository.js';

export interface DueFollowUp {
  customerId: number;
  customerName: string;
  nextAction: string | null;
  nextFollowUpAt: Date;
}

export interface MyDay {
  overdue: DueFollowUp[];
  today: DueFollowUp[];
  upcoming: DueFollowUp[];
}

/** My day lists this many at most of each kind: a long overdue list must not push today's off the page. */
const MY_DAY_LIST = 100;

const AUDITED: Extract<keyof FollowUp, string>[] = [
  'customerId',
  'contactId',
  'method',
  'happenedAt',
  'summary',
  'promises',
  'nextAction',
  'nextFollowUpAt',
  'location',
];

/** Follow-ups: logging them, the customer timeline's entries, and what each rep has due. */
@Injectable()
export class FollowUpsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: FollowUpsRepository,
    private readonly customers: CustomersService,
    private readonly contacts: ContactsService,
    private readonly users: UsersService,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
  ) {}

  onModuleInit(): void {
    this.lifecycles.register({
      entity: 'follow_up',
      audit: {
        fields: {
          method: 'follow_up.method_label',
          happenedAt: 'follow_up.happened_at',
          contactId: 'follow_up.contact',
          summary: 'follow_up.summary',
          promises: 'follow_up.promises',
          nextAction: 'follow_up.next_action',
          nextFollowUpAt: 'follow_up.next_at',
          location: 'follow_up.location',
        },
        values: { method: 'follow_up.method.' },
      },
      timeline: (customerId, limit) => this.timelineOf(customerId, limit),
      merge: (m, fromId, toId) => this.repo.moveToCustomer(m, fromId, toId),
    });
    this.jobs.register('follow-ups.digest', () => this.sendOverdueDigests().then(() => undefined), {
      cron: '0 8 * * *',
    });
  }

  /**
   * The morning digest: every active rep with overdue follow-ups gets one mail listing them and an
   * in-app notification. Days are counted in each rep's time zone. Returns how many reps were told.
   */
  async sendOverdueDigests(): Promise<number> {
    // Overdue somewhere on earth means due before the end of today in the latest zone.
    const steps = await this.repo.nextStepsDue(new Date(Date.now() + 86_400_000), null);
    const customers = new Map(
      (await this.customers.ownersOf(steps.map((s) => s.customerId))).map((c) => [c.id, c]),
    );
    const owners = new Map(
      (await this.users.recipients([...new Set([...customers.values()].map((c) => c.ownerId))])).map((u) => [
        u.id,
        u,
      ]),
    );
    const byUser = new Map<number, DueFollowUp[]>();
    for (const s of steps) {
      const customer = customers.get(s.customerId);
      const owner = customer && owners.get(customer.ownerId);
      if (!customer || !owner) continue;
      if (localDay(s.nextFollowUpAt, owner.timezone) >= localDay(new Date(), owner.timezone)) continue;
      const due = {
        customerId: s.customerId,
        customerName: customer.name,
        nextAction: s.nextAction,
        nextFollowUpAt: s.nextFollowUpAt,
      };
      byUser.set(owner.id, [...(byUser.get(owner.id) ?? []), due]);
    }
    for (const [userId, items] of byUser) {
      const { email, name, locale, timezone } = owners.get(userId)!;
      const shown = items.slice(0, 20).map((i) => ({
        id: i.customerId,
        name: i.customerName,
        nextAction: i.nextAction,
        due: i.nextFollowUpAt,
      }));
      await this.dataSource.transaction(async (m) => {
        await this.notifications.notify(userId, 'overdue_follow_ups', { count: items.length }, '/', m);
        await this.mail.enqueue(
          {
            to: email,
            template: 'overdue-digest',
            locale,
            timezone,
            params: { name, count: items.length, more: items.length - shown.length },
            lists: { items: shown },
          },
          m,
        );
      });
    }
    if (byUser.size) await this.mail.kickQuietly();
    return byUser.size;
  }

  /** Logs a follow-up on a customer the user may work on; the customer's last interaction moves with it. */
  async log(user: SessionUser, dto: FollowUpDto): Promise<number> {
    const happenedAt = parseLocalDateTime(dto.happenedAt, user.timezone);
    const nextFollowUpAt = dto.nextFollowUpAt ? parseLocalDateTime(dto.nextFollowUpAt, user.timezone) : null;
    if (!happenedAt) throw ValidationFailed.field('happenedAt', 'validation.isDateTime');
    if (dto.nextFollowUpAt && !nextFollowUpAt)
      throw ValidationFailed.field('nextFollowUpAt', 'validation.isDateTime');
    // Five minutes' grace either way for a clock or a form filled in slowly.
    if (happenedAt.getTime() > Date.now() + 5 * 60_000)
      throw ValidationFailed.field('happenedAt', 'follow_up.in_future');
    if (nextFollowUpAt && nextFollowUpAt.getTime() < Date.now() - 5 * 60_000)
      throw ValidationFailed.field('nextFollowUpAt', 'follow_up.next_in_past');
    return this.dataSource.transaction(async (m) => {
      await this.customers.assertMay(user, 'log_follow_up', dto.customerId, m);
      if (dto.contactId !== null && !(await this.contacts.belongsTo(m, dto.customerId, dto.contactId)))
        throw ValidationFailed.field('contactId', 'validation.invalid');
      const fields = {
        customerId: dto.customerId,
        contactId: dto.contactId,
        authorId: user.id,
        method: dto.method,
        happenedAt,
        summary: dto.summary,
        promises: dto.promises,
        nextAction: dto.nextAction,
        nextFollowUpAt,
        location: dto.location,
      };
      const id = await this.repo.insert(m, fields);
      await this.customers.touch(m, dto.customerId, happenedAt);
      await this.audit.record(
        {
          action: 'create',
          entity: 'follow_up',
          entityId: id,
          diff: diffOf<FollowUp>(null, fields, AUDITED),
        },
        m,
      );
      return id;
    });
  }

  /** The customer's latest follow-ups, with who logged them and whom they met. */
  private async timelineOf(customerId: number, limit: number): Promise<TimelineItem[]> {
    const rows = await this.repo.latestOf(customerId, limit);
    const [authors, contacts] = await Promise.all([
      this.users.namesOf(rows.map((f) => f.authorId)),
      this.contacts.namesOf(rows.flatMap((f) => (f.contactId === null ? [] : [f.contactId]))),
    ]);
    // Newest first: only the newest follow-up's next step is still open, as on "My day".
    return rows.map((f, i) => ({
      at: f.happenedAt,
      kind: 'follow_up',
      labelKey: `follow_up.method.${f.method}`,
      by: authors.get(f.authorId) ?? null,
      counterpart: f.contactId === null ? null : (contacts.get(f.contactId) ?? null),
      text: f.summary,
      promise: f.promises,
      nextAction: f.nextAction,
      nextAt: f.nextFollowUpAt,
      nextDone: i > 0,
    }));
  }

  /**
   * The user's next steps: for each live customer they own, the date set by its latest follow-up,
   * split into overdue, today and the coming week (days counted in the user's time zone).
   */
  async myDay(user: SessionUser): Promise<MyDay> {
    const owned = await this.customers.idsOwnedBy(user.id);
    const day: MyDay = { overdue: [], today: [], upcoming: [] };
    if (!owned.length) return day;
    const steps = await this.repo.nextStepsDue(new Date(Date.now() + 9 * 86_400_000), owned);
    const names = await this.customers.namesOf(steps.map((s) => s.customerId));
    const today = localDay(new Date(), user.timezone);
    for (const s of steps) {
      const days = daysBetween(today, localDay(s.nextFollowUpAt, user.timezone));
      if (days > 7) continue;
      const bucket = days < 0 ? day.overdue : days === 0 ? day.today : day.upcoming;
      if (bucket.length >= MY_DAY_LIST) continue;
      bucket.push({
        customerId: s.customerId,
        customerName: names.get(s.customerId) ?? '',
        nextAction: s.nextAction,
        nextFollowUpAt: s.nextFollowUpAt,
      });
    }
    return day;
  }

  /** May the user log follow-ups (My day's button)? */
  mayLog(user: SessionUser): boolean {
    return this.customers.mayLogFollowUps(user);
  }

  assertMayLog(user: SessionUser): void {
    if (!this.mayLog(user)) throw new NotAllowed();
  }
}
