import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { afterIdOf, type ApiPage, cursorAfter } from '../common/api/api-page.js';
import {
  CustomerLifecycles,
  type SummaryFigure,
  summarySource,
  type TimelineItem,
  type TimelinePage,
  timelineSource,
} from '../common/customer-lifecycle.js';
import { editedVersion, NotAllowed, NotFound, StaleVersion, ValidationFailed } from '../common/errors.js';
import { type Fen, fen, formatMoney, parseMoney, sumMoney, toNumeric } from '../common/money.js';
import type { Locale } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { SettingsSections } from '../common/settings/settings-sections.js';
import { SettingsService } from '../common/settings/settings.service.js';
import { localDay } from '../common/time.js';
import { type CustomerIdsQuery, CustomersService } from '../customers/customers.service.js';
import { translate } from '../i18n/i18n.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../users/users.service.js';
import type { OpportunityApiQuery } from './dto/opportunity-api.dto.js';
import type { OpportunityFilterDto } from './dto/opportunity-filter.dto.js';
import type { OpportunityDto, OpportunityEditDto, ReopenDto, StageChangeDto } from './dto/opportunity.dto.js';
import { PipelineRulesDto } from './dto/pipeline-rules.dto.js';
import type { Opportunity } from './opportunity.entity.js';
import {
  isOpen,
  OPEN_STAGES,
  type OpenStage,
  OPPORTUNITY_STAGES,
  type OpportunityStage,
  STAGE_PROBABILITY,
} from './opportunity.options.js';
import {
  type OpportunityAction,
  type OpportunityActor,
  OpportunityPolicy,
  type OpportunityScope,
} from './opportunity.policy.js';
import { type OpportunityResource, toOpportunityResource } from './opportunity.resource.js';
import {
  dealSearchWords,
  narrowedToOwner,
  OpportunitiesRepository,
  type OpportunityRow,
  PAGE_SIZE,
  type TimelineDealRow,
} from './opportunities.repository.js';
import { PIPELINE_DEFAULTS, PIPELINE_KEY, type PipelineRules } from './pipeline-rules.js';

/** The board shows this many cards per stage (the soonest to close); the column's figures count them all. */
const CARDS_PER_STAGE = 30;
/** Won and lost columns show deals closed within this many days (whole days in UTC, as the kept totals). */
const CLOSED_SHOWN_DAYS = 90;
const DAY_MS = 86_400_000;

/** The start (UTC) of the first day whose closed deals the board shows. */
const closedShownSince = (now: Date): Date =>
  new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - CLOSED_SHOWN_DAYS * DAY_MS);

/** A deal as the list and the board show it. */
export interface OpportunityItem extends OpportunityRow {
  ownerName: string;
  weighted: Fen;
  stale: boolean;
  /** Open, and its expected close day (in the user's time zone) has passed. */
  pastClose: boolean;
  /** Where the board's buttons move an open deal: the stage before and after it. */
  back: OpportunityStage | null;
  forward: OpportunityStage | null;
  can: Record<OpportunityAction, boolean>;
}

/** A deal as its record page shows it. */
export interface OpportunityView {
  id: number;
  title: string;
  customerId: number;
  customerName: string;
  ownerId: number;
  ownerName: string;
  stage: OpportunityStage;
  open: boolean;
  amount: Fen;
  probability: number;
  weighted: Fen;
  expectedCloseDate: string;
  competitors: string | null;
  nextStep: string | null;
  source: string | null;
  lostReason: string | null;
  lostNote: string | null;
  closedAt: Date | null;
  lastActivityAt: Date;
  stale: boolean;
  version: number;
  can: Record<OpportunityAction, boolean>;
  /** The form's values: as the edit form's inputs take them. */
  values: Record<string, unknown>;
}

/** Something logged against a deal by another module (follow-ups), for its record page. */
export type DealActivitySource = (opportunityId: number, limit: number) => Promise<TimelineItem[]>;

