import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { MAX_VAT_RATE_HUNDREDTHS, VAT_RATES } from '../../common/vat.js';
import { ApprovalsService } from '../../approvals/approvals.service.js';
import { type ApprovalOutcome, approvalTitle } from '../../approvals/approvals.types.js';
import { AuditService, diffOf } from '../../audit/audit.service.js';
import { JobsService } from '../../automation/jobs.service.js';
import { afterIdOf, type ApiPage, cursorAfter } from '../../common/api/api-page.js';
import {
  CustomerLifecycles,
  type TimelineItem,
  type TimelinePage,
  timelineSource,
} from '../../common/customer-lifecycle.js';
import {
  editedVersion,
  type FieldErrors,
  NotAllowed,
  NotFound,
  StaleVersion,
  ValidationFailed,
  WrongStatus,
} from '../../common/errors.js';
import { type Fen, formatMoney, readMoney, toNumeric } from '../../common/money.js';
import { rmbCapitals } from '../../common/rmb-capitals.js';
import { SequencesService } from '../../common/sequences/sequences.service.js';
import type { SessionUser } from '../../common/session-user.js';
import { SettingsSections } from '../../common/settings/settings-sections.js';
import { SettingsService } from '../../common/settings/settings.service.js';
import { localDay } from '../../common/time.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { CustomersService } from '../../customers/customers.service.js';
import { translate } from '../../i18n/i18n.js';
import { NotificationsService } from '../../notifications/notifications.service.js';
import { WebhooksService } from '../../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../../users/users.service.js';
import type { OpportunityActor } from '../opportunity.policy.js';
import { isOpen } from '../opportunity.options.js';
import { OpportunitiesRepository } from '../opportunities.repository.js';
import type { QuoteActionDto, QuoteEditDto, QuoteFieldsDto, QuoteLineDto } from './dto/quote.dto.js';
import type { QuoteApiQuery } from './dto/quote-api.dto.js';
import type { QuoteLine } from './quote-line.entity.js';
import type { Quote } from './quote.entity.js';
import { type QuoteStatus } from './quote.options.js';
import { type QuoteAction, QuotePolicy, type QuoteSubject } from './quote.policy.js';
import { type QuoteResource, toQuoteResource } from './quote.resource.js';
import { QUOTE_RULES_DEFAULTS, QUOTE_RULES_KEY, QuoteRulesDto, type QuoteRules } from './quote-rules.js';
import {
  shownDiscount,
  fromDecimal,
  PERCENT_SCALE,
  passesThreshold,
  type QuoteFigures,
  quoteTotals,
  readPercent,
  readQuantity,
  shortDecimal,
  toDecimal,
} from './quote-totals.js';
import { type QuoteDeal, type QuoteRecord, QuotesRepository, type QuoteRow } from './quotes.repository.js';

const DAY_MS = 86_400_000;

/** A line as the record and print pages show it. */
export interface QuoteLineView {
  position: number;
  itemName: string;
  specification: string | null;
  unit: string | null;
  quantity: string;
  unitPrice: Fen;
  discountPercent: string;
  lineTotal: Fen;
}

/** A line as the form's inputs hold it (text as typed). */
export type QuoteLineValues = Record<
  'itemName' | 'specification' | 'unit' | 'quantity' | 'unitPrice' | 'discountPercent',
  string
>;

/** A quote as its record and print pages show it. */
export interface QuoteView {
  id: number;
  number: string;
  status: QuoteStatus;
  dealId: number;
  dealTitle: string;
  customerId: number;
  customerName: string;
  ownerName: string;
  preparedBy: string;
  taxRate: string;
  pricesIncludeTax: boolean;
  discountPercent: string;
  validUntil: string;
  terms: string | null;
  listTotal: Fen;
  subtotal: Fen;
  discountAmount: Fen;
  net: Fen;
  tax: Fen;
  total: Fen;
  /** The whole discount against list prices, percent as read: "17.5". */
  effectiveDiscount: string;
  /** Its discount passes the threshold: sending it needs approval first. */
  needsApproval: boolean;
  threshold: number;
  /** 人民币大写 of the total. */
  capitals: string;
  lines: QuoteLineView[];
  createdAt: Date;
  sentAt: Date | null;
  version: number;
  can: Record<QuoteAction, boolean>;
}

