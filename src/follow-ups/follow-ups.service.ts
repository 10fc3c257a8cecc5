import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import {
  at,
  CustomerLifecycles,
  type TimelineItem,
  type TimelinePage,
  timelineSource,
} from '../common/customer-lifecycle.js';
import { editedVersion, NotAllowed, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { localDay, parseLocalDateTime, toLocalInput } from '../common/time.js';
import { ContactsService } from '../customers/contacts.service.js';
import {
  type CustomerNextStep,
  type CustomerView,
  CustomersService,
} from '../customers/customers.service.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../users/users.service.js';
import { afterIdOf, type ApiPage, cursorAfter } from '../common/api/api-page.js';
import type { FollowUpApiQuery } from './dto/follow-up-api.dto.js';
import type { FollowUpDto, FollowUpEditDto, FollowUpFieldsDto } from './dto/follow-up.dto.js';
import { type FollowUpResource, toFollowUpResource } from './follow-up.resource.js';
import type { FollowUp, FollowUpMethod } from './follow-up.entity.js';
import { FollowUpPolicy } from './follow-up.policy.js';
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
  /** A manager's team view: each of their reps with overdue follow-ups, most overdue first. */
  team: { ownerId: number; ownerName: string; overdue: DueFollowUp[]; more: number }[];
}

/** The team view shows this many overdue items per rep (with how many more). */
const TEAM_LIST = 10;

/** A follow-up as its edit form shows it: times in the user's zone, as the form's inputs take them. */
export interface FollowUpView {
  id: number;
  customerId: number;
  version: number;
  values: {
    customerId: number;
    contactId: number | null;
    method: FollowUpMethod;
    happenedAt: string;
    summary: string;
    promises: string | null;
    nextAction: string | null;
    nextFollowUpAt: string | null;
    location: string | null;
    version: number;
  };
}

export function toFollowUpView(f: FollowUp, timezone: string): FollowUpView {
  return {
    id: f.id,
    customerId: f.customerId,
    version: f.version,
    values: {
      customerId: f.customerId,
      contactId: f.contactId,
      method: f.method,
      happenedAt: toLocalInput(f.happenedAt, timezone),
      summary: f.summary,
      promises: f.promises,
      nextAction: f.nextAction,
      nextFollowUpAt: f.nextFollowUpAt ? toLocalInput(f.nextFollowUpAt, timezone) : null,
      location: f.location,
      version: f.version,
    },
  };
}

/** My day lists this many at most of each kind: a long overdue list must not push today's off the page. */
const MY_DAY_LIST = 100;

/** The morning digest lists this many overdue next steps (with how many there are in all). */
const DIGEST_LIST = 20;

const toDue = (s: CustomerNextStep): DueFollowUp => ({
  customerId: s.customerId,
  customerName: s.customerName,
  nextAction: s.nextStep,
  nextFollowUpAt: s.nextStepAt,
});

/** The day `n` days after `day` (YYYY-MM-DD). */
const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The first instant of `day` (YYYY-MM-DD) in `zone`: a time is on an earlier day there exactly when before it. */
const startOfDay = (day: string, zone: string): Date => parseLocalDateTime(day, zone)!;