const AUDITED: Extract<keyof Opportunity, string>[] = [
  'customerId',
  'ownerId',
  'title',
  'stage',
  'amount',
  'probability',
  'expectedCloseDate',
  'competitors',
  'nextStep',
  'source',
  'lostReason',
  'lostNote',
];

/** The audit log's copy of a deal's fields: the amount as the decimal it is stored as. */
const audited = (o: Partial<Opportunity>) => ({
  ...o,
  amount: o.amount === undefined ? undefined : (toNumeric(o.amount) as unknown as Fen),
});

const weightedOf = (amount: Fen, probability: number): Fen => fen(Math.round((amount * probability) / 100));

const neighbours = (
  stage: OpportunityStage,
): { back: OpportunityStage | null; forward: OpportunityStage | null } => {
  const i = (OPEN_STAGES as readonly string[]).indexOf(stage);
  if (i < 0) return { back: null, forward: null };
  return {
    back: i > 0 ? OPEN_STAGES[i - 1] : null,
    forward: i < OPEN_STAGES.length - 1 ? OPEN_STAGES[i + 1] : 'won',
  };
};

/** Deals (商机): the pipeline board and list, a deal's record and stage changes, the forecast. */
@Injectable()
export class OpportunitiesService implements OnModuleInit {
  private readonly activitySources: DealActivitySource[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: OpportunitiesRepository,
    private readonly policy: OpportunityPolicy,
    private readonly customers: CustomersService,
    private readonly users: UsersService,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
  ) {}

  onModuleInit(): void {
    this.webhooks.declare('opportunity.created');
    this.webhooks.declare('opportunity.stage_changed');
    this.sections.register({
      key: PIPELINE_KEY,
      titleKey: 'opportunity.settings_title',
      helpKey: 'opportunity.settings_help',
      partial: 'settings-pipeline',
      defaults: PIPELINE_DEFAULTS,
      dto: PipelineRulesDto,
    });
    this.lifecycles.register({
      entity: 'opportunity',
      audit: {
        fields: {
          customerId: 'opportunity.customer',
          ownerId: 'opportunity.owner',
          title: 'opportunity.title',
          stage: 'opportunity.stage_label',
          amount: 'opportunity.amount',
          probability: 'opportunity.probability',
          expectedCloseDate: 'opportunity.expected_close_date',
          competitors: 'opportunity.competitors',
          nextStep: 'opportunity.next_step',
          source: 'opportunity.source_label',
          lostReason: 'opportunity.lost_reason_label',
          lostNote: 'opportunity.lost_note',
          quote: 'opportunity.accepted_quote',
        },
        values: {
          stage: 'opportunity.stage.',
          source: 'opportunity.source.',
          lostReason: 'opportunity.lost_reason.',
        },
        refs: { ownerId: 'user' },
      },
      timeline: timelineSource(this.repo.timelineSql, (rows: TimelineDealRow[], page) =>
        this.timelineOf(this.repo.timelineRows(rows), page),
      ),
      summary: summarySource(this.repo.summarySql, (rows: TimelineDealRow[], page) =>
        this.figuresOf(this.repo.timelineRows(rows), page),
      ),
      merge: (m, fromId, toId) => this.repo.moveToCustomer(m, fromId, toId),
      handOver: {
        labelKey: 'hand_over.opportunities',
        count: (userId) => this.repo.countOwnedBy(userId),
        move: (m, fromId, toId) => this.handOver(m, fromId, toId),
      },
    });
  }

  /** Another module's records logged against deals (follow-ups) appear on the deal's page. */
  registerActivity(source: DealActivitySource): void {
    this.activitySources.push(source);
  }

  /** The customer a list is filtered to (`?customer=`), named, when the user may see it. */
  async customerFilter(
    user: SessionUser,
    id: number | undefined,
  ): Promise<{ id: number; name: string } | null> {
    const name = id ? await this.customers.nameIfVisible(user, id) : null;
    return name === null ? null : { id: id!, name };
  }

