import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ContractsService } from '../contracts/contracts.service.js';
import { CustomerCareService, type MailableContactRow } from '../customers/customer-care.service.js';
import { at, CustomerLifecycles, timelineSource } from '../common/customer-lifecycle.js';
import type { RuleFiring } from './rule-firing.entity.js';
import type { Locale } from '../common/roles.js';
import { CompanySettings } from '../common/settings/company.js';
import { SettingsSections } from '../common/settings/settings-sections.js';
import { SettingsService } from '../common/settings/settings.service.js';
import { localDay, monthName } from '../common/time.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DashboardService } from '../dashboard/dashboard.service.js';
import type { KpiKey, KpiValues, Period } from '../dashboard/dashboard.types.js';
import { translate } from '../i18n/i18n.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { TicketsService } from '../tickets/tickets.service.js';
import { UsersService } from '../users/users.service.js';
import { JobsService } from '../automation/jobs.service.js';
import { TasksService } from '../automation/tasks.service.js';
import { RuleSettingsDto } from './dto/rule-settings.dto.js';
import {
  fillGreeting,
  greetingTemplate,
  HOLIDAYS,
  RULE_DEFAULTS,
  RULE_SETTINGS_KEY,
  type RuleSettings,
} from './rule-settings.js';
import { RULE_AUDIT_FIELDS, ruleAuditValue } from './rule-audit.js';
import { type NewFiring, RulesRepository } from './rules.repository.js';

/** The rules' jobs, by name: each runs once at a time across instances, and each firing once. */
export const RULE_JOBS = {
  vipIdle: 'rules.vip-idle',
  lowCsat: 'rules.low-csat',
  contractSurvey: 'rules.contract-survey',
  nps: 'rules.nps',
  greetings: 'rules.greetings',
  thresholds: 'rules.thresholds',
  digest: 'rules.digest',
} as const;

/** The KPIs the weekly digest sends, in its order. */
export const DIGEST_KPIS: KpiKey[] = [
  'new_customers',
  'follow_ups',
  'won_deals',
  'signed_amount',
  'collected_amount',
  'tickets',
  'sla_attainment',
  'complaint_rate',
  'csat',
  'nps',
];

/** A low score is acted on when answered within this many days (older ones were before the rule). */
const LOW_SCORE_LOOKBACK_DAYS = 30;
/** A completed contract is surveyed up to this many days after its due day (a server down that day). */
const CONTRACT_SURVEY_GRACE_DAYS = 30;
/** A care task is due this many days after the rule made it. */
const CARE_TASK_DAYS = 3;
const DAY = 86_400_000;

interface Person {
  id: number;
  name: string;
  email: string;
  locale: Locale;
  timezone: string;
  active: boolean;
  role: string;
}

/** One figure a threshold alert judges, for one manager's team. */
interface ThresholdCheck {
  key: 'complaint_rate' | 'sla_attainment';
  value: number | null;
  was: number | null;
  /** The tickets it is judged on this month so far, and in the same days of the month before. */
  tickets: number;
  ticketsBefore: number;
  crosses: (value: number) => boolean;
  level: { kind: 'above' | 'below'; percent: number };
  jumped: (value: number, was: number) => boolean;
}

/** A calendar day moved by `n` days. */
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/**
 * The automation rules (issue: the rules that act on the dashboard): each a scheduled job that looks
 * at the facts and fires once per rule, subject and period. A firing is a row of rule_firing inserted
 * in the same transaction as what it does (a task, an in-app alert, mail in the outbox, a survey, the
 * audit entry), so a rerun or a second app instance running the same job finds the row and does
 * nothing. Mail to a customer's contact honours the contact's opt-out, checked in that transaction,
 * and carries the unsubscribe link. Firings about a customer show on its 360° timeline.
 */