/** The lines and figures of an accepted quote, for a contract made from it. */
export interface AcceptedQuote {
  id: number;
  number: string;
  opportunityId: number;
  /** The deal's title: what a contract made from the quote is called at first. */
  dealTitle: string;
  customerId: number;
  total: Fen;
  /** Its terms (payment, delivery): what a contract made from it offers as its payment terms. */
  terms: string | null;
  lines: {
    itemName: string;
    specification: string | null;
    unit: string | null;
    quantity: string;
    unitPrice: Fen;
    lineTotal: Fen;
  }[];
}

const AUDITED: Extract<keyof Quote, string>[] = [
  'status',
  'taxRate',
  'pricesIncludeTax',
  'discountPercent',
  'validUntil',
  'terms',
  'total',
];

/** The audit log's copy of a quote's fields: amounts as the decimals they are stored as. */
const audited = (q: Partial<Quote>) => ({
  ...q,
  total: q.total === undefined ? undefined : (toNumeric(q.total) as unknown as Fen),
});

const LINE_FIELDS = [
  'itemName',
  'specification',
  'unit',
  'quantity',
  'unitPrice',
  'discountPercent',
] as const;

/** An empty row of the form. */
export const blankLine = (): QuoteLineValues =>
  Object.fromEntries(LINE_FIELDS.map((f) => [f, ''])) as QuoteLineValues;