  mayCreate(user: SessionUser): boolean {
    return this.policy.mayCreate(user);
  }

  assertMayCreate(user: SessionUser): void {
    if (!this.policy.mayCreate(user)) throw new NotAllowed();
  }

  private async rules(): Promise<PipelineRules> {
    return (await this.settings.get(PIPELINE_KEY, PIPELINE_DEFAULTS)).value;
  }

  private async staleBefore(): Promise<Date> {
    return new Date(Date.now() - (await this.rules()).staleDays * DAY_MS);
  }

  /** Rows with their owner's name, weighted amount, staleness and the user's switches. */
  private async items<R extends OpportunityRow>(
    actor: OpportunityActor,
    rows: R[],
    staleBefore: Date,
  ): Promise<(R & OpportunityItem)[]> {
    const owners = await this.users.namesOf(rows.map((r) => r.ownerId));
    const today = localDay(new Date(), actor.user.timezone);
    return rows.map((r) => ({
      ...r,
      ownerName: owners.get(r.ownerId) ?? '',
      weighted: weightedOf(r.amount, r.probability),
      stale: isOpen(r.stage) && r.lastActivityAt < staleBefore,
      pastClose: isOpen(r.stage) && r.expectedCloseDate < today,
      ...neighbours(r.stage),
      can: this.policy.flags(actor, r),
    }));
  }

  private scopeFor(actor: OpportunityActor, owner: string | undefined): OpportunityScope {
    return narrowedToOwner(this.policy.scope(actor), owner, actor.user.id);
  }

  /** The board: one column per stage with its count, sum and weighted sum, and its first cards. */
  async board(user: SessionUser, filter: OpportunityFilterDto) {
    const actor = await this.policy.actor(user);
    const staleBefore = await this.staleBefore();
    const { totals, cards } = await this.repo.board(
      this.scopeFor(actor, filter.owner),
      filter,
      this.customersFound(filter),
      staleBefore,
      closedShownSince(new Date()),
      CARDS_PER_STAGE,
    );
    const items = await this.items(actor, cards, staleBefore);
    return {
      columns: totals.map((t) => ({
        ...t,
        open: isOpen(t.stage),
        cards: items.filter((c) => c.stage === t.stage),
        more: t.count - items.filter((c) => c.stage === t.stage).length,
      })),
      total: {
        count: totals.filter((t) => isOpen(t.stage)).reduce((n, t) => n + t.count, 0),
        sum: sumMoney(totals.filter((t) => isOpen(t.stage)).map((t) => t.sum)),
        weighted: sumMoney(totals.filter((t) => isOpen(t.stage)).map((t) => t.weighted)),
      },
    };
  }

  /** A page of the list: one statement for the rows and their capped count (README, "The list pattern"). */
  async list(user: SessionUser, filter: OpportunityFilterDto, size = PAGE_SIZE) {
    const actor = await this.policy.actor(user);
    const staleBefore = await this.staleBefore();
    const page = await this.repo.findPage(
      this.scopeFor(actor, filter.owner),
      filter,
      this.customersFound(filter),
      staleBefore,
      size,
    );
    return { ...page, rows: await this.items(actor, page.rows, staleBefore) };
  }

  /** For each word of the search, the customers it finds as the customer list does (pinyin, initials, a contact). */
  private customersFound(filter: OpportunityFilterDto): CustomerIdsQuery[] {
    return dealSearchWords(filter.q).map((word) => this.customers.idsMatching(word));
  }

  /** The owners the user may filter by or give deals to: their team's (null: they choose none). */
  async ownerChoices(user: SessionUser, currentOwnerId: number | null) {
    const teams = this.policy.assignableTeams(await this.policy.actor(user));
    return teams === false ? null : this.users.assignableOwners(teams, currentOwnerId);
  }

