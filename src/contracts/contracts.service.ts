import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type ApprovalDecision, type ApprovalOutcome, approvalTitle } from '../approvals/approvals.types.js';
import { AuditService, diffOf } from '../audit/audit.service.js';
import { afterIdOf, type ApiPage, cursorAfter } from '../common/api/api-page.js';
import { AttachmentOwners } from '../common/attachments/attachment-owners.js';
import { AttachmentsService } from '../common/attachments/attachments.service.js';
import {
  CustomerLifecycles,
  type TimelineItem,
  type TimelinePage,
  timelineSource,
} from '../common/customer-lifecycle.js';
import {
  DomainError,
  editedVersion,
  NotAllowed,
  NotFound,
  StaleVersion,
  ValidationFailed,
  WrongStatus,
  type FieldErrors,
} from '../common/errors.js';
import { type Fen, formatMoney, toNumeric } from '../common/money.js';
import type { Locale } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { SequencesService } from '../common/sequences/sequences.service.js';
import { CompanySettings } from '../common/settings/company.js';
import { SettingsSections } from '../common/settings/settings-sections.js';
import { SettingsService } from '../common/settings/settings.service.js';
import { CustomersService } from '../customers/customers.service.js';
import { translate } from '../i18n/i18n.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { UsersService } from '../users/users.service.js';
import { type LineInput, lineValues, linesFromQuote, readLines, shortQuantity } from './contract-lines.js';
import {
  CONTRACT_TEMPLATE_DEFAULTS,
  CONTRACT_TEMPLATE_KEY,
  type ContractTemplate,
} from './contract-template.js';
import { type ContractBlock, renderContractText } from './contract-text.js';
import type { ContractLine } from './contract-line.entity.js';
import type { Contract } from './contract.entity.js';
import { CONTRACT_CURRENCY, type ContractStatus } from './contract.options.js';
import {
  type ContractAction,
  type ContractActor,
  ContractPolicy,
  type ContractScope,
} from './contract.policy.js';
import { type ContractResource, toContractResource } from './contract.resource.js';
import { ContractsRepository, narrowedToOwner, PAGE_SIZE, type ContractRow } from './contracts.repository.js';
import type { ContractApiQuery } from './dto/contract-api.dto.js';
import { ContractTemplateDto } from './dto/contract-template.dto.js';
import type {
  ContractDto,
  ContractEditDto,
  ContractFieldsDto,
  ContractSignDto,
  ContractTerminateDto,
  ContractVersionDto,
} from './dto/contract.dto.js';
import type { ContractFilterDto } from './dto/contract-filter.dto.js';
import { rmbCapitals } from '../common/rmb-capitals.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { QuotesService } from '../opportunities/quotes/quotes.service.js';
// ---- payments (回款), kickoff ----
import { ContractKickoff } from './contract-kickoff.js';
import { PaymentsService } from './payments.service.js';
// ---- end payments ----

/** The owner kind of files attached to contracts (the signed scan, PDFs, images, Office files). */
export const CONTRACT_ATTACHMENTS = 'contract';

/** An edit of a contract waiting for approval: nobody edits it until the round is decided. */
export class PendingLocked extends DomainError {
  constructor() {
    super(409, 'contract.pending_locked');
  }
}

/** A file as received from an upload form. */
export interface ContractUpload {
  fileName: string;
  bytes: Buffer;
}

/** A contract line as pages show it. */
export interface ContractLineView {
  position: number;
  item: string;
  specification: string | null;
  unit: string | null;
  quantity: string;
  unitPrice: Fen;
  lineTotal: Fen;
}

/** A contract as its record page shows it. */
export interface ContractView {
  id: number;
  number: string;
  title: string;
  customerId: number;
  customerName: string;
  opportunityId: number | null;
  quoteId: number | null;
  ownerId: number;
  ownerName: string;
  status: ContractStatus;
  amount: Fen;
  amountInWords: string;
  signedOn: string | null;
  startOn: string | null;
  endOn: string | null;
  paymentTerms: string | null;
  ourSignatoryName: string | null;
  ourSignatoryTitle: string | null;
  customerSignatoryName: string | null;
  customerSignatoryTitle: string | null;
  terminationReason: string | null;
  approvalRounds: number;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  lines: ContractLineView[];
  can: Record<ContractAction, boolean>;
  /** The edit form's values, as its inputs take them. */
  values: Record<string, unknown>;
}