/** Quotes (报价单) on deals: their lines and exact totals, approval past the discount threshold, sending and printing. */
@Injectable()
export class QuotesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: QuotesRepository,
    private readonly deals: OpportunitiesRepository,
    private readonly policy: QuotePolicy,
    private readonly approvals: ApprovalsService,
    private readonly sequences: SequencesService,
    private readonly customers: CustomersService,
    private readonly users: UsersService,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly webhooks: WebhooksService,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.webhooks.declare('quote.approved');
    // Sent quotes past their validity expire each night (and on reading, in between).
    this.jobs.register('quotes.expire', () => this.expireLapsed(), { cron: '5 0 * * *', singleton: true });
    this.sections.register({
      key: QUOTE_RULES_KEY,
      titleKey: 'quote.settings_title',
      helpKey: 'quote.settings_help',
      partial: 'settings-quotes',
      defaults: QUOTE_RULES_DEFAULTS,
      dto: QuoteRulesDto,
    });
    this.approvals.registerSubject({
      kind: 'quote',
      decided: (m, id, outcome, by, comment) => this.decided(m, id, outcome, by, comment),
    });
    this.lifecycles.register({
      entity: 'quote',
      audit: {
        fields: {
          number: 'quote.number',
          status: 'quote.status_label',
          taxRate: 'quote.tax_rate',
          pricesIncludeTax: 'quote.prices_include_tax',
          discountPercent: 'quote.discount_percent',
          validUntil: 'quote.valid_until',
          terms: 'quote.terms',
          total: 'quote.total',
          lines: 'quote.lines',
          comment: 'quote.comment',
        },
        values: { status: 'quote.status.' },
      },
      timeline: timelineSource(
        this.repo.timelineSql,
        (rows: Parameters<QuotesRepository['timelineRows']>[0], page) =>
          this.timelineOf(this.repo.timelineRows(rows), page),
      ),
      merge: (m, fromId, toId) => this.repo.moveToCustomer(m, fromId, toId),
      // A leaving rep's quotes go where their deals go: to the colleague taking their customers, or
      // their team's manager when those go to the pool (the same rule as OpportunitiesService).
      handOver: {
        labelKey: 'hand_over.quotes',
        count: (userId) => this.repo.countOwnedBy(userId),
        move: async (m, fromId, toId) => {
          const target = toId ?? (await this.users.managerOf(fromId))?.id ?? null;
          return target === null ? 0 : this.repo.moveOwner(m, fromId, target);
        },
      },
    });
  }

  async rules(): Promise<QuoteRules> {
    return (await this.settings.get(QUOTE_RULES_KEY, QUOTE_RULES_DEFAULTS)).value;
  }

  private subject(q: QuoteRecord): QuoteSubject {
    return { dealOwnerId: q.dealOwnerId, status: q.status };
  }

  /** A live quote the user may see (locked inside a transaction); 404 otherwise. */
  private async visible(actor: OpportunityActor, id: number, m?: EntityManager): Promise<QuoteRecord> {
    const q = await this.repo.find(id, m, m !== undefined);
    if (!q || q.deletedAt) throw new NotFound();
    this.policy.assert(actor, 'view', this.subject(q));
    return q;
  }

  /** A live deal the user may make quotes on (not a lost one); 404 if they cannot see it. */
  private async dealFor(actor: OpportunityActor, dealId: number, m?: EntityManager): Promise<QuoteDeal> {
    const deal = await this.repo.deal(dealId, m);
    if (!deal || !this.policy.can(actor, 'view', { dealOwnerId: deal.ownerId, status: 'draft' }))
      throw new NotFound();
    if (!this.policy.mayCreateOn(actor, deal.ownerId) || deal.stage === 'lost') throw new NotAllowed();
    return deal;
  }

  /** Sent quotes past their validity become expired: nightly, and before quotes are read. */
  private async expireLapsed(): Promise<void> {
    const today = localDay(new Date(), this.config.defaultTimezone);
    if (!(await this.repo.anyLapsed(today))) return;
    await this.dataSource.transaction(async (m) => {
      for (const { id } of await this.repo.expireLapsed(m, today))
        await this.audit.record(
          {
            action: 'expire',
            entity: 'quote',
            entityId: id,
            diff: { status: { from: 'sent', to: 'expired' } },
            actor: null,
          },
          m,
        );
    });
  }

  // ---- Forms ----

  /** The new-quote form on a deal: its defaults (validity, tax, terms) and one empty line. */
  async newForm(user: SessionUser, dealId: number) {
    const actor = await this.policy.actor(user);
    const deal = await this.dealFor(actor, dealId);
    const rules = await this.rules();
    const validUntil = localDay(new Date(Date.now() + rules.validDays * DAY_MS), user.timezone);
    const customers = await this.customers.namesOf([deal.customerId]);
    return {
      deal: { ...deal, customerName: customers.get(deal.customerId) ?? '' },
      values: {
        taxRate: '13',
        pricesIncludeTax: false,
        discountPercent: '',
        validUntil,
        terms: rules.defaultTerms,
      },
      lines: [blankLine()],
      taxRates: VAT_RATES,
      threshold: rules.discountThreshold,
    };
  }

  /** The edit form of a draft or rejected quote the user may edit. */
  async editForm(user: SessionUser, id: number) {
    const actor = await this.policy.actor(user);
    const q = await this.visible(actor, id);
    this.policy.assert(actor, 'edit', this.subject(q));
    const [lines, customers, rules] = await Promise.all([
      this.repo.lines(id),
      this.customers.namesOf([q.customerId]),
      this.rules(),
    ]);
    return {
      quote: { id: q.id, number: q.number, status: q.status },
      deal: { id: q.opportunityId, title: q.dealTitle, customerName: customers.get(q.customerId) ?? '' },
      values: {
        taxRate: shortDecimal(fromDecimal(q.taxRate, 2), 2),
        pricesIncludeTax: q.pricesIncludeTax,
        discountPercent: shortDecimal(fromDecimal(q.discountPercent, 2), 2),
        validUntil: q.validUntil,
        terms: q.terms ?? '',
        version: q.version,
      },
      lines: lines.map((l) => ({
        itemName: l.itemName,
        specification: l.specification ?? '',
        unit: l.unit ?? '',
        quantity: shortDecimal(fromDecimal(l.quantity, 3), 3),
        unitPrice: toNumeric(l.unitPrice),
        discountPercent: shortDecimal(fromDecimal(l.discountPercent, 2), 2),
      })),
      taxRates: VAT_RATES,
      threshold: rules.discountThreshold,
    };
  }

  // ---- Reading what was typed ----

  /**
   * The quote's figures from the form or the API, every problem at once as field errors (`lines.1.quantity`),
   * so the form shows them all beside their fields; nothing is stored unless all of it reads.
   */
  private read(user: SessionUser, dto: QuoteFieldsDto): { figures: QuoteFigures; lines: QuoteLineDto[] } {
    const errors: FieldErrors = {};
    const fail = (field: string, key: string) => (errors[field] = [{ key }]);
    const taxRate = readPercent(dto.taxRate ?? '', false);
    if ('problem' in taxRate) fail('taxRate', taxRate.problem);
    else if (taxRate.value > MAX_VAT_RATE_HUNDREDTHS) fail('taxRate', 'validation.vat_rate_range');
    const discount = readPercent(dto.discountPercent ?? '');
    if ('problem' in discount) fail('discountPercent', discount.problem);
    const day = new Date(`${dto.validUntil}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== dto.validUntil)
      fail('validUntil', 'validation.isDate');
    else if (dto.validUntil < localDay(new Date(), user.timezone))
      fail('validUntil', 'quote.valid_until_past');
    if (!dto.lines.length) fail('lines', 'quote.lines_required');
    const lines = dto.lines.map((l, i) => {
      if (!l.itemName) fail(`lines.${i}.itemName`, 'validation.required');
      const quantity = readQuantity(l.quantity ?? '');
      if ('problem' in quantity) fail(`lines.${i}.quantity`, quantity.problem);
      const price = readMoney(l.unitPrice ?? '');
      if ('problem' in price) fail(`lines.${i}.unitPrice`, price.problem);
      else if (price.fen < 0) fail(`lines.${i}.unitPrice`, 'quote.price_negative');
      const lineDiscount = readPercent(l.discountPercent ?? '');
      if ('problem' in lineDiscount) fail(`lines.${i}.discountPercent`, lineDiscount.problem);
      return {
        quantity: 'value' in quantity ? quantity.value : 1,
        unitPrice: 'fen' in price ? price.fen : (0 as Fen),
        discount: 'value' in lineDiscount ? lineDiscount.value : 0,
      };
    });
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    const figures: QuoteFigures = {
      lines,
      discount: 'value' in discount ? discount.value : 0,
      taxRate: 'value' in taxRate ? taxRate.value : 0,
      pricesIncludeTax: dto.pricesIncludeTax,
    };
    try {
      quoteTotals(figures);
    } catch {
      throw ValidationFailed.field('_', 'quote.too_large');
    }
    return { figures, lines: dto.lines };
  }

  /** The stored columns of a quote and its lines, from figures that have been read. */
  private stored(dto: QuoteFieldsDto, figures: QuoteFigures, lines: QuoteLineDto[]) {
    const t = quoteTotals(figures);
    return {
      fields: {
        taxRate: toDecimal(figures.taxRate, 2),
        pricesIncludeTax: figures.pricesIncludeTax,
        discountPercent: toDecimal(figures.discount, 2),
        validUntil: dto.validUntil,
        terms: dto.terms,
        listTotal: t.listTotal,
        subtotal: t.subtotal,
        discountAmount: t.discountAmount,
        net: t.net,
        tax: t.tax,
        total: t.total,
      },
      lines: lines.map((l, i) => ({
        position: i + 1,
        itemName: l.itemName ?? '',
        specification: l.specification,
        unit: l.unit,
        quantity: toDecimal(figures.lines[i].quantity, 3),
        unitPrice: figures.lines[i].unitPrice,
        discountPercent: toDecimal(figures.lines[i].discount, 2),
        lineTotal: t.lines[i].total,
      })),
    };
  }

  // ---- Writes ----

  /** A new draft quote on a deal, numbered in the same transaction. */
  async create(user: SessionUser, dealId: number, dto: QuoteFieldsDto): Promise<number> {
    const actor = await this.policy.actor(user);
    await this.dealFor(actor, dealId);
    const { figures, lines } = this.read(user, dto);
    const row = this.stored(dto, figures, lines);
    return this.dataSource.transaction(async (m) => {
      const deal = await this.dealFor(actor, dealId, m);
      // Taken last, after every check that may refuse the quote (sequences/README.md).
      const number = await this.sequences.next(m, 'quote');
      const id = await this.repo.insert(m, {
        ...row.fields,
        number,
        opportunityId: deal.id,
        customerId: deal.customerId,
        ownerId: user.id,
        status: 'draft',
        currency: 'CNY',
      });
      await this.repo.replaceLines(m, id, row.lines);
      await this.audit.record(
        {
          action: 'create',
          entity: 'quote',
          entityId: id,
          diff: {
            ...diffOf<Quote>(null, audited({ ...row.fields, status: 'draft' }), AUDITED),
            number: { to: number },
            lines: { to: row.lines.length },
          },
        },
        m,
      );
      return id;
    });
  }

  /** Saves an edit of a draft or rejected quote made on `dto.version`; a newer save refuses it. */
  async update(user: SessionUser, id: number, dto: QuoteEditDto): Promise<void> {
    const actor = await this.policy.actor(user);
    const { figures, lines } = this.read(user, dto);
    const row = this.stored(dto, figures, lines);
    await this.dataSource.transaction(async (m) => {
      const before = await this.visible(actor, id, m);
      this.policy.assert(actor, 'edit', this.subject(before));
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const beforeLines = await this.repo.lines(id, m);
      await this.repo.update(m, id, row.fields);
      await this.repo.replaceLines(m, id, row.lines);
      const diff = diffOf<Quote>(audited(before), audited(row.fields), AUDITED);
      if (beforeLines.length !== row.lines.length)
        diff.lines = { from: beforeLines.length, to: row.lines.length };
      await this.audit.record({ action: 'update', entity: 'quote', entityId: id, diff }, m);
    });
  }

  /**
   * Sends a draft or rejected quote on: past the discount threshold, to the owner's manager for approval
   * (pending, where nobody edits it); otherwise it is marked sent to the customer. Answers the new status.
   */
  async submit(user: SessionUser, id: number, dto: QuoteActionDto): Promise<QuoteStatus> {
    const actor = await this.policy.actor(user);
    const threshold = (await this.rules()).discountThreshold * PERCENT_SCALE;
    return this.dataSource.transaction(async (m) => {
      const q = await this.visible(actor, id, m);
      this.policy.assert(actor, 'submit', this.subject(q));
      if (editedVersion(dto.version) !== q.version) throw new StaleVersion();
      if (!passesThreshold(q, threshold)) {
        await this.changeStatus(m, q, 'sent', 'send', { sentAt: new Date() });
        return 'sent';
      }
      await this.changeStatus(m, q, 'pending_approval', 'submit');
      const customers = await this.customers.namesOf([q.customerId]);
      await this.approvals.submit(m, {
        kind: 'quote',
        subjectId: q.id,
        // The discount is why it waits: the approver reads it in the inbox and the mail (−19.04%).
        title: `${approvalTitle(q.number, customers.get(q.customerId) ?? '', q.dealTitle)} · −${shownDiscount(q, threshold)}%`,
        url: `/quotes/${q.id}`,
        amount: toNumeric(q.total),
        requestedBy: user.id,
        steps: [await this.approvals.managerStep(q.dealOwnerId)],
      });
      return 'pending_approval';
    });
  }

  /** Marks an approved quote sent (send), a sent one accepted or expired, on the version shown. */
  async move(user: SessionUser, id: number, action: 'send' | 'accept' | 'expire', dto: QuoteActionDto) {
    const actor = await this.policy.actor(user);
    const to: Record<typeof action, QuoteStatus> = { send: 'sent', accept: 'accepted', expire: 'expired' };
    await this.dataSource.transaction(async (m) => {
      const q = await this.visible(actor, id, m);
      this.policy.assert(actor, action, this.subject(q));
      if (editedVersion(dto.version) !== q.version) throw new StaleVersion();
      await this.changeStatus(m, q, to[action], action, action === 'send' ? { sentAt: new Date() } : {});
      if (action === 'accept') await this.dealTakesAccepted(m, q);
    });
  }

  /**
   * An accepted quote sets its open deal's amount to the quote's total, what the customer agreed to
   * pay, so the board and the forecast count it; the deal gets a new version and the change is
   * audited with the quote's number. A closed deal keeps its amount.
   */
  private async dealTakesAccepted(m: EntityManager, q: Quote): Promise<void> {
    const deal = await this.deals.lock(m, q.opportunityId);
    if (!deal || !isOpen(deal.stage) || deal.amount === q.total) return;
    await this.deals.update(m, deal.id, { amount: q.total });
    await this.audit.record(
      {
        action: 'update',
        entity: 'opportunity',
        entityId: deal.id,
        diff: { amount: { from: toNumeric(deal.amount), to: toNumeric(q.total) }, quote: { to: q.number } },
      },
      m,
    );
  }

  /** Removes a draft or rejected quote (soft: its number stays taken). */
  async remove(user: SessionUser, id: number): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.dataSource.transaction(async (m) => {
      const q = await this.visible(actor, id, m);
      this.policy.assert(actor, 'delete', this.subject(q));
      await this.repo.softDelete(m, id);
      await this.audit.record({ action: 'delete', entity: 'quote', entityId: id, diff: {} }, m);
    });
  }

  private async changeStatus(
    m: EntityManager,
    q: Quote,
    status: QuoteStatus,
    action: string,
    extra: Partial<Quote> = {},
    comment?: string | null,
  ): Promise<void> {
    await this.repo.update(m, q.id, { status, ...extra });
    const diff = diffOf<Quote>(q, { status }, ['status']);
    if (comment) diff.comment = { to: comment };
    await this.audit.record({ action, entity: 'quote', entityId: q.id, diff }, m);
  }

  /**
   * The approval round's outcome, inside the deciding transaction (ApprovalSubject): approved, the quote
   * may be sent (and quote.approved goes to webhooks); rejected, its owner edits and submits it again.
   * The engine tells the requester of the outcome.
   */
  async decided(
    m: EntityManager,
    id: number,
    outcome: ApprovalOutcome,
    by: SessionUser,
    comment: string | null,
  ): Promise<void> {
    const q = await this.repo.find(id, m, true);
    if (!q || q.deletedAt || q.status !== 'pending_approval') throw new WrongStatus('quote.wrong_status');
    await this.changeStatus(m, q, outcome, outcome === 'approved' ? 'approve' : 'reject', {}, comment);
    if (outcome === 'approved') await this.webhooks.emit(m, 'quote.approved', () => this.resourceIn(m, id));
  }

  // ---- Reads ----

  /** The record page: the quote and its approval rounds, with the decision form for a current approver. */
  async show(user: SessionUser, id: number) {
    const quote = await this.get(user, id);
    return { quote, approval: await this.approvals.history('quote', id, user) };
  }

  /** A quote as its record page and its print page show it. */
  async get(user: SessionUser, id: number): Promise<QuoteView> {
    await this.expireLapsed();
    const actor = await this.policy.actor(user);
    const q = await this.visible(actor, id);
    const [lines, customers, names, rules] = await Promise.all([
      this.repo.lines(id),
      this.customers.namesOf([q.customerId]),
      this.users.namesOf([q.dealOwnerId, q.ownerId]),
      this.rules(),
    ]);
    return this.view(actor, q, lines, customers.get(q.customerId) ?? '', names, rules.discountThreshold);
  }

  private view(
    actor: OpportunityActor,
    q: QuoteRecord,
    lines: QuoteLine[],
    customerName: string,
    names: Map<number, string>,
    threshold: number,
  ): QuoteView {
    return {
      id: q.id,
      number: q.number,
      status: q.status,
      dealId: q.opportunityId,
      dealTitle: q.dealTitle,
      customerId: q.customerId,
      customerName,
      ownerName: names.get(q.dealOwnerId) ?? '',
      preparedBy: names.get(q.ownerId) ?? '',
      taxRate: shortDecimal(fromDecimal(q.taxRate, 2), 2),
      pricesIncludeTax: q.pricesIncludeTax,
      discountPercent: shortDecimal(fromDecimal(q.discountPercent, 2), 2),
      validUntil: q.validUntil,
      terms: q.terms,
      listTotal: q.listTotal,
      subtotal: q.subtotal,
      discountAmount: q.discountAmount,
      net: q.net,
      tax: q.tax,
      total: q.total,
      effectiveDiscount: shownDiscount(q, threshold * PERCENT_SCALE),
      needsApproval: passesThreshold(q, threshold * PERCENT_SCALE),
      threshold,
      capitals: rmbCapitals(toNumeric(q.total)),
      lines: lines.map((l) => ({
        position: l.position,
        itemName: l.itemName,
        specification: l.specification,
        unit: l.unit,
        quantity: shortDecimal(fromDecimal(l.quantity, 3), 3),
        unitPrice: l.unitPrice,
        discountPercent: shortDecimal(fromDecimal(l.discountPercent, 2), 2),
        lineTotal: l.lineTotal,
      })),
      createdAt: q.createdAt,
      sentAt: q.sentAt,
      version: q.version,
      can: this.policy.flags(actor, this.subject(q)),
    };
  }

  /** The deal's quotes for its record page, with whether the user may make another. */
  async forDeal(user: SessionUser, dealId: number, dealOwnerId: number) {
    await this.expireLapsed();
    const actor = await this.policy.actor(user);
    const rows = await this.repo.ofDeal(dealId);
    return {
      rows: rows.filter((r) =>
        this.policy.can(actor, 'view', { dealOwnerId: r.dealOwnerId, status: r.status }),
      ),
      canCreate: this.policy.mayCreateOn(actor, dealOwnerId),
      /** The quote a contract for the won deal starts from: its accepted one, lines and total carried over. */
      accepted: rows.find((r) => r.status === 'accepted')?.id ?? null,
    };
  }

  /** The customer's quotes on its 360° timeline, those the viewer may see. */
  /** The customer's quotes (its timeline rows) as entries, as the viewer sees them. */
  private async timelineOf(rows: QuoteRow[], { viewer }: TimelinePage): Promise<TimelineItem[]> {
    const actor = viewer ? await this.policy.actor(viewer) : null;
    const shown = actor
      ? rows.filter((r) => this.policy.can(actor, 'view', { dealOwnerId: r.dealOwnerId, status: r.status }))
      : rows;
    const owners = await this.users.namesOf(shown.map((r) => r.dealOwnerId));
    const locale = viewer?.locale ?? 'zh-CN';
    return shown.map((r) => ({
      at: r.createdAt,
      kind: 'quote',
      labelKey: 'quote.timeline_label',
      by: owners.get(r.dealOwnerId) ?? null,
      counterpart: null,
      text: `${r.number} · ${r.dealTitle} · ${translate(locale, `quote.status.${r.status}`)} · ${formatMoney(r.total)}`,
      promise: null,
      nextAction: null,
      nextAt: null,
      url: `/quotes/${r.id}`,
    }));
  }

  // ---- For other modules ----

  /** An accepted quote's lines and total, for a contract made from it; 404 unless the user sees it. */
  async acceptedQuote(user: SessionUser, id: number): Promise<AcceptedQuote> {
    const actor = await this.policy.actor(user);
    const q = await this.visible(actor, id);
    if (q.status !== 'accepted') throw ValidationFailed.field('quoteId', 'contract.quote_not_accepted');
    const lines = await this.repo.lines(id);
    return {
      id: q.id,
      number: q.number,
      opportunityId: q.opportunityId,
      dealTitle: q.dealTitle,
      customerId: q.customerId,
      total: q.total,
      terms: q.terms,
      lines: lines.map((l) => ({
        itemName: l.itemName,
        specification: l.specification,
        unit: l.unit,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        lineTotal: l.lineTotal,
      })),
    };
  }

  // ---- API ----

  private async resourceIn(m: EntityManager, id: number): Promise<QuoteResource | null> {
    const q = await this.repo.find(id, m);
    return q && toQuoteResource(q, await this.repo.lines(id, m));
  }

  /** A quote the user may see, as the API answers it; 404 otherwise. */
  async resource(user: SessionUser, id: number): Promise<QuoteResource> {
    await this.expireLapsed();
    const q = await this.visible(await this.policy.actor(user), id);
    return toQuoteResource(q, await this.repo.lines(id));
  }

  /** The API's list: quotes the user sees, by id, a page at a time. */
  async page(user: SessionUser, query: QuoteApiQuery, limit: number): Promise<ApiPage<QuoteResource>> {
    await this.expireLapsed();
    const actor = await this.policy.actor(user);
    const afterId = afterIdOf(query.cursor);
    const rows = await this.repo.apiPage(this.policy.scope(actor), query, afterId, limit);
    const shown = rows.slice(0, limit);
    const lines = await this.repo.linesOf(shown.map((q) => q.id));
    const data = shown.map((q) => toQuoteResource(q, lines.get(q.id) ?? []));
    const next = rows.length > limit ? cursorAfter(data.at(-1)!.id) : null;
    return { data, next };
  }

  /** The stored fields of a quote as an API edit is merged over them. */
  async storedFields(user: SessionUser, id: number): Promise<Record<string, unknown>> {
    const form = await this.editForm(user, id);
    return { ...form.values, lines: form.lines };
  }

  /** The API's create: on the deal named in the body. */
  createOnDeal(user: SessionUser, dto: QuoteFieldsDto & { opportunityId: number }): Promise<number> {
    return this.create(user, dto.opportunityId, dto);
  }
}