  /** A deal the user may see, locked or not; 404 otherwise (and for a deal outside their scope). */
  private async visible(actor: OpportunityActor, id: number, m?: EntityManager): Promise<Opportunity> {
    const o = m ? await this.repo.lock(m, id) : await this.repo.findLive(id);
    if (!o) throw new NotFound();
    this.policy.assert(actor, 'view', o);
    return o;
  }

  /** The title of a deal the user may see, for a link to it; null when it is gone or outside their scope. */
  async titleFor(user: SessionUser, id: number): Promise<string | null> {
    const [actor, o] = await Promise.all([this.policy.actor(user), this.repo.findLive(id)]);
    return o && this.policy.can(actor, 'view', o) ? o.title : null;
  }

  /** A deal as its record page shows it. */
  async get(user: SessionUser, id: number): Promise<OpportunityView> {
    const actor = await this.policy.actor(user);
    const o = await this.visible(actor, id);
    const [owners, staleBefore] = await Promise.all([this.users.namesOf([o.ownerId]), this.staleBefore()]);
    return {
      id: o.id,
      title: o.title,
      customerId: o.customerId,
      customerName: o.customerName,
      ownerId: o.ownerId,
      ownerName: owners.get(o.ownerId) ?? '',
      stage: o.stage,
      open: isOpen(o.stage),
      amount: o.amount,
      probability: o.probability,
      weighted: weightedOf(o.amount, o.probability),
      expectedCloseDate: o.expectedCloseDate,
      competitors: o.competitors,
      nextStep: o.nextStep,
      source: o.source,
      lostReason: o.lostReason,
      lostNote: o.lostNote,
      closedAt: o.closedAt,
      lastActivityAt: o.lastActivityAt,
      stale: isOpen(o.stage) && o.lastActivityAt < staleBefore,
      version: o.version,
      can: this.policy.flags(actor, o),
      values: {
        title: o.title,
        amount: toNumeric(o.amount),
        probability: o.probability,
        expectedCloseDate: o.expectedCloseDate,
        competitors: o.competitors,
        nextStep: o.nextStep,
        source: o.source,
        ownerId: o.ownerId,
        version: o.version,
      },
    };
  }

  /** A deal the user may do `action` to (for its forms); 404 if unseen, 403 if not theirs to do. */
  async getFor(user: SessionUser, id: number, action: OpportunityAction): Promise<OpportunityView> {
    const view = await this.get(user, id);
    if (!view.can[action]) throw new NotAllowed();
    return view;
  }

  /** The record page: the deal, its stage history (who moved it when) and what was logged against it. */
  async show(user: SessionUser, id: number) {
    const deal = await this.get(user, id);
    const changes = await this.repo.history(id);
    const names = await this.users.namesOf(changes.map((c) => c.byId));
    const activity = (await Promise.all(this.activitySources.map((s) => s(id, 50))))
      .flat()
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    return {
      deal,
      history: changes
        .map((c) => ({ from: c.fromStage, to: c.toStage, by: names.get(c.byId) ?? '', at: c.at }))
        .reverse(),
      activity,
      // A won deal becomes a contract (the contracts module's form), for those who may create one.
      contractable: deal.stage === 'won' && this.policy.mayCreate(user),
      moves: deal.can.move ? OPPORTUNITY_STAGES.filter((s) => s !== deal.stage && s !== 'lost') : [],
    };
  }