/** A contract's list row with its owner's name. */
export interface ContractItem extends ContractRow {
  ownerName: string;
}

const AUDITED: Extract<keyof Contract, string>[] = [
  'number',
  'customerId',
  'opportunityId',
  'quoteId',
  'ownerId',
  'title',
  'amount',
  'startOn',
  'endOn',
  'paymentTerms',
  'ourSignatoryName',
  'ourSignatoryTitle',
  'customerSignatoryName',
  'customerSignatoryTitle',
  'status',
  'signedOn',
  'terminationReason',
];

/** The audit log's copy of a contract's fields: the amount as the decimal it is stored as. */
const audited = (c: Partial<Contract>) => ({
  ...c,
  amount: c.amount === undefined ? undefined : (toNumeric(c.amount) as unknown as Fen),
});

const toLineView = (l: ContractLine): ContractLineView => ({
  position: l.position,
  item: l.item,
  specification: l.specification,
  unit: l.unit,
  quantity: shortQuantity(l.quantity),
  unitPrice: l.unitPrice,
  lineTotal: l.lineTotal,
});

/** A date as a real day (2027-02-30 is not). */
function checkDay(field: string, value: string | null): void {
  if (value === null) return;
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    throw ValidationFailed.field(field, 'validation.isDate');
}

/**
 * Contracts (合同): made directly, from a won deal or from an accepted quote; numbered HT-YYYY-NNNN;
 * lines whose exact sum is the amount; approved through the approvals engine (by amount), signed with
 * the signed scan attached, then completed or terminated. Every change is audited.
 */