const AUDITED: Extract<keyof FollowUp, string>[] = [
  'customerId',
  'opportunityId',
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
/** A follow-up as the customer's timeline reads it (timestamps as ISO text). */
interface TimelineFollowUpRow {
  id: number;
  happenedAt: string;
  method: string;
  authorId: number;
  contactId: number | null;
  summary: string;
  promises: string | null;
  nextAction: string | null;
  nextFollowUpAt: string | null;
  location: string | null;
  createdAt: string;
}

@Injectable()
export class FollowUpsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: FollowUpsRepository,
    private readonly policy: FollowUpPolicy,
    private readonly customers: CustomersService,
    private readonly contacts: ContactsService,
    private readonly users: UsersService,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
    private readonly opportunities: OpportunitiesService,
  ) {}

  onModuleInit(): void {
    this.webhooks.declare('follow_up.created');
    this.lifecycles.register({
      entity: 'follow_up',
      audit: {
        fields: {
          method: 'follow_up.method_label',
          happenedAt: 'follow_up.happened_at',
          contactId: 'follow_up.contact',
          opportunityId: 'follow_up.opportunity',
          summary: 'follow_up.summary',
          promises: 'follow_up.promises',
          nextAction: 'follow_up.next_action',
          nextFollowUpAt: 'follow_up.next_at',
          location: 'follow_up.location',
        },
        values: { method: 'follow_up.method.' },
      },
      timeline: timelineSource(this.repo.timelineSql, (rows: TimelineFollowUpRow[], page) =>
        this.timelineOf(rows, page),
      ),
      merge: async (m, fromId, toId) => {
        const moved = await this.repo.moveToCustomer(m, fromId, toId);
        // The survivor's next step is now the one its latest follow-up, from either side, set.
        await this.followLatest(m, toId, { lastInteraction: false });
        await this.followLatest(m, fromId, { lastInteraction: false });
        return moved;
      },
    });
    this.opportunities.registerActivity((id, limit) => this.dealActivityOf(id, limit));
    this.jobs.register('follow-ups.digest', () => this.sendOverdueDigests().then(() => undefined), {
      cron: '0 8 * * *',
    });
  }

  /**
   * The morning digest: every active rep with overdue follow-ups gets one mail listing them and an
   * in-app notification. Days are counted in each rep's time zone. Returns how many reps were told.
   */
  async sendOverdueDigests(): Promise<number> {
    const recipients = await this.users.activeRecipients();
    const now = new Date();
    // Overdue for each rep: due before the start of their today.
    const due = await this.customers.nextStepsBefore(
      recipients.map((u) => ({ ownerId: u.id, before: startOfDay(localDay(now, u.timezone), u.timezone) })),
      DIGEST_LIST,
    );
    const byUser = new Map(recipients.map((u) => [u.id, u]));
    for (const { ownerId: userId, total, steps } of due) {
      const { email, name, locale, timezone } = byUser.get(userId)!;
      const shown = steps.map((s) => ({
        id: s.customerId,
        name: s.customerName,
        nextAction: s.nextStep,
        due: s.nextStepAt,
      }));
      await this.dataSource.transaction(async (m) => {
        await this.notifications.notify(userId, 'overdue_follow_ups', { count: total }, '/', m);
        await this.mail.enqueue(
          {
            to: email,
            template: 'overdue-digest',
            locale,
            timezone,
            params: { name, count: total, more: total - shown.length },
            lists: { items: shown },
          },
          m,
        );
      });
    }
    if (due.length) await this.mail.kickQuietly();
    return due.length;
  }

  /** Logs a follow-up on a customer the user may work on; the customer's last interaction moves with it. */
  async log(user: SessionUser, dto: FollowUpDto): Promise<number> {
    const { happenedAt, nextFollowUpAt } = this.times(user, dto);
    return this.dataSource.transaction(async (m) => {
      await this.customers.assertMayChoose(user, 'log_follow_up', dto.customerId, m);
      if (dto.contactId !== null && !(await this.contacts.belongsTo(m, dto.customerId, dto.contactId)))
        throw ValidationFailed.field('contactId', 'validation.invalid');
      // The deal takes the next step of its latest follow-up, not of one logged after the fact.
      if (dto.opportunityId !== null)
        await this.opportunities.logActivity(
          m,
          user,
          dto.opportunityId,
          dto.customerId,
          happenedAt,
          (await this.repo.laterOnDeal(m, dto.opportunityId, happenedAt)) ? null : dto.nextAction,
        );
      const fields = {
        customerId: dto.customerId,
        opportunityId: dto.opportunityId,
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
      // A follow-up logged after the fact is not the latest: the latest one left sets the next step.
      await this.followLatest(m, dto.customerId, { lastInteraction: false });
      await this.webhooks.emit(m, 'follow_up.created', async () => {
        const logged = await this.repo.findIn(m, id);
        return logged && toFollowUpResource(logged);
      });
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

  /** The API's follow-ups list: those on customers the user sees, by id, a page at a time. */
  async page(user: SessionUser, query: FollowUpApiQuery, limit: number): Promise<ApiPage<FollowUpResource>> {
    const visible = await this.customers.visibleIdsQuery(user);
    const afterId = afterIdOf(query.cursor);
    const rows = await this.repo.findPage(visible, query, afterId, limit);
    const data = rows.slice(0, limit).map(toFollowUpResource);
    const next = rows.length > limit ? cursorAfter(data.at(-1)!.id) : null;
    return { data, next };
  }

  /** A follow-up on a customer the user may see, as the API answers it; 404 otherwise. */
  async resource(user: SessionUser, id: number): Promise<FollowUpResource> {
    const f = await this.repo.findLive(id);
    if (!f) throw new NotFound();
    await this.customers.getFor(user, f.customerId, 'view');
    return toFollowUpResource(f);
  }

  /**
   * A follow-up its author may still correct, with its customer (and the customer's contacts), for the
   * edit form. `check: false` builds the form shown again after a refused save, whatever refused it.
   */
  async editForm(
    user: SessionUser,
    id: number,
    check = true,
  ): Promise<{ followUp: FollowUpView; customer: CustomerView }> {
    const f = await this.repo.findLive(id);
    if (!f) throw new NotFound();
    const customer = await this.customers.getFor(user, f.customerId, 'view');
    if (check) this.policy.assert(user, 'edit', f);
    return { followUp: toFollowUpView(f, user.timezone), customer };
  }

  /** The customer a live follow-up belongs to, if the user may see it (a follow-up's own address leads there). */
  async customerOf(user: SessionUser, id: number): Promise<number> {
    const f = await this.repo.findLive(id);
    if (!f) throw new NotFound();
    return (await this.customers.getFor(user, f.customerId, 'view')).id;
  }

  /**
   * Saves its author's correction of a follow-up made on version `dto.version`, within a day of logging
   * it; a newer version refuses it. The customer and the author stay what they were. Returns the customer.
   */
  async update(user: SessionUser, id: number, dto: FollowUpEditDto): Promise<number> {
    const { happenedAt, nextFollowUpAt } = this.times(user, dto);
    return this.dataSource.transaction(async (m) => {
      const before = await this.repo.lock(m, id);
      if (!before) throw new NotFound();
      await this.customers.assertMay(user, 'view', before.customerId, m);
      this.policy.assert(user, 'edit', before);
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      if (dto.contactId !== null && !(await this.contacts.belongsTo(m, before.customerId, dto.contactId)))
        throw ValidationFailed.field('contactId', 'validation.invalid');
      const after = {
        contactId: dto.contactId,
        method: dto.method,
        happenedAt,
        summary: dto.summary,
        promises: dto.promises,
        nextAction: dto.nextAction,
        nextFollowUpAt,
        location: dto.location,
      };
      const diff = diffOf<FollowUp>(before, after, AUDITED);
      if (!Object.keys(diff).length) return before.customerId;
      await this.repo.update(m, id, after);
      await this.followLatest(m, before.customerId, { lastInteraction: true });
      await this.audit.record({ action: 'update', entity: 'follow_up', entityId: id, diff }, m);
      return before.customerId;
    });
  }

  /** Removes (softly) a follow-up its author logged within the last day. Returns the customer. */
  async remove(user: SessionUser, id: number): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const f = await this.repo.lock(m, id);
      if (!f) throw new NotFound();
      await this.customers.assertMay(user, 'view', f.customerId, m);
      this.policy.assert(user, 'delete', f);
      await this.repo.softDelete(m, id);
      await this.followLatest(m, f.customerId, { lastInteraction: true });
      const diff = { summary: { from: f.summary }, happenedAt: { from: f.happenedAt.toISOString() } };
      await this.audit.record({ action: 'delete', entity: 'follow_up', entityId: id, diff }, m);
      return f.customerId;
    });
  }

  /**
   * After a follow-up of the customer was logged, corrected, deleted or moved, in the same
   * transaction: the customer's next step becomes the one its latest live follow-up set (none when
   * none is left) and, with `lastInteraction`, its last interaction that follow-up's time.
   */
  private async followLatest(
    m: EntityManager,
    customerId: number,
    { lastInteraction }: { lastInteraction: boolean },
  ): Promise<void> {
    const latest = await this.repo.latest(m, customerId);
    if (lastInteraction) await this.customers.setLastInteraction(m, customerId, latest?.happenedAt ?? null);
    await this.customers.setNextStep(
      m,
      customerId,
      latest?.nextFollowUpAt ?? null,
      latest?.nextAction ?? null,
    );
  }

  /** The form's local times as instants, checked: a follow-up happened by now; its next step lies ahead. */
  private times(
    user: SessionUser,
    dto: FollowUpFieldsDto,
  ): { happenedAt: Date; nextFollowUpAt: Date | null } {
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
    return { happenedAt, nextFollowUpAt };
  }

  /**
   * The customer's latest follow-ups, with who logged them, whom they met and where; the ones `viewer`
   * may still correct carry their edit and delete addresses.
   */
  /** The customer's follow-ups (its timeline rows, newest first) as entries, as the viewer sees them. */
  private async timelineOf(rows: TimelineFollowUpRow[], page: TimelinePage): Promise<TimelineItem[]> {
    const { viewer, contactNames } = page;
    const authors = await this.users.namesOf(rows.map((f) => f.authorId));
    // Newest first: only the newest follow-up's next step is still open, as on "My day".
    return rows.map((f, i) => {
      const can = viewer
        ? this.policy.flags(viewer, { authorId: f.authorId, createdAt: at(f.createdAt) })
        : { edit: false, delete: false };
      return {
        at: at(f.happenedAt),
        kind: 'follow_up',
        labelKey: `follow_up.method.${f.method}`,
        by: authors.get(f.authorId) ?? null,
        counterpart: f.contactId === null ? null : (contactNames.get(f.contactId) ?? null),
        text: f.summary,
        promise: f.promises,
        nextAction: f.nextAction,
        nextAt: at(f.nextFollowUpAt, 'nullable'),
        nextDone: i > 0,
        location: f.location,
        editUrl: can.edit ? `/follow-ups/${f.id}/edit` : undefined,
        deleteUrl: can.delete ? `/follow-ups/${f.id}/delete` : undefined,
      };
    });
  }

  /** The follow-ups logged against a deal, newest first, for the deal's page. */
  private async dealActivityOf(opportunityId: number, limit: number): Promise<TimelineItem[]> {
    const rows = await this.repo.ofOpportunity(opportunityId, limit);
    const [authors, contacts] = await Promise.all([
      this.users.namesOf(rows.map((f) => f.authorId)),
      this.contacts.namesOf(rows.flatMap((f) => (f.contactId === null ? [] : [f.contactId]))),
    ]);
    return rows.map((f) => ({
      at: f.happenedAt,
      kind: 'follow_up',
      labelKey: `follow_up.method.${f.method}`,
      by: authors.get(f.authorId) ?? null,
      counterpart: f.contactId === null ? null : (contacts.get(f.contactId) ?? null),
      text: f.summary,
      promise: f.promises,
      nextAction: f.nextAction,
      nextAt: f.nextFollowUpAt,
      location: f.location,
    }));
  }

  /**
   * The user's next steps: for each live customer they own, the date set by its latest follow-up,
   * split into overdue, today and the coming week (days counted in the user's time zone).
   */
  async myDay(user: SessionUser): Promise<MyDay> {
    const today = localDay(new Date(), user.timezone);
    const edges = [0, 1, 8].map((n) => startOfDay(addDays(today, n), user.timezone));
    const [team, steps] = await Promise.all([
      this.teamOverdue(user, edges[0]),
      this.customers.nextStepsOf(user.id, edges, MY_DAY_LIST),
    ]);
    const day: MyDay = { overdue: [], today: [], upcoming: [], team };
    const buckets = [day.overdue, day.today, day.upcoming];
    for (const s of steps) buckets[s.part].push(toDue(s));
    return day;
  }

  /**
   * For a manager, their reps' next steps due before `before` (the start of the manager's today)
   * grouped by rep, reps with the most overdue first; empty for anyone who manages no team.
   */
  private async teamOverdue(user: SessionUser, before: Date): Promise<MyDay['team']> {
    const reps = await this.customers.teamOf(user);
    if (!reps.length) return [];
    const names = new Map(reps.map((r) => [r.id, r.name]));
    const due = await this.customers.nextStepsBefore(
      reps.map((r) => ({ ownerId: r.id, before })),
      TEAM_LIST,
    );
    return due
      .map(({ ownerId, total, steps }) => ({
        ownerId,
        ownerName: names.get(ownerId) ?? '',
        overdue: steps.map(toDue),
        more: total - steps.length,
      }))
      .sort(
        (a, b) =>
          b.overdue.length + b.more - (a.overdue.length + a.more) || a.ownerName.localeCompare(b.ownerName),
      );
  }

  /** May the user log follow-ups (My day's button)? */
  mayLog(user: SessionUser): boolean {
    return this.customers.mayLogFollowUps(user);
  }

  assertMayLog(user: SessionUser): void {
    if (!this.mayLog(user)) throw new NotAllowed();
  }

  /**
   * What the follow-ups hold on a person (a PIPL request): all of a person-customer's (`contactIds`
   * null), else those with one of the contacts or naming them (`pattern`). Whoever calls checks the right.
   */
  async personalDataOf(
    customerId: number,
    contactIds: number[] | null,
    pattern: string,
  ): Promise<
    {
      id: number;
      method: string;
      happenedAt: Date;
      summary: string;
      promises: string | null;
      nextAction: string | null;
      nextFollowUpAt: Date | null;
      location: string | null;
      deletedAt: Date | null;
    }[]
  > {
    const rows = await this.repo.findOfPerson(customerId, contactIds, pattern);
    return rows.map((f) => ({
      id: f.id,
      method: f.method,
      happenedAt: f.happenedAt,
      summary: f.summary,
      promises: f.promises,
      nextAction: f.nextAction,
      nextFollowUpAt: f.nextFollowUpAt,
      location: f.location,
      deletedAt: f.deletedAt,
    }));
  }

  /** Erasing a person, in the erasure's transaction: masks what names them in the customer's follow-ups. */
  async erasePerson(
    m: EntityManager,
    who: { customerId: number; pattern: string; mask: string },
  ): Promise<number> {
    if (!who.pattern) return 0;
    return this.repo.maskOfCustomer(m, who.customerId, who.pattern, who.mask);
  }
}