  /** Creates a deal on a customer the user may work on; its first stage is recorded as its history's start. */
  async create(user: SessionUser, dto: OpportunityDto): Promise<number> {
    if (!this.policy.mayCreate(user)) throw new NotAllowed();
    const amount = parseMoney(dto.amount, 'amount');
    const actor = await this.policy.actor(user);
    return this.dataSource.transaction(async (m) => {
      await this.customers.assertMayChoose(user, 'log_follow_up', dto.customerId, m);
      const ownerId = await this.chooseOwner(actor, dto.ownerId, user.id, m);
      const stage: OpenStage = dto.stage ?? 'initial_contact';
      const fields = {
        customerId: dto.customerId,
        ownerId,
        title: dto.title,
        stage,
        amount,
        probability: dto.probability ?? STAGE_PROBABILITY[stage],
        expectedCloseDate: dto.expectedCloseDate,
        competitors: dto.competitors,
        nextStep: dto.nextStep,
        source: dto.source,
        lastActivityAt: new Date(),
      };
      this.checkDate(dto.expectedCloseDate);
      const id = await this.repo.insert(m, fields);
      await this.repo.recordStageChange(m, {
        opportunityId: id,
        fromStage: null,
        toStage: stage,
        byId: user.id,
      });
      await this.audit.record(
        {
          action: 'create',
          entity: 'opportunity',
          entityId: id,
          diff: diffOf<Opportunity>(null, audited(fields), AUDITED),
        },
        m,
      );
      await this.webhooks.emit(m, 'opportunity.created', () => this.resourceIn(m, id));
      return id;
    });
  }