@Injectable()
export class ContractsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ContractsRepository,
    private readonly policy: ContractPolicy,
    private readonly approvals: ApprovalsService,
    private readonly quotes: QuotesService,
    private readonly customers: CustomersService,
    private readonly opportunities: OpportunitiesService,
    private readonly users: UsersService,
    private readonly sequences: SequencesService,
    private readonly attachments: AttachmentsService,
    private readonly attachmentOwners: AttachmentOwners,
    private readonly lifecycles: CustomerLifecycles,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly webhooks: WebhooksService,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
    private readonly company: CompanySettings,
    // ---- payments (回款), kickoff ----
    private readonly payments: PaymentsService,
    private readonly kickoff: ContractKickoff,
    // ---- end payments ----
  ) {}

  onModuleInit(): void {
    for (const type of ['contract.submitted', 'contract.approved', 'contract.rejected', 'contract.signed'])
      this.webhooks.declare(type);
    this.sections.register({
      key: CONTRACT_TEMPLATE_KEY,
      titleKey: 'contract.template_title',
      helpKey: 'contract.template_help',
      partial: 'settings-contract-template',
      defaults: CONTRACT_TEMPLATE_DEFAULTS,
      dto: ContractTemplateDto,
    });
    this.attachmentOwners.register(CONTRACT_ATTACHMENTS, (user, id) => this.maySee(user, id));
    this.approvals.registerSubject({
      kind: 'contract',
      decided: (m, id, outcome, by, comment) => this.decided(m, id, outcome, by, comment),
    });
    this.lifecycles.register({
      entity: 'contract',
      audit: {
        fields: {
          number: 'contract.number',
          customerId: 'contract.customer',
          opportunityId: 'contract.opportunity',
          quoteId: 'contract.quote',
          ownerId: 'contract.owner',
          title: 'contract.title',
          amount: 'contract.amount',
          startOn: 'contract.start_on',
          endOn: 'contract.end_on',
          paymentTerms: 'contract.payment_terms',
          ourSignatoryName: 'contract.our_signatory_name',
          ourSignatoryTitle: 'contract.our_signatory_title',
          customerSignatoryName: 'contract.customer_signatory_name',
          customerSignatoryTitle: 'contract.customer_signatory_title',
          status: 'contract.status_label',
          signedOn: 'contract.signed_on',
          terminationReason: 'contract.termination_reason',
          lines: 'contract.lines',
          comment: 'contract.decision_comment',
          file: 'contract.files',
        },
        values: { status: 'contract.status.' },
        refs: { ownerId: 'user' },
      },
      timeline: timelineSource(
        this.repo.timelineSql,
        (rows: Parameters<ContractsRepository['timelineRows']>[0], page) =>
          this.timelineOf(this.repo.timelineRows(rows), page),
      ),
      merge: (m, fromId, toId) => this.repo.moveToCustomer(m, fromId, toId),
      handOver: {
        labelKey: 'contract.hand_over_label',
        count: (userId) => this.repo.countOpenOwnedBy(userId),
        move: (m, fromId, toId) => this.handOver(m, fromId, toId),
      },
    });
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

  /** The user as the policy sees them, for these contracts (whose approver they may be). */
  private actor(user: SessionUser, ids: number[] = []): Promise<ContractActor> {
    return this.policy.actor(user, ids, (userId, contractIds) =>
      this.approvals.approverOf(userId, 'contract', contractIds),
    );
  }

  /** A contract the user may see, locked or not; 404 otherwise. */
  private async visible(
    user: SessionUser,
    id: number,
    m?: EntityManager,
  ): Promise<{ c: Contract; actor: ContractActor }> {
    const c = m ? await this.repo.lock(m, id) : await this.repo.findLive(id);
    if (!c) throw new NotFound();
    const actor = await this.actor(user, [id]);
    this.policy.assert(actor, 'view', c);
    return { c, actor };
  }

  /** For the attachments' download: may the user see the contract? */
  async maySee(user: SessionUser, id: number): Promise<boolean> {
    const c = await this.repo.findLive(id);
    return !!c && this.policy.can(await this.actor(user, [id]), 'view', c);
  }

  // ---- Pages ----

  /** A page of the list: one statement for the rows and their capped count (README, "The list pattern"). */
  async list(user: SessionUser, filter: ContractFilterDto, size = PAGE_SIZE) {
    const actor = await this.actor(user);
    const scope = narrowedToOwner(this.policy.scope(actor), filter.owner, user.id);
    const page = await this.repo.findPage(scope, filter, size);
    const owners = await this.users.namesOf(page.rows.map((r) => r.ownerId));
    return {
      ...page,
      rows: page.rows.map((r): ContractItem => ({ ...r, ownerName: owners.get(r.ownerId) ?? '' })),
    };
  }

  /** The owners the user may filter by or give contracts to (null: they choose none). */
  async ownerChoices(user: SessionUser, currentOwnerId: number | null) {
    const teams = this.assignableTeams(user);
    return teams === false ? null : this.users.assignableOwners(teams, currentOwnerId);
  }

  /** Whom of which teams the user may give a contract to: anyone (null), their teams', or no one. */
  private assignableTeams(user: SessionUser): number[] | null | false {
    if (user.role === 'admin') return null;
    return user.role === 'manager' ? user.teamIds : false;
  }

  private toView(c: Contract, lines: ContractLine[], actor: ContractActor, ownerName: string): ContractView {
    return {
      id: c.id,
      number: c.number,
      title: c.title,
      customerId: c.customerId,
      customerName: c.customerName,
      opportunityId: c.opportunityId,
      quoteId: c.quoteId,
      ownerId: c.ownerId,
      ownerName,
      status: c.status,
      amount: c.amount,
      amountInWords: rmbCapitals(toNumeric(c.amount)),
      signedOn: c.signedOn,
      startOn: c.startOn,
      endOn: c.endOn,
      paymentTerms: c.paymentTerms,
      ourSignatoryName: c.ourSignatoryName,
      ourSignatoryTitle: c.ourSignatoryTitle,
      customerSignatoryName: c.customerSignatoryName,
      customerSignatoryTitle: c.customerSignatoryTitle,
      terminationReason: c.terminationReason,
      approvalRounds: c.approvalRounds,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      version: c.version,
      lines: lines.map(toLineView),
      can: this.policy.flags(actor, c),
      values: {
        title: c.title,
        startOn: c.startOn,
        endOn: c.endOn,
        paymentTerms: c.paymentTerms,
        ourSignatoryName: c.ourSignatoryName,
        ourSignatoryTitle: c.ourSignatoryTitle,
        customerSignatoryName: c.customerSignatoryName,
        customerSignatoryTitle: c.customerSignatoryTitle,
        ownerId: c.ownerId,
        lines: lines.map(lineValues),
        version: c.version,
      },
    };
  }

  /** A contract as its record page shows it. */
  async get(user: SessionUser, id: number): Promise<ContractView> {
    const { c, actor } = await this.visible(user, id);
    const [lines, owners] = await Promise.all([this.repo.lines(id), this.users.namesOf([c.ownerId])]);
    return this.toView(c, lines, actor, owners.get(c.ownerId) ?? '');
  }

  /** A contract the user may do `action` to (for its forms); 404 if unseen, 403 if not theirs to do. */
  async getFor(user: SessionUser, id: number, action: ContractAction): Promise<ContractView> {
    const view = await this.get(user, id);
    if (!view.can[action]) throw new NotAllowed();
    return view;
  }

  /** The record page: the contract, its lines and its files (and its money: plan, payments, invoices). */
  async show(user: SessionUser, id: number) {
    const contract = await this.get(user, id);
    return {
      contract,
      dealTitle: contract.opportunityId
        ? await this.opportunities.titleFor(user, contract.opportunityId)
        : null,
      files: await this.attachments.list({ kind: CONTRACT_ATTACHMENTS, id }),
      approval: await this.approvals.history('contract', id, user),
      // ---- payments (回款) ----
      money: await this.payments.moneyOf(contract, user),
      // ---- end payments ----
    };
  }

  /**
   * What the new contract form starts from: a won deal (its customer and title, its amount as one
   * line), an accepted quote (its lines), or a customer chosen directly. A quote is the source when
   * one is named, even beside its deal's id (the form sent back with an error carries both): its deal
   * need not be won.
   */
  async draftFrom(
    user: SessionUser,
    source: { customer?: number; opportunity?: number; quote?: number },
  ): Promise<{ customerId: number | null; values: Record<string, unknown> }> {
    if (!this.policy.mayCreate(user)) throw new NotAllowed();
    const values: Record<string, unknown> = { ownerId: user.id, lines: [] as LineInput[] };
    let customerId = source.customer ?? null;
    if (source.opportunity && !source.quote) {
      const deal = await this.opportunities.wonDeal(user, source.opportunity);
      customerId = deal.customerId;
      Object.assign(values, {
        opportunityId: deal.id,
        title: deal.title,
        lines: [
          {
            item: deal.title,
            specification: null,
            unit: null,
            quantity: '1',
            unitPrice: toNumeric(deal.amount),
          },
        ],
      });
    }
    if (source.quote) {
      const quote = await this.quotes.acceptedQuote(user, source.quote);
      customerId = quote.customerId;
      Object.assign(values, {
        quoteId: quote.id,
        opportunityId: quote.opportunityId,
        title: quote.dealTitle,
        paymentTerms: quote.terms ?? '',
        lines: linesFromQuote(quote),
      });
    }
    values.customerId = customerId;
    return { customerId, values };
  }

  /** A customer the user may make a contract with: its id and name (404 or 403 otherwise). */
  customerFor(user: SessionUser, customerId: number) {
    return this.customers.getFor(user, customerId, 'log_follow_up');
  }

  /**
   * The customers a user may pick for a new contract: those a search finds among the ones they see,
   * else their own, longest without contact first.
   */
  async customerChoices(user: SessionUser, q?: string) {
    return (await this.customers.list(user, q ? { q } : { owner: 'me', sort: 'idle' })).rows;
  }

  // ---- Changes ----

  /**
   * The fields and lines of a form, read exactly and checked (dates real, the end not before the
   * start, every line): everything wrong is refused at once, the dates' errors with the lines'.
   */
  private readFields(dto: ContractFieldsDto) {
    const errors: FieldErrors = {};
    const check = <T>(read: () => T): T | undefined => {
      try {
        return read();
      } catch (e) {
        if (!(e instanceof ValidationFailed)) throw e;
        Object.assign(errors, e.fields);
        return undefined;
      }
    };
    check(() => {
      checkDay('startOn', dto.startOn);
      checkDay('endOn', dto.endOn);
      if (dto.startOn && dto.endOn && dto.endOn < dto.startOn)
        throw ValidationFailed.field('endOn', 'contract.end_before_start');
    });
    const read = check(() => readLines(dto.lines ?? []));
    if (!read || Object.keys(errors).length) throw new ValidationFailed(errors);
    const { lines, amount } = read;
    return {
      lines,
      fields: {
        title: dto.title,
        amount,
        startOn: dto.startOn,
        endOn: dto.endOn,
        paymentTerms: dto.paymentTerms,
        ourSignatoryName: dto.ourSignatoryName,
        ourSignatoryTitle: dto.ourSignatoryTitle,
        customerSignatoryName: dto.customerSignatoryName,
        customerSignatoryTitle: dto.customerSignatoryTitle,
      },
    };
  }

  /** Creates a draft on a customer the user may work on; its number is taken last, in the same transaction. */
  async create(user: SessionUser, dto: ContractDto): Promise<number> {
    if (!this.policy.mayCreate(user)) throw new NotAllowed();
    const { lines, fields } = this.readFields(dto);
    if (dto.quoteId) {
      // An accepted quote names its customer and deal: the contract is the quote's, won or not yet.
      const quote = await this.quotes.acceptedQuote(user, dto.quoteId);
      if (
        quote.customerId !== dto.customerId ||
        (dto.opportunityId ?? quote.opportunityId) !== quote.opportunityId
      )
        throw ValidationFailed.field('quoteId', 'validation.invalid');
    } else if (dto.opportunityId) {
      const deal = await this.opportunities.wonDeal(user, dto.opportunityId);
      if (deal.customerId !== dto.customerId)
        throw ValidationFailed.field('opportunityId', 'validation.invalid');
    }
    // Read before the transaction: inside it, a second connection could wait for the pool forever
    // while every connection waits for the numbering's lock.
    const customerName = (await this.customers.namesOf([dto.customerId])).get(dto.customerId) ?? '';
    return this.dataSource.transaction(async (m) => {
      await this.customers.assertMayChoose(user, 'log_follow_up', dto.customerId, m);
      const ownerId = await this.chooseOwner(user, dto.ownerId, user.id, m);
      const row = {
        ...fields,
        customerId: dto.customerId,
        customerName,
        opportunityId: dto.opportunityId,
        quoteId: dto.quoteId,
        ownerId,
        currency: CONTRACT_CURRENCY,
        status: 'draft' as const,
        number: await this.sequences.next(m, 'contract'),
      };
      const id = await this.repo.insert(m, row);
      await this.repo.replaceLines(m, id, lines);
      await this.audit.record(
        {
          action: 'create',
          entity: 'contract',
          entityId: id,
          diff: { ...diffOf<Contract>(null, audited(row), AUDITED), lines: { to: lines.length } },
        },
        m,
      );
      return id;
    });
  }

  /** Saves an edit of a draft or rejected contract made on version `dto.version`; a newer save refuses it. */
  async update(user: SessionUser, id: number, dto: ContractEditDto): Promise<void> {
    const { lines, fields } = this.readFields(dto);
    const stored = await this.repo.findLive(id);
    const names = stored ? await this.customers.namesOf([stored.customerId]) : new Map<number, string>();
    await this.dataSource.transaction(async (m) => {
      const { c: before, actor } = await this.visible(user, id, m);
      if (
        before.status === 'pending_approval' &&
        this.policy.can(actor, 'edit', { id: before.id, ownerId: before.ownerId, status: 'draft' })
      )
        throw new PendingLocked();
      this.policy.assert(actor, 'edit', before);
      if (editedVersion(dto.version) !== before.version) throw new StaleVersion();
      const ownerId =
        dto.ownerId !== null && dto.ownerId !== before.ownerId && this.assignableTeams(user) !== false
          ? await this.chooseOwner(user, dto.ownerId, before.ownerId, m)
          : before.ownerId;
      const customerName = names.get(before.customerId) ?? before.customerName;
      const after = { ...fields, ownerId, customerName };
      const oldLines = await this.repo.lines(id, m);
      const linesChanged =
        JSON.stringify(oldLines.map(({ id: _i, contractId: _c, ...l }) => l)) !== JSON.stringify(lines);
      const diff = diffOf<Contract>(audited(before), audited(after), AUDITED);
      if (linesChanged) diff.lines = { from: oldLines.length, to: lines.length };
      if (!Object.keys(diff).length && customerName === before.customerName) return;
      await this.repo.update(m, id, after);
      if (linesChanged) await this.repo.replaceLines(m, id, lines);
      if (Object.keys(diff).length)
        await this.audit.record({ action: 'update', entity: 'contract', entityId: id, diff }, m);
    });
  }

  /** Deletes a draft or rejected contract (kept, marked deleted). */
  async remove(user: SessionUser, id: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { c, actor } = await this.visible(user, id, m);
      this.policy.assert(actor, 'edit', c);
      await this.repo.softDelete(m, id);
      await this.audit.record({ action: 'delete', entity: 'contract', entityId: id }, m);
    });
  }

  /**
   * Sends a draft or rejected contract for approval, on the version the user saw: the engine routes it
   * by amount (the owner's manager; above the threshold the general managers too) and a new round starts.
   */
  async submit(user: SessionUser, id: number, dto: ContractVersionDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { c, actor } = await this.visible(user, id, m);
      this.policy.assert(actor, 'submit', c);
      if (editedVersion(dto.version) !== c.version) throw new StaleVersion();
      const steps = await this.approvals.routeByAmount(c.ownerId, toNumeric(c.amount));
      if (!steps.length || steps.some((s) => !s.approverIds.length))
        throw ValidationFailed.field('_', 'contract.no_approver');
      await this.payments.assertPlanAddsUp(m, c);
      await this.changeStatus(m, c, 'pending_approval', 'submit', { approvalRounds: c.approvalRounds + 1 });
      await this.approvals.submit(m, {
        kind: 'contract',
        subjectId: c.id,
        title: approvalTitle(c.number, c.customerName, c.title),
        url: `/contracts/${c.id}`,
        amount: toNumeric(c.amount),
        requestedBy: user.id,
        steps,
      });
      await this.webhooks.emit(m, 'contract.submitted', () => this.resourceIn(m, id));
    });
  }

  /** Approves or rejects a pending contract as one of its current approvers (the engine decides who). */
  async decide(
    user: SessionUser,
    id: number,
    decision: ApprovalDecision,
    comment: string | null,
  ): Promise<void> {
    const { c } = await this.visible(user, id);
    if (c.status !== 'pending_approval') throw new WrongStatus('contract.wrong_status');
    await this.approvals.decide(user, 'contract', id, decision, comment);
  }

  /** The engine's word on a round, in the deciding transaction (the engine tells the requester). */
  private async decided(
    m: EntityManager,
    id: number,
    outcome: ApprovalOutcome,
    by: SessionUser,
    comment: string | null,
  ): Promise<void> {
    const c = await this.repo.lock(m, id);
    if (!c || c.status !== 'pending_approval') throw new WrongStatus('contract.wrong_status');
    await this.changeStatus(m, c, outcome, outcome === 'approved' ? 'approve' : 'reject', {}, by, comment);
    await this.webhooks.emit(m, `contract.${outcome}`, () => this.resourceIn(m, id));
  }

  /** Marks an approved contract signed on `signedOn`, with the signed scan attached in the same transaction. */
  async sign(
    user: SessionUser,
    id: number,
    dto: ContractSignDto,
    scan: ContractUpload | null,
  ): Promise<void> {
    this.payments.checkPastDay('signedOn', dto.signedOn, user, 'contract.signed_future');
    if (!scan || !scan.bytes.length) throw ValidationFailed.field('file', 'contract.scan_required');
    await this.dataSource.transaction(async (m) => {
      const { c, actor } = await this.visible(user, id, m);
      this.policy.assert(actor, 'sign', c);
      if (editedVersion(dto.version) !== c.version) throw new StaleVersion();
      await this.payments.assertPlanAddsUp(m, c);
      await this.attachments.store(
        m,
        { kind: CONTRACT_ATTACHMENTS, id },
        { fileName: scan.fileName, bytes: scan.bytes, uploadedById: user.id },
      );
      await this.changeStatus(m, c, 'signed', 'sign', { signedOn: dto.signedOn });
      await this.customers.activateOnSigning(m, c.customerId);
      // Made from a quote on a deal still open: signing wins it, so the forecast stops counting it.
      if (c.opportunityId) await this.opportunities.winOnSigning(m, user, c.opportunityId);
      // ---- kickoff: signing hands the contract to delivery (three tasks, same transaction) ----
      await this.kickoff.onSigned(m, c, dto.signedOn);
      // ---- end kickoff ----
      await this.webhooks.emit(m, 'contract.signed', () => this.resourceIn(m, id));
    });
  }

  /**
   * Contracts completed between `since` and `before` (for the rule that surveys the customer seven
   * days after completion; a job, so no user's scope).
   */
  completedBetween(since: Date, before: Date) {
    return this.repo.completedBetween(since, before);
  }

  /** Marks a signed contract completed. */
  async complete(user: SessionUser, id: number, dto: ContractVersionDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { c, actor } = await this.visible(user, id, m);
      this.policy.assert(actor, 'complete', c);
      if (editedVersion(dto.version) !== c.version) throw new StaleVersion();
      await this.changeStatus(m, c, 'completed', 'complete', { completedAt: new Date() });
    });
  }

  /** Ends a signed contract early, with the reason. */
  async terminate(user: SessionUser, id: number, dto: ContractTerminateDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { c, actor } = await this.visible(user, id, m);
      this.policy.assert(actor, 'terminate', c);
      if (editedVersion(dto.version) !== c.version) throw new StaleVersion();
      await this.changeStatus(m, c, 'terminated', 'terminate', { terminationReason: dto.reason });
    });
  }

  /** Attaches a file (a PDF, an image, an Office file) to a contract the user may work on. */
  async attach(user: SessionUser, id: number, file: ContractUpload | null): Promise<void> {
    if (!file || !file.bytes.length) throw ValidationFailed.field('file', 'validation.required');
    await this.dataSource.transaction(async (m) => {
      const { c, actor } = await this.visible(user, id, m);
      this.policy.assert(actor, 'attach', c);
      const stored = await this.attachments.store(
        m,
        { kind: CONTRACT_ATTACHMENTS, id },
        { fileName: file.fileName, bytes: file.bytes, uploadedById: user.id },
      );
      await this.audit.record(
        { action: 'attach', entity: 'contract', entityId: id, diff: { file: { to: stored.fileName } } },
        m,
      );
    });
  }

  /** A status change with its other fields, audited as `action` (a labelled entry on the audit page). */
  private async changeStatus(
    m: EntityManager,
    c: Contract,
    status: ContractStatus,
    action: string,
    more: Partial<Contract>,
    by?: SessionUser,
    comment?: string | null,
  ): Promise<void> {
    const after = { status, ...more };
    await this.repo.update(m, c.id, after);
    const diff = diffOf<Contract>(c, after, ['status', 'signedOn', 'terminationReason']);
    if (comment) diff.comment = { to: comment };
    await this.audit.record(
      { action, entity: 'contract', entityId: c.id, diff, ...(by ? { actor: by } : {}) },
      m,
    );
  }

  /** Who will own a contract: a chosen owner the user may give contracts to, else `fallback`. */
  private async chooseOwner(
    user: SessionUser,
    chosen: number | null,
    fallback: number,
    m: EntityManager,
  ): Promise<number> {
    if (chosen === null || chosen === fallback) return fallback;
    const teams = this.assignableTeams(user);
    if (teams === false) return fallback;
    const owners = await this.users.assignableOwners(teams, null, m);
    if (!owners.some((o) => o.id === chosen))
      throw ValidationFailed.field('ownerId', 'validation.ownerNotOffered');
    return chosen;
  }

  // ---- The contract text ----

  /** The A4 page: the contract text from the admin's template in `locale`, with the lines and signatories. */
  async print(user: SessionUser, id: number, locale: Locale) {
    const contract = await this.get(user, id);
    const template: ContractTemplate = (
      await this.settings.get(CONTRACT_TEMPLATE_KEY, CONTRACT_TEMPLATE_DEFAULTS)
    ).value;
    // Whoever may see the contract prints its party whole, an approver outside the customer's scope too.
    const party = await this.customers.partyOf(contract.customerId);
    const company = await this.company.letterhead(locale);
    const blocks: ContractBlock[] = renderContractText(locale === 'en' ? template.textEn : template.textZh, {
      'customer.name': contract.customerName,
      'customer.uscc': party.uscc,
      'customer.address': party.address,
      'company.name': company.name,
      'company.address': company.address,
      'contract.number': contract.number,
      'contract.amount': formatMoney(contract.amount),
      'contract.amountInWords': contract.amountInWords,
      'contract.startOn': contract.startOn ?? '',
      'contract.endOn': contract.endOn ?? '',
      'contract.paymentTerms': contract.paymentTerms ?? '',
      // ---- payments: the payment plan's installments (nothing without a plan) ----
      'contract.paymentPlan': await this.payments.planText(id, locale),
      // ---- end payments ----
    });
    return { contract, blocks, locale, company };
  }

  // ---- The customer's life ----

  /** The customer's contracts on its 360° timeline, those the viewer may see, with a link to each. */
  /** The customer's contracts (its timeline rows) as entries, as the viewer sees them. */
  private async timelineOf(rows: ContractRow[], { viewer }: TimelinePage): Promise<TimelineItem[]> {
    const actor = viewer
      ? await this.policy.viewer(viewer, rows, (userId, ids) =>
          this.approvals.approverOf(userId, 'contract', ids),
        )
      : null;
    const shown = actor ? rows.filter((r) => this.policy.can(actor, 'view', r)) : rows;
    const owners = await this.users.namesOf(shown.map((r) => r.ownerId));
    const locale: Locale = viewer?.locale ?? 'zh-CN';
    return shown.map((r) => ({
      at: r.createdAt,
      kind: 'contract',
      labelKey: 'contract.timeline_label',
      by: owners.get(r.ownerId) ?? null,
      counterpart: null,
      text: `${r.number} ${r.title} · ${translate(locale, `contract.status.${r.status}`)} · ${formatMoney(r.amount)}`,
      promise: null,
      nextAction: null,
      nextAt: null,
      url: `/contracts/${r.id}`,
    }));
  }

  /**
   * A leaving rep's open contracts go to the colleague taking their customers; when those go to the
   * pool, to the rep's team manager (a contract always has an owner). Completed and terminated ones
   * keep the owner they were made by.
   */
  private async handOver(m: EntityManager, fromId: number, toId: number | null): Promise<number> {
    const target = toId ?? (await this.users.managerOf(fromId))?.id ?? null;
    return target === null ? 0 : this.repo.moveOpenOwner(m, fromId, target);
  }

  // ---- API ----

  private async resourceIn(m: EntityManager, id: number): Promise<ContractResource | null> {
    const c = await this.repo.findLive(id, m);
    return c && toContractResource(c, await this.repo.lines(id, m));
  }

  /** A contract the user may see, as the API answers it; 404 otherwise. */
  async resource(user: SessionUser, id: number): Promise<ContractResource> {
    const { c } = await this.visible(user, id);
    return toContractResource(c, await this.repo.lines(id));
  }

  /** The API's list: contracts the user sees, by id, a page at a time. */
  async page(user: SessionUser, query: ContractApiQuery, limit: number): Promise<ApiPage<ContractResource>> {
    const scope: ContractScope = this.policy.scope(await this.actor(user));
    const afterId = afterIdOf(query.cursor);
    const rows = (await this.repo.findApiPage(scope, query, afterId, limit)).slice(0, limit + 1);
    const shown = rows.slice(0, limit);
    const lines = await this.repo.linesOf(shown.map((c) => c.id));
    const data = shown.map((c) => toContractResource(c, lines.get(c.id) ?? []));
    const next = rows.length > limit ? cursorAfter(data.at(-1)!.id) : null;
    return { data, next };
  }

  /** The stored fields of a contract, as an API edit is merged over them. */
  async storedFields(user: SessionUser, id: number): Promise<Record<string, unknown>> {
    const view = await this.get(user, id);
    const { ownerId: _owner, ...values } = view.values;
    return values;
  }

  /** A customer's contracts, for a person's PIPL request (whoever calls checks the right). */
  personalDataOf(customerId: number) {
    return this.repo.findOfCustomer(customerId);
  }

  /** Erasing a person, in the erasure's transaction: what names them in the customer's contracts is masked. */
  erasePerson(m: EntityManager, who: { customerId: number; pattern: string; mask: string }): Promise<number> {
    return who.pattern
      ? this.repo.maskOfCustomer(m, who.customerId, who.pattern, who.mask)
      : Promise.resolve(0);
  }
}