@Injectable()
export class RulesService implements OnModuleInit {
  private readonly logger = new Logger(RulesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RulesRepository,
    private readonly jobs: JobsService,
    private readonly tasks: TasksService,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
    private readonly company: CompanySettings,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly notifications: NotificationsService,
    private readonly users: UsersService,
    private readonly care: CustomerCareService,
    private readonly tickets: TicketsService,
    private readonly contracts: ContractsService,
    private readonly dashboard: DashboardService,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      key: RULE_SETTINGS_KEY,
      titleKey: 'rules.settings.title',
      helpKey: 'rules.settings.help',
      partial: 'settings-rules',
      defaults: RULE_DEFAULTS,
      dto: RuleSettingsDto,
    });
    const every = (name: string, cron: string, run: () => Promise<number>) =>
      this.jobs.register(name, () => run().then(() => undefined), {
        cron,
        singleton: true,
      });
    for (const kind of ['above', 'below', 'jump'])
      this.notifications.readParams(`rule_threshold_${kind}`, (locale, params, createdAt) =>
        this.thresholdText(locale, params, createdAt),
      );
    every(RULE_JOBS.vipIdle, '0 8 * * *', () => this.vipIdle());
    every(RULE_JOBS.lowCsat, '*/10 * * * *', () => this.lowCsat());
    every(RULE_JOBS.contractSurvey, '0 * * * *', () => this.contractSurveys());
    // The first week of each quarter: a contact missed on the 1st (no e-mail yet) is asked that week.
    every(RULE_JOBS.nps, '0 9 1-7 1,4,7,10 *', () => this.npsSurveys());
    every(RULE_JOBS.greetings, '0 9 * * *', () => this.greetings());
    every(RULE_JOBS.thresholds, '15 * * * *', () => this.thresholds());
    every(RULE_JOBS.digest, '0 8 * * 1', () => this.digest());
    this.lifecycles.register({
      entity: 'rule_firing',
      audit: { fields: {} },
      // A firing is recorded against its customer, its manager or the company: labelled by its action.
      auditActions: [
        {
          action: 'rule_fired',
          fields: RULE_AUDIT_FIELDS,
          value: (locale, field, value, entry) =>
            ruleAuditValue(
              locale,
              field,
              value,
              entry,
              (kpi, v) => this.dashboard.formatted(locale, kpi, v).value,
            ),
        },
      ],
      timeline: timelineSource(
        this.repo.timelineSql,
        (rows: (Pick<RuleFiring, 'rule' | 'details'> & { firedAt: string })[]) =>
          rows.map((f) => ({
            at: at(f.firedAt),
            kind: 'rule',
            labelKey: `rules.timeline.${f.rule}`,
            by: null,
            counterpart: typeof f.details.contact === 'string' ? f.details.contact : null,
            text: typeof f.details.note === 'string' ? f.details.note : null,
            promise: null,
            nextAction: null,
            nextAt: null,
          })),
      ),
      merge: (m, from, to) => this.repo.moveCustomer(m, from, to),
    });
  }

  async ruleSettings(): Promise<RuleSettings> {
    return (await this.settings.get(RULE_SETTINGS_KEY, RULE_DEFAULTS)).value;
  }

  // ---- 1. A VIP customer nobody has been in touch with ----

  /**
   * Each owned VIP customer with no interaction for the setting's days: a care task and an in-app and
   * mail alert to its owner, once per quiet spell (the period is the day of the last interaction).
   */
  async vipIdle(now = new Date()): Promise<number> {
    const s = await this.ruleSettings();
    const idle = await this.care.idleVips(new Date(now.getTime() - s.vipIdleDays * DAY));
    const people = await this.people();
    let fired = 0;
    for (const c of idle) {
      const owner = people.get(c.ownerId);
      if (!owner?.active) continue;
      const since = c.lastInteractionAt ? localDay(c.lastInteractionAt, this.zone) : 'never';
      const done = await this.fire(
        {
          rule: 'vip_idle',
          subjectKind: 'customer',
          subjectId: c.id,
          period: since,
          customerId: c.id,
          details: { days: s.vipIdleDays, since },
        },
        async (m) => {
          await this.careTask(m, owner.id, c.id, c.name, 'task.rule.vip_idle', now);
          const params = { customer: c.name, days: s.vipIdleDays };
          await this.notifications.notify(owner.id, 'rule_vip_idle', params, `/customers/${c.id}`, m);
          await this.notifications.toRobots(
            'vip_idle',
            {
              title: { key: 'robots.msg.vip_idle_title', params: { customer: c.name } },
              lines: [
                {
                  key: 'robots.msg.vip_idle_line',
                  params: { customer: c.name, days: s.vipIdleDays, owner: owner.name },
                },
              ],
              link: `/customers/${c.id}`,
            },
            m,
          );
          await this.mail.enqueue(
            {
              to: owner.email,
              template: 'rule-vip-idle',
              locale: owner.locale,
              timezone: owner.timezone,
              params: { ...params, name: owner.name, url: `/customers/${c.id}` },
            },
            m,
          );
        },
      );
      if (done) fired++;
    }
    return this.done(fired);
  }

  // ---- 2. A low satisfaction score ----

  /**
   * Each survey answered with a score below the setting (ticket or contract): a care task to the
   * customer's owner and a mail to the owner's manager (to the active admins when the owner's team has
   * no manager), once per survey.
   */
  async lowCsat(now = new Date()): Promise<number> {
    const s = await this.ruleSettings();
    const low = await this.tickets.lowScoreSurveys(
      new Date(now.getTime() - LOW_SCORE_LOOKBACK_DAYS * DAY),
      s.lowCsatBelow,
    );
    if (!low.length) return 0;
    const customers = await this.care.ownersOf([...new Set(low.map((l) => l.customerId))]);
    const people = await this.people();
    const admins = [...people.values()]
      .filter((u) => u.active && u.role === 'admin')
      .sort((a, b) => a.id - b.id);
    let fired = 0;
    for (const survey of low) {
      const customer = customers.get(survey.customerId);
      const owner = customer?.ownerId ? people.get(customer.ownerId) : undefined;
      if (!customer || !owner?.active) continue;
      // The owner's manager reads it; when their team has none, the active admins do.
      const manager = await this.users.managerOf(owner.id);
      const readers: Pick<Person, 'name' | 'email' | 'locale' | 'timezone'>[] = manager ? [manager] : admins;
      const done = await this.fire(
        {
          rule: 'low_csat',
          subjectKind: 'survey',
          subjectId: survey.id,
          period: 'once',
          customerId: survey.customerId,
          details: { csat: survey.csat, note: survey.comment },
        },
        async (m) => {
          await this.careTask(m, owner.id, survey.customerId, customer.name, 'task.rule.low_csat', now);
          const params = { customer: customer.name, csat: survey.csat };
          await this.notifications.notify(
            owner.id,
            'rule_low_csat',
            params,
            `/customers/${survey.customerId}`,
            m,
          );
          for (const reader of readers)
            await this.mail.enqueue(
              {
                to: reader.email,
                template: 'rule-low-csat',
                locale: reader.locale,
                timezone: reader.timezone,
                params: {
                  ...params,
                  name: reader.name,
                  owner: owner.name,
                  comment: survey.comment ?? '',
                  noManager: manager ? '' : 'yes',
                  url: `/customers/${survey.customerId}`,
                },
              },
              m,
            );
        },
      );
      if (done) fired++;
    }
    return this.done(fired);
  }

  // ---- 3. The survey after a completed contract ----

  /** Each contract completed the setting's days ago: a satisfaction survey to the customer's primary contact. */
  async contractSurveys(now = new Date()): Promise<number> {
    const s = await this.ruleSettings();
    const due = new Date(now.getTime() - s.contractSurveyDays * DAY);
    const completed = await this.contracts.completedBetween(
      new Date(due.getTime() - CONTRACT_SURVEY_GRACE_DAYS * DAY),
      due,
    );
    let fired = 0;
    for (const c of completed) {
      const contact = await this.care.primaryContactOf(c.customerId);
      if (!contact) continue;
      const done = await this.surveyContact(
        { rule: 'contract_survey', subjectKind: 'contract', subjectId: c.id, period: 'once' },
        contact,
        s.contactLocale,
        { kind: 'contract', contractId: c.id, contractNumber: c.number },
        now,
      );
      if (done) fired++;
    }
    return this.done(fired);
  }

  // ---- 4. The quarterly NPS survey ----

  /**
   * The NPS question to the primary contact of every active customer, once a quarter, skipping
   * contacts sent any survey in the setting's days.
   */
  async npsSurveys(now = new Date()): Promise<number> {
    const s = await this.ruleSettings();
    const contacts = await this.care.primaryContactsOfActive();
    const recent = await this.tickets.contactsSurveyedSince(
      contacts.map((c) => c.contactId),
      new Date(now.getTime() - s.npsSkipDays * DAY),
    );
    const quarter = this.quarterOf(now);
    let fired = 0;
    for (const contact of contacts) {
      if (recent.has(contact.contactId)) continue;
      const done = await this.surveyContact(
        { rule: 'nps', subjectKind: 'contact', subjectId: contact.contactId, period: quarter },
        contact,
        s.contactLocale,
        { kind: 'nps', contractId: null, contractNumber: null },
        now,
      );
      if (done) fired++;
    }
    return this.done(fired);
  }

  // ---- 5. Birthday and holiday greetings ----

  /** Greetings to VIP customers' contacts: on their birthday, and on the holidays greeted. */
  async greetings(now = new Date()): Promise<number> {
    const s = await this.ruleSettings();
    const today = localDay(now, this.zone);
    // The company's name as its letterhead gives it, or Kehu's until the admin sets one.
    const company = {
      name: (await this.company.letterhead(s.contactLocale)).name || translate(s.contactLocale, 'app.name'),
    };
    let fired = 0;
    const greet = async (
      contact: MailableContactRow,
      kind: 'birthday' | 'holiday',
      period: string,
      holiday: string,
    ) => {
      const text = fillGreeting(greetingTemplate(s, kind, s.contactLocale), {
        'contact.name': contact.name,
        'customer.name': contact.customerName,
        'company.name': company.name,
        holiday,
      });
      const done = await this.fire(
        {
          rule: kind,
          subjectKind: 'contact',
          subjectId: contact.contactId,
          period,
          customerId: contact.customerId,
          details: { contact: contact.name, note: holiday || null },
        },
        async (m) => {
          if (await this.care.optedOut(m, contact.contactId)) return false;
          await this.mail.enqueue(
            {
              to: contact.email,
              template: kind === 'birthday' ? 'rule-birthday' : 'rule-holiday',
              locale: s.contactLocale,
              params: {
                name: contact.name,
                holiday,
                company: company.name,
                text,
                unsubscribeUrl: this.unsubscribeUrl(contact.contactId),
              },
            },
            m,
          );
        },
      );
      if (done) fired++;
    };
    for (const contact of await this.care.vipContacts(today.slice(5)))
      await greet(contact, 'birthday', today.slice(0, 4), '');
    const holiday = HOLIDAYS.find((h) => h.day === today);
    if (holiday) {
      const name = translate(s.contactLocale, `rules.holiday.${holiday.key}`);
      for (const contact of await this.care.vipContacts()) await greet(contact, 'holiday', today, name);
    }
    return this.done(fired);
  }

  // ---- 6. Threshold alerts ----

  /**
   * For each manager's team this month so far: the complaint rate above, or SLA attainment below, the
   * setting's level, or, still short of it, moving against the same days at the start of the previous
   * month (like with like, not a part-month against a whole one): the complaint rate rising by the
   * setting's percent of itself, SLA attainment falling by its points (see RuleSettings). An in-app and
   * mail alert to the manager, at most once per month for each KPI and kind of alert. A figure is judged only on the
   * setting's least number of tickets (resolved ones for SLA attainment, received ones for the
   * complaint rate), and a jump only when the days compared with had as many, so one late ticket on
   * the 1st neither alerts nor uses up the month's alert. The figures are the dashboard's own
   * (`DashboardService.kpis`), each with its definition there.
   */
  async thresholds(now = new Date()): Promise<number> {
    const s = await this.ruleSettings();
    const today = localDay(now, this.zone);
    const month = this.dashboard.period('this_month', now);
    const period = this.dashboard.period('custom', now, { from: month.from, to: today });
    // The same days of the month before (the dashboard's comparison of a month under way).
    const before = this.dashboard.previous(month, now);
    const robotLocale = await this.notifications.robotLocale();
    const jump = s.jumpPercent / 100;
    const drop = s.slaDropPoints / 100;
    let fired = 0;
    for (const manager of await this.managers()) {
      const scope = await this.dashboard.scopeOfUser(manager.id);
      const [cur, prev, resolved, resolvedBefore] = await Promise.all([
        this.dashboard.kpis(scope, period, now),
        this.dashboard.kpis(scope, before, now),
        this.dashboard.count('resolved', scope, period, now),
        this.dashboard.count('resolved', scope, before, now),
      ]);
      const checks: ThresholdCheck[] = [
        {
          key: 'complaint_rate',
          value: cur.complaint_rate,
          was: prev.complaint_rate,
          tickets: cur.tickets ?? 0,
          ticketsBefore: prev.tickets ?? 0,
          crosses: (v) => v > s.complaintRateAbove / 100,
          level: { kind: 'above', percent: s.complaintRateAbove },
          jumped: (v, was) => jump > 0 && was > 0 && v >= was * (1 + jump),
        },
        {
          key: 'sla_attainment',
          value: cur.sla_attainment,
          was: prev.sla_attainment,
          tickets: resolved,
          ticketsBefore: resolvedBefore,
          crosses: (v) => v < s.slaAttainmentBelow / 100,
          level: { kind: 'below', percent: s.slaAttainmentBelow },
          jumped: (v, was) => drop > 0 && was - v >= drop - 1e-9,
        },
      ];
      for (const c of checks) {
        if (c.value === null || c.tickets < s.alertMinTickets) continue;
        const comparable = c.was !== null && c.ticketsBefore >= s.alertMinTickets;
        const kind = c.crosses(c.value)
          ? c.level.kind
          : comparable && c.was !== null && c.jumped(c.value, c.was)
            ? 'jump'
            : null;
        if (!kind) continue;
        // Kept as keys and raw values: each reader sees them in their language (thresholdText).
        const stored: Record<string, string | number> = {
          month: month.from.slice(0, 7),
          kpi: c.key,
          value: c.value,
          level: c.level.percent,
          ...(comparable && c.was !== null ? { was: c.was } : {}),
        };
        const done = await this.fire(
          {
            rule: 'threshold',
            subjectKind: 'user',
            subjectId: manager.id,
            period: `${month.from.slice(0, 7)}:${c.key}:${kind}`,
            customerId: null,
            details: {
              kpi: c.key,
              kind,
              value: c.value,
              was: c.was,
              tickets: c.tickets,
              ticketsBefore: c.ticketsBefore,
              from: before.from,
              to: before.to,
            },
          },
          async (m) => {
            await this.notifications.notify(manager.id, `rule_threshold_${kind}`, stored, '/dashboard', m);
            const robotParams = { ...this.thresholdText(robotLocale, stored), manager: manager.name };
            await this.notifications.toRobots(
              'threshold',
              {
                title: { key: 'robots.msg.threshold_title', params: robotParams },
                lines: [{ key: `robots.msg.threshold_${kind}`, params: robotParams }],
                link: '/dashboard',
              },
              m,
            );
            await this.mail.enqueue(
              {
                to: manager.email,
                template: `rule-threshold-${kind}`,
                locale: manager.locale,
                timezone: manager.timezone,
                params: {
                  ...this.thresholdText(manager.locale, stored),
                  name: manager.name,
                  url: '/dashboard',
                },
              },
              m,
            );
          },
        );
        if (done) fired++;
      }
    }
    return this.done(fired);
  }

  /**
   * A threshold alert's stored params (the month it is about, the KPI's key, its raw fraction, the level
   * in percent) as text in `locale`: the month by its name, the KPI's label, its value and the one
   * compared with as the dashboard shows them. An alert stored without its month by an older Kehu is
   * about the month it was made in (`createdAt`, in the company's zone); params stored as text by an
   * older Kehu still are shown as they are.
   */
  thresholdText(
    locale: Locale,
    p: Record<string, string | number>,
    createdAt?: Date,
  ): Record<string, string | number> {
    const key = p.kpi;
    const month =
      typeof p.month === 'string' ? p.month : createdAt ? localDay(createdAt, this.zone).slice(0, 7) : null;
    const named: Record<string, string> = month === null ? {} : { month: monthName(locale, month) };
    if ((key !== 'complaint_rate' && key !== 'sla_attainment') || typeof p.value !== 'number')
      return { ...p, ...named };
    const was = typeof p.was === 'number' ? p.was : null;
    const shown = this.dashboard.formatted(locale, key, p.value, was);
    return {
      ...named,
      kpi: shown.label,
      value: shown.value,
      was: this.dashboard.formatted(locale, key, was).value,
      level: `${p.level}%`,
      change: shown.change,
    };
  }

  // ---- 7. The weekly digest ----

  /**
   * To each manager who has not opted out, in their language: their team's KPIs of the week just
   * ended (Monday to Sunday before `now`'s day) against the week before and the same week a month
   * (four weeks) earlier. Once per manager and week.
   */
  async digest(now = new Date()): Promise<number> {
    const week = this.dashboard.period('this_week', new Date(now.getTime() - DAY));
    const previous = this.dashboard.previous(week, now);
    const monthAgo = this.dashboard.period('custom', now, {
      from: addDays(week.from, -28),
      to: addDays(week.to, -28),
    });
    const optedOut = await this.users.digestOptOuts();
    let fired = 0;
    for (const manager of await this.managers()) {
      if (optedOut.has(manager.id)) continue;
      const scope = await this.dashboard.scopeOfUser(manager.id);
      const [cur, prev, old]: KpiValues[] = await Promise.all(
        [week, previous, monthAgo].map((p) => this.dashboard.kpis(scope, p, now)),
      );
      const rows = DIGEST_KPIS.map((key) => {
        const vsPrevious = this.dashboard.formatted(manager.locale, key, cur[key], prev[key]);
        return {
          label: vsPrevious.label,
          value: vsPrevious.value,
          vsPrevious: vsPrevious.change,
          vsMonthAgo: this.dashboard.formatted(manager.locale, key, cur[key], old[key]).change,
        };
      });
      const done = await this.fire(
        {
          rule: 'digest',
          subjectKind: 'user',
          subjectId: manager.id,
          period: week.from,
          customerId: null,
          details: { from: week.from, to: week.to },
        },
        async (m) => {
          await this.mail.enqueue(
            {
              to: manager.email,
              template: 'rule-digest',
              locale: manager.locale,
              timezone: manager.timezone,
              params: { name: manager.name, from: week.from, to: week.to },
              lists: { rows },
            },
            m,
          );
        },
      );
      if (done) fired++;
    }
    if (await this.digestToRobots(week, previous, monthAgo, now)) fired++;
    return this.done(fired);
  }

  /**
   * The week's company-wide KPIs to the group robots, once per week (its own firing, so a second
   * instance or a rerun sends nothing); nothing when no robot takes the digest.
   */
  private async digestToRobots(
    week: Period,
    previous: Period,
    monthAgo: Period,
    now: Date,
  ): Promise<boolean> {
    if (!(await this.notifications.robotsTake('digest'))) return false;
    const locale = await this.notifications.robotLocale();
    const company = { userIds: null, teamIds: [] };
    const [cur, prev, old]: KpiValues[] = await Promise.all(
      [week, previous, monthAgo].map((p) => this.dashboard.kpis(company, p, now)),
    );
    const lines = DIGEST_KPIS.map((key) => {
      const vsPrevious = this.dashboard.formatted(locale, key, cur[key], prev[key]);
      return {
        key: 'robots.msg.digest_line',
        params: {
          label: vsPrevious.label,
          value: vsPrevious.value,
          vsPrevious: vsPrevious.change || '–',
          vsMonthAgo: this.dashboard.formatted(locale, key, cur[key], old[key]).change || '–',
        },
      };
    });
    return this.fire(
      {
        rule: 'digest_robots',
        subjectKind: 'company',
        subjectId: 0,
        period: week.from,
        customerId: null,
        details: { from: week.from, to: week.to },
      },
      async (m) => {
        await this.notifications.toRobots(
          'digest',
          {
            title: { key: 'robots.msg.digest_title', params: { from: week.from, to: week.to } },
            lines,
            link: '/dashboard',
          },
          m,
        );
      },
    );
  }

  // ---- The firing ----

  /**
   * Fires once: in one transaction, takes the firing's row and, if it was free, acts and records the
   * audit entry; an action answering false (a contact opted out meanwhile) undoes it all. Answers
   * whether it fired. A firing that fails is logged and left untaken, so the rule's next run tries it
   * again, and the others of this run still go ahead.
   */
  private async fire(f: NewFiring, act: (m: EntityManager) => Promise<void | false>): Promise<boolean> {
    return this.dataSource
      .transaction(async (m) => {
        if (!(await this.repo.claim(m, f))) return false;
        if ((await act(m)) === false) throw new SkipFiring();
        await this.audit.record(
          {
            action: 'rule_fired',
            entity: f.customerId !== null ? 'customer' : f.subjectKind,
            entityId: f.customerId ?? f.subjectId,
            diff: {
              rule: { to: f.rule },
              period: { to: f.period },
              ...Object.fromEntries(Object.entries(f.details).map(([k, v]) => [k, { to: v }])),
            },
            actor: null,
          },
          m,
        );
        return true;
      })
      .catch((e: unknown) => {
        if (!(e instanceof SkipFiring))
          this.logger.error(
            `rule ${f.rule} on ${f.subjectKind} ${f.subjectId} (${f.period}) failed: ${e instanceof Error ? e.message : String(e)}`,
          );
        return false;
      });
  }

  /** A survey to a contact, fired once (its opt-out checked in the firing's transaction). */
  private surveyContact(
    key: Pick<NewFiring, 'rule' | 'subjectKind' | 'subjectId' | 'period'>,
    contact: MailableContactRow,
    locale: Locale,
    survey: { kind: 'contract' | 'nps'; contractId: number | null; contractNumber: string | null },
    now: Date,
  ): Promise<boolean> {
    return this.fire(
      {
        ...key,
        customerId: contact.customerId,
        details: { contact: contact.name, note: survey.contractNumber },
      },
      async (m) => {
        if (await this.care.optedOut(m, contact.contactId)) return false;
        await this.tickets.sendContactSurvey(
          m,
          {
            ...survey,
            customerId: contact.customerId,
            contactId: contact.contactId,
            email: contact.email,
            name: contact.name,
            locale,
            unsubscribeUrl: this.unsubscribeUrl(contact.contactId),
          },
          now,
        );
      },
    );
  }

  private async careTask(
    m: EntityManager,
    assigneeId: number,
    customerId: number,
    customerName: string,
    labelKey: string,
    now: Date,
  ): Promise<void> {
    await this.tasks.create(m, [
      {
        assigneeId,
        dueOn: addDays(localDay(now, this.zone), CARE_TASK_DAYS),
        kind: 'care',
        sourceKind: 'customer',
        sourceId: customerId,
        labelKey,
        title: customerName,
      },
    ]);
  }

  /** After firings: the outbox is asked to send now rather than at its next minute. */
  private async done(fired: number): Promise<number> {
    if (fired) {
      this.logger.log(`rules fired ${fired} time(s)`);
      await this.mail.kickQuietly();
    }
    return fired;
  }

  unsubscribeUrl(contactId: number): string {
    return `/unsubscribe/${this.care.unsubscribeToken(contactId)}`;
  }

  private get zone(): string {
    return this.config.defaultTimezone;
  }

  private quarterOf(now: Date): string {
    const day = localDay(now, this.zone);
    return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
  }

  private async people(): Promise<Map<number, Person>> {
    return new Map((await this.users.everyone()).map((u) => [u.id, u as Person]));
  }

  private async managers(): Promise<Person[]> {
    return [...(await this.people()).values()]
      .filter((u) => u.active && u.role === 'manager')
      .sort((a, b) => a.id - b.id);
  }

  /** Erasing a person, in the erasure's transaction: what names them in the rules' firing records is masked. */
  erasePerson(m: EntityManager, who: { jsonPattern: string; mask: string }): Promise<number> {
    return who.jsonPattern ? this.repo.maskFirings(m, who.jsonPattern, who.mask) : Promise.resolve(0);
  }
}

/** An action declined to fire (a contact opted out): the transaction is undone, nothing is remembered. */
class SkipFiring extends Error {}
