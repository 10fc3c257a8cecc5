import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import type { Locale } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { ValidationFailed } from '../common/errors.js';
import { parseLocalDateTime } from '../common/time.js';
import { Contact } from '../customers/contact.entity.js';
import { CustomersService } from '../customers/customers.service.js';
import { CustomerMergeSteps } from '../customers/merge.js';
import { CustomerTimeline, type TimelineItem } from '../customers/timeline.js';
import type { FollowUpDto } from './dto/follow-up.dto.js';
import { FollowUp, type FollowUpMethod } from './follow-up.entity.js';

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
    private readonly customers: CustomersService,
    private readonly timeline: CustomerTimeline,
    private readonly mergeSteps: CustomerMergeSteps,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
  ) {}

  onModuleInit(): void {
    this.timeline.register((customerId) => this.timelineOf(customerId));
    this.mergeSteps.register('follow_ups', async (m, fromId, toId) => {
      const [, moved] = await m.query<[unknown[], number]>(
        'UPDATE follow_up SET customer_id = $2 WHERE customer_id = $1',
        [fromId, toId],
      );
      return moved;
    });
    this.jobs.register('follow-ups.digest', () => this.sendOverdueDigests().then(() => undefined), {
      cron: '0 8 * * *',
    });
  }

  /**
   * The morning digest: every rep with overdue follow-ups gets one mail listing them and an in-app
   * notification. Days are counted in each rep's time zone. Returns how many reps were told.
   */
  async sendOverdueDigests(): Promise<number> {
    const rows = await this.dataSource.query<
      {
        user_id: number;
        email: string;
        name: string;
        locale: Locale;
        timezone: string;
        customer_id: number;
        customer_name: string;
        next_action: string | null;
        next_follow_up_at: Date;
      }[]
    >(
      `WITH latest AS (
         SELECT DISTINCT ON (f.customer_id) f.customer_id, f.next_action, f.next_follow_up_at
           FROM follow_up f WHERE f.deleted_at IS NULL ORDER BY f.customer_id, f.happened_at DESC)
       SELECT u.id AS user_id, u.email, u.name, u.locale, u.timezone, c.id AS customer_id, c.name AS customer_name, l.next_action, l.next_follow_up_at
         FROM latest l
         JOIN customer c ON c.id = l.customer_id AND c.deleted_at IS NULL
         JOIN app_user u ON u.id = c.owner_id AND u.active
        WHERE (l.next_follow_up_at AT TIME ZONE u.timezone)::date < (now() AT TIME ZONE u.timezone)::date
        ORDER BY u.id, l.next_follow_up_at`,
    );
    const byUser = new Map<number, typeof rows>();
    for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
    for (const [userId, items] of byUser) {
      const { email, name, locale, timezone } = items[0];
      const shown = items.slice(0, 20).map((i) => ({
        id: i.customer_id,
        name: i.customer_name,
        nextAction: i.next_action,
        due: i.next_follow_up_at,
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
      await this.customers.assertEditable(user, dto.customerId, m);
      if (
        dto.contactId !== null &&
        !(await m.existsBy(Contact, { id: dto.contactId, customerId: dto.customerId }))
      ) {
        throw ValidationFailed.field('contactId', 'validation.invalid');
      }
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
      const { identifiers } = await m.insert(FollowUp, fields);
      const id = identifiers[0].id as number;
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

  /** The customer's latest 100 follow-ups, with who logged them and whom they met, in one query. */
  private async timelineOf(customerId: number): Promise<TimelineItem[]> {
    const rows = await this.dataSource.query<
      {
        happened_at: Date;
        method: FollowUpMethod;
        author_name: string;
        contact_name: string | null;
        summary: string;
        promises: string | null;
        next_action: string | null;
        next_follow_up_at: Date | null;
      }[]
    >(
      `SELECT f.happened_at, f.method, a.name AS author_name, ct.name AS contact_name, f.summary, f.promises,
              f.next_action, f.next_follow_up_at
         FROM follow_up f
         JOIN app_user a ON a.id = f.author_id
         LEFT JOIN contact ct ON ct.id = f.contact_id AND ct.deleted_at IS NULL
        WHERE f.customer_id = $1 AND f.deleted_at IS NULL
        ORDER BY f.happened_at DESC, f.id DESC
        LIMIT 100`,
      [customerId],
    );
    // Newest first: only the newest follow-up's next step is still open, as on "My day".
    return rows.map((f, i) => ({
      at: f.happened_at,
      kind: 'follow_up',
      labelKey: `follow_up.method.${f.method}`,
      by: f.author_name,
      counterpart: f.contact_name,
      text: f.summary,
      promise: f.promises,
      nextAction: f.next_action,
      nextAt: f.next_follow_up_at,
      nextDone: i > 0,
    }));
  }

  /**
   * The user's next steps: for each live customer they own, the date set by its latest follow-up,
   * split into overdue, today and the coming week (days counted in the user's time zone).
   */
  async myDay(user: SessionUser): Promise<MyDay> {
    const rows = await this.dataSource.query<
      {
        customer_id: number;
        customer_name: string;
        next_action: string | null;
        next_follow_up_at: Date;
        bucket: keyof MyDay;
      }[]
    >(
      `WITH latest AS (
         SELECT DISTINCT ON (f.customer_id) f.customer_id, f.next_action, f.next_follow_up_at
           FROM follow_up f
          WHERE f.deleted_at IS NULL
            AND f.customer_id IN (SELECT id FROM customer WHERE owner_id = $1 AND deleted_at IS NULL)
          ORDER BY f.customer_id, f.happened_at DESC)
       , due AS (
         SELECT l.customer_id, c.name AS customer_name, l.next_action, l.next_follow_up_at,
                CASE WHEN (l.next_follow_up_at AT TIME ZONE $2)::date < (now() AT TIME ZONE $2)::date THEN 'overdue'
                     WHEN (l.next_follow_up_at AT TIME ZONE $2)::date = (now() AT TIME ZONE $2)::date THEN 'today'
                     ELSE 'upcoming' END AS bucket
           FROM latest l JOIN customer c ON c.id = l.customer_id
          WHERE l.next_follow_up_at IS NOT NULL
            AND (l.next_follow_up_at AT TIME ZONE $2)::date <= (now() AT TIME ZONE $2)::date + 7)
       -- At most 100 a list: a long overdue list must not push today's off the page.
       SELECT * FROM (SELECT due.*, row_number() OVER (PARTITION BY bucket ORDER BY next_follow_up_at) AS n FROM due) x
        WHERE n <= 100 ORDER BY next_follow_up_at`,
      [user.id, user.timezone],
    );
    const day: MyDay = { overdue: [], today: [], upcoming: [] };
    for (const r of rows) {
      day[r.bucket].push({
        customerId: r.customer_id,
        customerName: r.customer_name,
        nextAction: r.next_action,
        nextFollowUpAt: r.next_follow_up_at,
      });
    }
    return day;
  }
}