  /** Saves an edit of an open deal made on version `dto.version`; a newer save refuses it. */
  async update(user: SessionUser, id: number, dto: OpportunityEditDto): Promise<void> {
    const amount = parseMoney(dto.amount, 'amount');
    this.checkDate(dto.expectedCloseDate);
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      const before = await this.visible(actor, id, m);
      this.policy.assert(actor, 'edit', before);
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const ownerId =
        dto.ownerId !== null && dto.ownerId !== before.ownerId && this.policy.can(actor, 'assign', before)
          ? await this.chooseOwner(actor, dto.ownerId, before.ownerId, m)
          : before.ownerId;
      const after = {
        ownerId,
        title: dto.title,
        amount,
        probability: dto.probability ?? before.probability,
        expectedCloseDate: dto.expectedCloseDate,
        competitors: dto.competitors,
        nextStep: dto.nextStep,
        source: dto.source,
      };
      const diff = diffOf<Opportunity>(audited(before), audited(after), AUDITED);
      if (!Object.keys(diff).length) return;
      await this.repo.update(m, id, { ...after, lastActivityAt: new Date() });
      await this.audit.record({ action: 'update', entity: 'opportunity', entityId: id, diff }, m);
      if (ownerId !== before.ownerId && ownerId !== user.id)
        await this.notifications.notify(
          ownerId,
          'opportunity_assigned',
          { title: dto.title, by: user.name },
          `/opportunities/${id}`,
          m,
        );
    });
  }

  /**
   * Moves an open deal to another stage, on the version the user saw: the probability becomes the
   * stage's, won and lost close it (lost needs a reason from the list), the move is recorded in the
   * history, and the owner's manager is told once (in-app and by mail).
   */
  async moveStage(user: SessionUser, id: number, dto: StageChangeDto): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      const before = await this.visible(actor, id, m);
      this.policy.assert(actor, 'move', before);
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      if (dto.stage === before.stage) return;
      if (dto.stage === 'lost' && !dto.lostReason)
        throw ValidationFailed.field('lostReason', 'opportunity.lost_reason_required');
      await this.changeStage(m, user, before, dto.stage, {
        lostReason: dto.stage === 'lost' ? dto.lostReason : null,
        lostNote: dto.stage === 'lost' ? dto.lostNote : null,
      });
    });
    await this.mail.kickQuietly();
  }

  /** Opens a won or lost deal again at the stage it closed from: its owner's manager or the admin. */
  async reopen(user: SessionUser, id: number, dto: ReopenDto): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      const before = await this.visible(actor, id, m);
      this.policy.assert(actor, 'reopen', before);
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const back = await this.repo.stageBeforeClosing(m, id);
      const stage: OpenStage = back && isOpen(back) ? back : 'negotiation';
      await this.changeStage(m, user, before, stage, { lostReason: null, lostNote: null });
    });
    await this.mail.kickQuietly();
  }

  private async changeStage(
    m: EntityManager,
    user: SessionUser,
    before: Opportunity,
    stage: OpportunityStage,
    lost: { lostReason: Opportunity['lostReason']; lostNote: string | null },
  ): Promise<void> {
    const after = {
      stage,
      probability: STAGE_PROBABILITY[stage],
      closedAt: isOpen(stage) ? null : new Date(),
      ...lost,
      lastActivityAt: new Date(),
    };
    await this.repo.update(m, before.id, after);
    await this.repo.recordStageChange(m, {
      opportunityId: before.id,
      fromStage: before.stage,
      toStage: stage,
      byId: user.id,
    });
    await this.audit.record(
      {
        action: isOpen(before.stage) ? 'stage' : 'reopen',
        entity: 'opportunity',
        entityId: before.id,
        diff: diffOf<Opportunity>(before, after, ['stage', 'probability', 'lostReason', 'lostNote']),
      },
      m,
    );
    await this.webhooks.emit(m, 'opportunity.stage_changed', () => this.resourceIn(m, before.id));
    await this.tellManager(m, user, before, stage);
  }

  /** The owner's manager hears of a stage change once, in-app and by mail, unless they made it. */
  private async tellManager(m: EntityManager, user: SessionUser, deal: Opportunity, to: OpportunityStage) {
    const manager = await this.users.managerOf(deal.ownerId);
    if (!manager || manager.id === user.id) return;
    const stage = (locale: Locale, s: OpportunityStage) => translate(locale, `opportunity.stage.${s}`);
    const params = {
      title: deal.title,
      by: user.name,
      from: stage(manager.locale, deal.stage),
      to: stage(manager.locale, to),
    };
    await this.notifications.notify(
      manager.id,
      'opportunity_stage_changed',
      params,
      `/opportunities/${deal.id}`,
      m,
    );
    await this.mail.enqueue(
      {
        to: manager.email,
        template: 'opportunity-stage',
        locale: manager.locale,
        timezone: manager.timezone,
        params: { ...params, name: manager.name, id: deal.id, amount: formatMoney(deal.amount) },
      },
      m,
    );
  }

  /** Who will own a deal: a chosen owner the user may give deals to, else `fallback`. */
  private async chooseOwner(
    actor: OpportunityActor,
    chosen: number | null,
    fallback: number,
    m: EntityManager,
  ): Promise<number> {
    if (chosen === null || chosen === fallback) return fallback;
    const teams = this.policy.assignableTeams(actor);
    if (teams === false) return fallback;
    const owners = await this.users.assignableOwners(teams, null, m);
    if (!owners.some((o) => o.id === chosen))
      throw ValidationFailed.field('ownerId', 'validation.ownerNotOffered');
    return chosen;
  }

  /** An expected close date must be a real day (2026-02-30 is not). */
  private checkDate(value: string): void {
    const d = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
      throw ValidationFailed.field('expectedCloseDate', 'validation.isDate');
  }

  /**
   * The weighted forecast: open deals by month of expected close, per rep and for the whole scope,
   * after a first column ('overdue') of those still open whose expected close was in an earlier month.
   */
  async forecast(user: SessionUser, months = 6) {
    const actor = await this.policy.actor(user);
    const today = localDay(new Date(), user.timezone);
    const start = `${today.slice(0, 7)}-01`;
    const monthKeys = [
      'overdue',
      ...Array.from({ length: months }, (_, i) => {
        const d = new Date(`${start}T00:00:00Z`);
        d.setUTCMonth(d.getUTCMonth() + i);
        return d.toISOString().slice(0, 7);
      }),
    ];
    const end = new Date(`${start}T00:00:00Z`);
    end.setUTCMonth(end.getUTCMonth() + months);
    const rows = await this.repo.forecast(this.policy.scope(actor), start, end.toISOString().slice(0, 10));
    const names = await this.users.namesOf(rows.map((r) => r.ownerId));
    const reps = [...new Set(rows.map((r) => r.ownerId))]
      .map((ownerId) => ({
        ownerId,
        name: names.get(ownerId) ?? '',
        months: monthKeys.map(
          (month) =>
            rows.find((r) => r.ownerId === ownerId && r.month === month) ?? {
              month,
              count: 0,
              sum: fen(0),
              weighted: fen(0),
            },
        ),
        weighted: sumMoney(rows.filter((r) => r.ownerId === ownerId).map((r) => r.weighted)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const totals = monthKeys.map((month) => {
      const of = rows.filter((r) => r.month === month);
      return {
        month,
        count: of.reduce((n, r) => n + r.count, 0),
        sum: sumMoney(of.map((r) => r.sum)),
        weighted: sumMoney(of.map((r) => r.weighted)),
      };
    });
    return { months: monthKeys, reps, totals, weighted: sumMoney(totals.map((t) => t.weighted)) };
  }

  /** My day: the user's stale open deals, and for a manager their team's too. */
  async staleFor(user: SessionUser, limit = 20): Promise<OpportunityItem[]> {
    const actor = await this.policy.actor(user);
    const scope = this.policy.scope(actor);
    const ownerIds = scope.everyone ? [user.id] : scope.ownerIds;
    const staleBefore = await this.staleBefore();
    return this.items(actor, await this.repo.stale(ownerIds, staleBefore, limit), staleBefore);
  }

  /** The customer's open deals the viewer sees, summed, linking to them on the board: none when there is none. */
  private async figuresOf(
    rows: OpportunityRow[],
    { viewer, customerId }: TimelinePage,
  ): Promise<SummaryFigure[]> {
    if (!rows.length || !viewer) return [];
    const actor = await this.policy.actor(viewer);
    const shown = rows.filter((r) => this.policy.can(actor, 'view', r));
    if (!shown.length) return [];
    return [
      {
        labelKey: 'opportunity.summary_open',
        value: formatMoney(sumMoney(shown.map((r) => r.amount))),
        detail: translate(viewer.locale, 'opportunity.summary_deals', { count: shown.length }),
        url: `/opportunities?customer=${customerId}`,
      },
    ];
  }

  private async timelineOf(
    rows: (OpportunityRow & { createdAt: Date })[],
    { viewer }: TimelinePage,
  ): Promise<TimelineItem[]> {
    const actor = viewer ? await this.policy.actor(viewer) : null;
    const shown = actor ? rows.filter((r) => this.policy.can(actor, 'view', r)) : rows;
    const owners = await this.users.namesOf(shown.map((r) => r.ownerId));
    const locale: Locale = viewer?.locale ?? 'zh-CN';
    return shown.map((r) => ({
      at: r.createdAt,
      kind: 'opportunity',
      labelKey: 'opportunity.timeline_label',
      by: owners.get(r.ownerId) ?? null,
      counterpart: null,
      text: `${r.title} · ${translate(locale, `opportunity.stage.${r.stage}`)} · ${formatMoney(r.amount)}`,
      promise: null,
      nextAction: null,
      nextAt: null,
      url: `/opportunities/${r.id}`,
    }));
  }

  /**
   * A leaving rep's deals go to the colleague taking their customers; when those go to the pool, to
   * the rep's team manager (a deal always has an owner). Without either, they stay where they are.
   */
  private async handOver(m: EntityManager, fromId: number, toId: number | null): Promise<number> {
    const target = toId ?? (await this.users.managerOf(fromId))?.id ?? null;
    return target === null ? 0 : this.repo.moveOwner(m, fromId, target);
  }

  // ---- For other modules ----

  /**
   * For a follow-up logged against a deal: refuses unless the user may see the deal and it belongs to
   * the follow-up's customer; the deal's last activity moves to `at`. The follow-up's next step
   * (given when it is the deal's latest) becomes the open deal's next step when the user may edit the
   * deal: a new version, audited.
   */
  async logActivity(
    m: EntityManager,
    user: SessionUser,
    id: number,
    customerId: number,
    at: Date,
    nextStep: string | null,
  ): Promise<void> {
    const o = await this.repo.lock(m, id);
    const actor = await this.policy.actor(user);
    if (!o || o.customerId !== customerId || !this.policy.can(actor, 'view', o))
      throw ValidationFailed.field('opportunityId', 'validation.invalid');
    await this.repo.touch(m, id, at);
    if (!nextStep || nextStep === o.nextStep) return;
    if (!isOpen(o.stage) || !this.policy.can(actor, 'edit', o)) return;
    await this.repo.update(m, id, { nextStep });
    await this.audit.record(
      {
        action: 'update',
        entity: 'opportunity',
        entityId: id,
        diff: diffOf<Opportunity>(audited(o), audited({ ...o, nextStep }), AUDITED),
      },
      m,
    );
  }

  /**
   * A contract signed for a deal still open wins it, in the signing's transaction: recorded in its
   * stage history and audited, its owner's manager told, as for a move on the board. A deal already
   * closed (or deleted) stays as it is.
   */
  async winOnSigning(m: EntityManager, user: SessionUser, id: number): Promise<void> {
    const deal = await this.repo.lock(m, id);
    if (!deal || deal.deletedAt || !isOpen(deal.stage)) return;
    await this.changeStage(m, user, deal, 'won', { lostReason: null, lostNote: null });
  }

  /** A won deal the user may see, for a contract made from it: its customer, title and amount. */
  async wonDeal(
    user: SessionUser,
    id: number,
  ): Promise<{ id: number; customerId: number; title: string; amount: Fen }> {
    const o = await this.visible(await this.policy.actor(user), id);
    if (o.stage !== 'won') throw ValidationFailed.field('opportunityId', 'contract.deal_not_won');
    return { id: o.id, customerId: o.customerId, title: o.title, amount: o.amount };
  }

  /** The open deals of a customer the user may see, to log a follow-up against. */
  async openChoices(user: SessionUser, customerId: number): Promise<{ id: number; title: string }[]> {
    const actor = await this.policy.actor(user);
    return (await this.repo.ofCustomer(customerId, 50))
      .filter((r) => isOpen(r.stage) && this.policy.can(actor, 'view', r))
      .map((r) => ({ id: r.id, title: r.title }));
  }

  // ---- API ----

  private async resourceIn(m: EntityManager, id: number): Promise<OpportunityResource | null> {
    const o = await this.repo.findLive(id, m);
    return o && toOpportunityResource(o);
  }

  /** A deal the user may see, as the API answers it; 404 otherwise. */
  async resource(user: SessionUser, id: number): Promise<OpportunityResource> {
    return toOpportunityResource(await this.visible(await this.policy.actor(user), id));
  }

  /** The API's list: deals the user sees, by id, a page at a time. */
  async page(
    user: SessionUser,
    query: OpportunityApiQuery,
    limit: number,
  ): Promise<ApiPage<OpportunityResource>> {
    const actor = await this.policy.actor(user);
    const afterId = afterIdOf(query.cursor);
    const rows = await this.repo.findApiPage(this.policy.scope(actor), query, afterId, limit);
    const data = rows.slice(0, limit).map(toOpportunityResource);
    const next = rows.length > limit ? cursorAfter(data.at(-1)!.id) : null;
    return { data, next };
  }

  /** The stored fields of a deal, as an API edit is merged over them. */
  async storedFields(user: SessionUser, id: number): Promise<Record<string, unknown>> {
    const view = await this.getFor(user, id, 'edit');
    const { ownerId: _owner, ...values } = view.values;
    return { ...values, probability: view.probability };
  }

  /** A customer's deals, for a person's PIPL request (whoever calls checks the right). */
  personalDataOf(customerId: number) {
    return this.repo.findOfCustomer(customerId);
  }

  /** Erasing a person, in the erasure's transaction: what names them in the customer's deals and quotes is masked. */
  erasePerson(m: EntityManager, who: { customerId: number; pattern: string; mask: string }): Promise<number> {
    return who.pattern
      ? this.repo.maskOfCustomer(m, who.customerId, who.pattern, who.mask)
      : Promise.resolve(0);
  }
}
