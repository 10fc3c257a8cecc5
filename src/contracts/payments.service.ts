import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { MAX_VAT_RATE_HUNDREDTHS, VAT_RATES } from '../common/vat.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { AuditService } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import {
  CustomerLifecycles,
  type SummaryFigure,
  summarySource,
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
} from '../common/errors.js';
import { type Fen, fen, formatMoney, readMoney, sumMoney, toNumeric } from '../common/money.js';
import type { Locale } from '../common/roles.js';
import type { SessionUser } from '../common/session-user.js';
import { daysBetween, localDay } from '../common/time.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { translate } from '../i18n/i18n.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { WebhooksService } from '../notifications/webhooks/webhooks.service.js';
import { UsersService } from '../users/users.service.js';
import { collectionRate, formatRate, periodsOf, type RatedInstallment } from './collection-rate.js';
import type { Contract } from './contract.entity.js';
import type { Invoice } from './invoice.entity.js';
import { UNSIGNED_STATUSES, type ContractStatus } from './contract.options.js';
import {
  type ContractAction,
  type ContractActor,
  ContractPolicy,
  type ContractScope,
} from './contract.policy.js';
import { ContractsRepository } from './contracts.repository.js';
import type { InvoiceDto, PaymentDto, PaymentPlanDto, ReversalDto } from './dto/payment.dto.js';
import { allocate, outstandingOf } from './payment-allocations.js';
import {
  addDays,
  checkPaidKept,
  type InstallmentInput,
  isDay,
  readPlan,
  restOf,
  splitRest,
} from './payment-plan.js';
import {
  type InvoiceList,
  type PaymentList,
  type PaymentPlanResource,
  type PaymentResource,
  toInstallmentResource,
  toInvoiceResource,
  toPaymentResource,
} from './payment.resource.js';
import {
  COLLECTING_STATUSES,
  INVOICE_TYPES,
  PAYMENT_METHODS,
  RENEWAL_NOTICE_DAYS,
} from './payment.options.js';
import {
  type CustomerContractMoney,
  type CustomerPaymentRow,
  type CustomerReceivablesRow,
  type OverdueRow,
  PaymentsRepository,
  type ReceivablesRow,
} from './payments.repository.js';

/** Why a payment, an invoice or a plan was refused, beside the form's field. */
const refuse = (field: string, key: string, params?: Record<string, string | number>) =>
  ValidationFailed.field(field, key, params);

/** The earliest day money or an invoice is recorded on. */
const EARLIEST_DAY = '2000-01-01';

/**
 * How many days before its signing a contract's money or invoice may be dated: a deposit (定金) or an
 * advance invoice comes a little before; a year or more before is a mistyped year.
 */
const DAYS_BEFORE_SIGNING = 90;

/** My day lists this many overdue installments. */
const MY_DAY_OVERDUE = 50;

/** A plan row as the plan form shows it. */
export interface InstallmentFormRow extends InstallmentInput {
  n: number;
  /** Paid in part or whole: its amount is kept. */
  paid: boolean;
  /** What it has collected, written as money is (¥1,234.50). */
  collected: string | null;
}

/** An installment as the contract page shows it. */
export interface InstallmentView {
  id: number;
  position: number;
  dueOn: string;
  amount: Fen;
  collected: Fen;
  open: Fen;
  note: string | null;
  state: 'paid' | 'partly_paid' | 'overdue' | 'open';
}

/** What the contract page shows of its money: plan, payments, invoices, the sums and gaps. */
export interface ContractMoneyView {
  hasPlan: boolean;
  planVersion: number;
  /** The plan no longer sums to the contract's amount (the lines were edited since). */
  planMismatch: boolean;
  installments: InstallmentView[];
  payments: (PaymentResource & { amountFen: Fen; reversed: boolean; covers: string })[];
  invoices: {
    id: number;
    number: string;
    issuedOn: string;
    amount: Fen;
    type: string;
    taxRate: string;
    note: string | null;
    reversed: boolean;
    reversalReason: string | null;
  }[];
  collected: Fen;
  outstanding: Fen;
  /** Not signed yet: what is outstanding becomes owed only at signing, and the page says so. */
  unsigned: boolean;
  overdue: Fen;
  invoiced: Fen;
  invoicedNotCollected: Fen;
  collectedNotInvoiced: Fen;
  rate: string;
  canPlan: boolean;
  canCollect: boolean;
  methods: readonly string[];
  invoiceTypes: readonly string[];
  taxRates: readonly string[];
  today: string;
  /** What the payment and invoice forms start from, and no errors (the page's forms share one `form`). */
  paymentDefaults: Record<string, string>;
  invoiceDefaults: Record<string, string>;
  noErrors: Record<string, never>;
}

/** An overdue installment on My day. */
export interface OverdueItem extends OverdueRow {
  url: string;
}

/** A row of the receivables page. */
/** A line of the receivables page: an owner's, a team's or the total. */
export interface ReceivablesItem {
  /** The owner's (a team's: the team's; the total: none). */
  ownerId?: number;
  teamId?: number | null;
  name: string;
  outstanding: Fen;
  overdue: Fen;
  collected: Fen;
  monthRate: string;
  quarterRate: string;
}

/** How many customers owing most the receivables page lists. */
const RECEIVABLES_CUSTOMERS = 20;

/** The receivables of these owners summed into one line named `name`, with its two periods' 回款率. */
function receivablesItem(rows: ReceivablesRow[], name: string): ReceivablesItem {
  const sum = (k: Exclude<keyof ReceivablesRow, 'ownerId'>) => sumMoney(rows.map((r) => r[k]));
  const rate = (collected: Fen, due: Fen) => formatRate(due === 0 ? null : collected / due);
  return {
    name,
    outstanding: sum('outstanding'),
    overdue: sum('overdue'),
    collected: sum('collected'),
    monthRate: rate(sum('collectedMonth'), sum('dueMonth')),
    quarterRate: rate(sum('collectedQuarter'), sum('dueQuarter')),
  };
}

/** What a contract's invoices come to: those reversed by a red-letter invoice (红冲) count for nothing. */
const invoicedOf = (invoices: Invoice[]): Fen =>
  sumMoney(invoices.filter((i) => i.reversedAt === null).map((i) => i.amount));

/** Whether money is collected on a contract in this status (signed, completed): only then is it overdue. */
const collecting = (status: ContractStatus) =>
  (COLLECTING_STATUSES as readonly ContractStatus[]).includes(status);

/** The money of installments due before `today` and not collected, on a contract that is collecting. */
function overdueOf(installments: RatedInstallment[], status: ContractStatus, today: string): Fen {
  if (!collecting(status)) return fen(0);
  return sumMoney(installments.filter((i) => i.dueOn < today).map((i) => fen(i.amount - i.collected)));
}

/**
 * A contract sent on (for approval, to signing) whose payment plan no longer adds up to its amount:
 * a conflict with what is stored, whoever asks, until the plan is edited.
 */
export class PlanNotAmount extends DomainError {
  constructor(planned: Fen, amount: Fen) {
    super(409, 'payment.plan_not_amount', { planned: formatMoney(planned), amount: formatMoney(amount) });
  }
}

/** A VAT rate as typed ("13", "13%", "6.5") in percent as numeric(5,2) text, or null when it is none or above 17%. */
export function readTaxRate(input: string): string | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$/.exec(input.normalize('NFKC').trim());
  if (!m) return null;
  const hundredths = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (hundredths > MAX_VAT_RATE_HUNDREDTHS) return null;
  return `${Math.trunc(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/**
 * Payment plans (回款计划), payments received (回款) and invoices (开票) of contracts, by the same
 * policy as the contracts themselves: a plan is edited by those who work on the contract while it is not
 * waiting for approval (an installment already paid keeps its amount); money and invoices are recorded
 * once it is signed. Each payment is allocated to the installments oldest first; a mistaken one is
 * reversed with a reason, never deleted. Every change is audited; payment.received goes to webhooks.
 * Also the money's other faces: overdue installments on the owner's My day and in a daily mail, the
 * receivables page by owner, payments on the customer's timeline, and the renewal reminder.
 */
@Injectable()
export class PaymentsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: PaymentsRepository,
    private readonly contracts: ContractsRepository,
    private readonly policy: ContractPolicy,
    private readonly approvals: ApprovalsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly webhooks: WebhooksService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    private readonly lifecycles: CustomerLifecycles,
  ) {}

  onModuleInit(): void {
    this.webhooks.declare('payment.received');
    this.jobs.register(
      'contracts.overdue-installments',
      () => this.sendOverdueReminders().then(() => undefined),
      {
        cron: '30 8 * * *',
        // Nothing about a daily reminder is urgent: the idle worker looks for runs every two minutes.
        pollSeconds: 120,
        singleton: true,
      },
    );
    this.jobs.register('contracts.renewals', () => this.sendRenewalReminders().then(() => undefined), {
      cron: '40 8 * * *',
      pollSeconds: 120,
      singleton: true,
    });
    this.lifecycles.register({
      entity: 'payment',
      audit: {
        fields: {
          contractId: 'payment.contract',
          receivedOn: 'payment.received_on',
          amount: 'payment.amount',
          method: 'payment.method_label',
          reference: 'payment.reference',
          note: 'payment.note',
          reason: 'payment.reversal_reason',
          allocations: 'payment.allocations',
        },
        values: { method: 'payment.method.' },
      },
      timeline: timelineSource(
        this.repo.timelineSql,
        (rows: Parameters<PaymentsRepository['timelineRows']>[0], page) =>
          this.timelineOf(this.repo.timelineRows(rows), page),
      ),
      summary: summarySource(
        this.repo.summarySql,
        (rows: Parameters<PaymentsRepository['summaryRows']>[0], page) =>
          this.figuresOf(this.repo.summaryRows(rows), page),
      ),
    });
    this.lifecycles.register({
      entity: 'invoice',
      audit: {
        fields: {
          contractId: 'invoice.contract',
          number: 'invoice.number',
          issuedOn: 'invoice.issued_on',
          amount: 'invoice.amount',
          type: 'invoice.type_label',
          taxRate: 'invoice.tax_rate',
        },
        values: { type: 'invoice.type.' },
      },
    });
    this.lifecycles.register({
      entity: 'payment_plan',
      audit: { fields: { installments: 'payment.plan', sum: 'payment.plan_sum' } },
    });
  }

  /** Today in the user's zone (the company's for jobs). */
  private today(user?: SessionUser): string {
    return localDay(new Date(), user?.timezone ?? this.config.defaultTimezone);
  }

  private actor(user: SessionUser, ids: number[]): Promise<ContractActor> {
    return this.policy.actor(user, ids, (userId, contractIds) =>
      this.approvals.approverOf(userId, 'contract', contractIds),
    );
  }

  /** The contract, locked in `m`, if the user may do `action` to it: 404 unseen, 403 not theirs to do. */
  private async lockedFor(
    user: SessionUser,
    id: number,
    action: ContractAction,
    m: EntityManager,
  ): Promise<Contract> {
    const c = await this.contracts.lock(m, id);
    if (!c) throw new NotFound();
    this.policy.assert(await this.actor(user, [id]), action, c);
    return c;
  }

  /** The contract if the user may see it (404 otherwise), with what they may do. */
  private async visible(
    user: SessionUser,
    id: number,
  ): Promise<{ c: Contract; can: Record<ContractAction, boolean> }> {
    const c = await this.contracts.findLive(id);
    if (!c) throw new NotFound();
    const actor = await this.actor(user, [id]);
    this.policy.assert(actor, 'view', c);
    return { c, can: this.policy.flags(actor, c) };
  }

  /** A day a payment, an invoice or a signing is recorded on: a real day, not before 2000 and not after today. */
  checkPastDay(field: string, day: string, user: SessionUser, future = 'payment.date_future'): void {
    if (!isDay(day)) throw refuse(field, 'validation.isDate');
    if (day < EARLIEST_DAY) throw refuse(field, 'payment.date_too_early');
    if (day > this.today(user)) throw refuse(field, future);
  }

  /** Refuses a payment's or an invoice's day long before the contract was signed. */
  private checkAfterSigning(field: string, day: string, c: Contract): void {
    if (c.signedOn && daysBetween(day, c.signedOn) > DAYS_BEFORE_SIGNING)
      throw refuse(field, 'payment.before_signing', { signed: c.signedOn, days: DAYS_BEFORE_SIGNING });
  }

  /** A positive amount of money as typed, or the field's error. */
  private positiveAmount(field: string, input: string): Fen {
    const read = readMoney(input);
    if ('problem' in read) throw refuse(field, read.problem);
    if (read.fen <= 0) throw refuse(field, 'payment.amount_positive');
    return read.fen;
  }

  // ---- The contract page ----

  /** The contract page's money: for a contract the user sees (the caller checked), with their flags. */
  async moneyOf(
    contract: { id: number; amount: Fen; status: ContractStatus; can: Record<ContractAction, boolean> },
    user: SessionUser,
  ): Promise<ContractMoneyView> {
    const [version, installments, payments, invoices] = await Promise.all([
      this.repo.planVersion(contract.id),
      this.repo.installments(contract.id),
      this.repo.payments(contract.id),
      this.repo.invoices(contract.id),
    ]);
    const today = this.today(user);
    const collected = sumMoney(installments.map((i) => i.collected));
    const planned = sumMoney(installments.map((i) => i.amount));
    const outstanding = fen(contract.amount - collected);
    const overdue = overdueOf(installments, contract.status, today);
    const invoiced = invoicedOf(invoices);
    const positionOf = new Map(installments.map((i) => [i.id, i.position]));
    return {
      hasPlan: version !== null,
      planVersion: version ?? 0,
      planMismatch: version !== null && planned !== contract.amount,
      installments: installments.map((i) => ({
        id: i.id,
        position: i.position,
        dueOn: i.dueOn,
        amount: i.amount,
        collected: i.collected,
        open: fen(i.amount - i.collected),
        note: i.note,
        state:
          i.collected === i.amount
            ? 'paid'
            : // Not yet the customer's obligation before signing: nothing is overdue (as overdueOf).
              i.dueOn < today && collecting(contract.status)
              ? 'overdue'
              : i.collected > 0
                ? 'partly_paid'
                : 'open',
      })),
      payments: payments.map((p) =>
        Object.assign(toPaymentResource(p), {
          amountFen: p.amount,
          reversed: p.reversedAt !== null,
          covers: p.allocations.map((a) => `#${positionOf.get(a.installmentId) ?? '?'}`).join(', '),
        }),
      ),
      invoices: invoices.map((i) => ({
        id: i.id,
        number: i.number,
        issuedOn: i.issuedOn,
        amount: i.amount,
        type: i.type,
        taxRate: i.taxRate.replace(/\.00$/, ''),
        note: i.note,
        reversed: i.reversedAt !== null,
        reversalReason: i.reversalReason,
      })),
      collected,
      outstanding,
      unsigned: UNSIGNED_STATUSES.includes(contract.status),
      overdue,
      invoiced,
      invoicedNotCollected: fen(Math.max(0, invoiced - collected)),
      collectedNotInvoiced: fen(Math.max(0, collected - invoiced)),
      rate: formatRate(collectionRate(installments).rate),
      canPlan: contract.can.plan,
      canCollect: contract.can.collect,
      methods: PAYMENT_METHODS,
      invoiceTypes: INVOICE_TYPES,
      taxRates: VAT_RATES,
      today,
      paymentDefaults: { receivedOn: today, method: 'bank_transfer', amount: '', reference: '', note: '' },
      invoiceDefaults: {
        issuedOn: today,
        type: 'vat_special',
        taxRate: '13',
        amount: '',
        number: '',
        note: '',
      },
      noErrors: {},
    };
  }

  // ---- The plan ----

  /**
   * The plan form: the stored installments (or, with `split`, the contract's amount in that many equal
   * installments a month apart from its start, the spare fen on the last), and spare rows to add more.
   */
  async planForm(user: SessionUser, id: number, split?: number, typed?: InstallmentInput[] | null) {
    const { c, can } = await this.visible(user, id);
    if (!can.plan) throw new NotAllowed();
    const [version, stored] = await Promise.all([this.repo.planVersion(id), this.repo.installments(id)]);
    const paidOnes = stored.filter((s) => s.collected > 0);
    const paid = new Map(paidOnes.map((s) => [s.id, s]));
    const storedRow = (s: (typeof stored)[number]): InstallmentInput => ({
      id: String(s.id),
      dueOn: s.dueOn,
      amount: toNumeric(s.amount),
      note: s.note,
    });
    let rows: InstallmentInput[];
    if (typed) rows = typed;
    else if (split) {
      const start = c.startOn ?? c.signedOn ?? this.today(user);
      rows = [
        ...paidOnes.map(storedRow),
        ...splitRest(c.amount, split, paidOnes, start).map((r) => ({
          id: null,
          dueOn: r.dueOn,
          amount: toNumeric(r.amount),
          note: null,
        })),
      ];
    } else rows = stored.map(storedRow);
    const spare = Math.max(2, 3 - rows.length);
    const all = [
      ...rows,
      ...Array.from({ length: spare }, () => ({ id: null, dueOn: null, amount: null, note: null })),
    ];
    return {
      contract: { id: c.id, number: c.number, title: c.title, amount: c.amount, status: c.status },
      rows: all.map((r, i): InstallmentFormRow => {
        const p = r.id ? paid.get(Number(r.id)) : undefined;
        return { ...r, n: i + 1, paid: !!p, collected: p ? formatMoney(p.collected) : null };
      }),
      values: { version: version ?? 0 },
      split: split ?? null,
      // What a split divides when some installments are paid: the rest of the amount.
      splitRest: paidOnes.length ? formatMoney(restOf(c.amount, paidOnes)) : null,
    };
  }

  /** Saves the plan made on version `dto.version` (0: the first plan); a newer save refuses it. */
  async savePlan(user: SessionUser, id: number, dto: PaymentPlanDto): Promise<void> {
    const version = editedVersion(dto.version);
    await this.dataSource.transaction(async (m) => {
      const c = await this.lockedFor(user, id, 'plan', m);
      if (((await this.repo.planVersion(id, m)) ?? 0) !== version) throw new StaleVersion();
      const next = readPlan(dto.installments, c.amount);
      const stored = await this.repo.installments(id, m);
      checkPaidKept(next, stored);
      await this.repo.savePlan(m, id, next);
      await this.audit.record(
        {
          action: version === 0 ? 'create' : 'update',
          entity: 'payment_plan',
          entityId: id,
          diff: {
            installments: {
              from: stored.map((s) => `${s.dueOn} ${toNumeric(s.amount)}`).join('; ') || null,
              to: next.map((n) => `${n.dueOn} ${toNumeric(n.amount)}`).join('; '),
            },
          },
        },
        m,
      );
    });
  }

  /**
   * The plan as the printed contract states it (its {{contract.paymentPlan}}): each installment's amount
   * and due day on one line, in the print's language; empty without a plan. The caller checked access.
   */
  async planText(id: number, locale: Locale): Promise<string> {
    const installments = await this.repo.installments(id);
    return installments
      .map((i) =>
        translate(locale, 'payment.print_installment', {
          n: i.position,
          amount: formatMoney(i.amount),
          due: i.dueOn,
          note: i.note
            ? `${translate(locale, 'punct.open')}${i.note}${translate(locale, 'punct.close')}`
            : '',
        }),
      )
      .join(locale === 'en' ? '; ' : '；');
  }

  /** The plan as the API answers it. */
  async planResource(user: SessionUser, id: number): Promise<PaymentPlanResource> {
    await this.visible(user, id);
    const [version, installments] = await Promise.all([
      this.repo.planVersion(id),
      this.repo.installments(id),
    ]);
    return { contractId: id, version: version ?? 0, installments: installments.map(toInstallmentResource) };
  }

  /**
   * Refuses to send on (for approval, or to signing) a contract whose payment plan no longer adds up
   * to its amount, naming both sums; a contract without a plan passes.
   */
  async assertPlanAddsUp(m: EntityManager, contract: { id: number; amount: Fen }): Promise<void> {
    if ((await this.repo.planVersion(contract.id, m)) === null) return;
    const planned = sumMoney((await this.repo.installments(contract.id, m)).map((i) => i.amount));
    if (planned !== contract.amount) throw new PlanNotAmount(planned, contract.amount);
  }

  // ---- Payments ----

  /**
   * Records money received against a signed (or completed) contract: a real day not in the future, a
   * positive amount no larger than what is outstanding, allocated to the installments oldest first.
   * Answers the payment's id.
   */
  async recordPayment(user: SessionUser, id: number, dto: PaymentDto): Promise<number> {
    this.checkPastDay('receivedOn', dto.receivedOn, user);
    const amount = this.positiveAmount('amount', dto.amount);
    return this.dataSource.transaction(async (m) => {
      const c = await this.lockedFor(user, id, 'collect', m);
      this.checkAfterSigning('receivedOn', dto.receivedOn, c);
      const installments = await this.repo.installments(id, m);
      if (!installments.length) throw refuse('amount', 'payment.no_plan');
      const outstanding = outstandingOf(installments);
      const allocations = allocate(installments, amount);
      if (!allocations)
        throw refuse('amount', 'payment.over_outstanding', { outstanding: formatMoney(outstanding) });
      const fields = {
        contractId: id,
        receivedOn: dto.receivedOn,
        amount,
        method: dto.method,
        reference: dto.reference,
        note: dto.note,
        recordedById: user.id,
      };
      const paymentId = await this.repo.insertPayment(m, fields, allocations);
      const position = new Map(installments.map((i) => [i.id, i.position]));
      await this.audit.record(
        {
          action: 'create',
          entity: 'payment',
          entityId: paymentId,
          diff: {
            contractId: { to: c.number },
            receivedOn: { to: dto.receivedOn },
            amount: { to: toNumeric(amount) },
            method: { to: dto.method },
            ...(dto.reference ? { reference: { to: dto.reference } } : {}),
            allocations: {
              to: allocations
                .map((a) => `#${position.get(a.installmentId)} ${toNumeric(a.amount)}`)
                .join(', '),
            },
          },
        },
        m,
      );
      await this.webhooks.emit(m, 'payment.received', async () => {
        const stored = (await this.repo.payments(id, m)).find((p) => p.id === paymentId);
        return stored ? toPaymentResource(stored) : null;
      });
      return paymentId;
    });
  }

  /** Reverses a mistaken payment, with the reason: its money goes back off the installments it covered. */
  async reversePayment(user: SessionUser, id: number, paymentId: number, dto: ReversalDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockedFor(user, id, 'collect', m);
      const p = await this.repo.lockPayment(m, id, paymentId);
      if (!p) throw new NotFound();
      if (p.reversedAt) throw refuse('_', 'payment.already_reversed');
      await this.repo.reversePayment(m, paymentId, user.id, dto.reversalReason);
      await this.reallocate(m, id);
      await this.audit.record(
        {
          action: 'reverse',
          entity: 'payment',
          entityId: paymentId,
          diff: { amount: { from: toNumeric(p.amount), to: null }, reason: { to: dto.reversalReason } },
        },
        m,
      );
    });
  }

  /**
   * After a reversal, the payments still standing are shared out again, in the order they came in,
   * oldest installment first, as if the reversed one had never been: a later payment that had gone
   * past an installment the reversed one paid now settles that installment first.
   */
  private async reallocate(m: EntityManager, id: number): Promise<void> {
    const running = (await this.repo.installments(id, m)).map((i) => ({ ...i, collected: fen(0) }));
    const live = (await this.repo.payments(id, m))
      .filter((p) => !p.reversedAt)
      .sort((a, b) => (a.receivedOn === b.receivedOn ? a.id - b.id : a.receivedOn < b.receivedOn ? -1 : 1));
    const shares = live.map((p) => {
      // Never null: the live payments were each within what was outstanding, and so is their sum.
      const allocations = allocate(running, p.amount) ?? [];
      for (const a of allocations) {
        const i = running.find((r) => r.id === a.installmentId)!;
        i.collected = fen(i.collected + a.amount);
      }
      return { paymentId: p.id, allocations };
    });
    await this.repo.reallocate(m, id, shares);
  }

  /** A contract's payments (reversed ones too) with its money so far, as the API answers them. */
  async paymentList(user: SessionUser, id: number): Promise<PaymentList> {
    const { c } = await this.visible(user, id);
    const [payments, installments] = await Promise.all([this.repo.payments(id), this.repo.installments(id)]);
    const today = this.today(user);
    const collected = sumMoney(installments.map((i) => i.collected));
    return {
      data: payments.map(toPaymentResource),
      collected: toNumeric(collected),
      outstanding: toNumeric(fen(c.amount - collected)),
      overdue: toNumeric(overdueOf(installments, c.status, today)),
    };
  }

  /** One payment of a contract the user sees, as the API answers it. */
  async paymentResource(user: SessionUser, id: number, paymentId: number): Promise<PaymentResource> {
    await this.visible(user, id);
    const p = (await this.repo.payments(id)).find((x) => x.id === paymentId);
    if (!p) throw new NotFound();
    return toPaymentResource(p);
  }

  // ---- Invoices ----

  /** Records an invoice issued against a signed (or completed) contract; all invoices stay within its amount. */
  async recordInvoice(user: SessionUser, id: number, dto: InvoiceDto): Promise<number> {
    this.checkPastDay('issuedOn', dto.issuedOn, user, 'payment.invoice_date_future');
    const amount = this.positiveAmount('amount', dto.amount);
    const taxRate = readTaxRate(dto.taxRate);
    if (taxRate === null) throw refuse('taxRate', 'invoice.tax_rate_invalid');
    // As printed on the invoice, typed with spaces or full-width digits: one number whichever way.
    const number = dto.number.normalize('NFKC').replace(/\s+/g, '');
    return this.dataSource.transaction(async (m) => {
      const c = await this.lockedFor(user, id, 'collect', m);
      this.checkAfterSigning('issuedOn', dto.issuedOn, c);
      const recorded = await this.repo.contractWithInvoice(m, number);
      if (recorded?.id === id) throw refuse('number', 'invoice.number_taken');
      if (recorded) throw refuse('number', 'invoice.number_taken_elsewhere');
      const invoiced = invoicedOf(await this.repo.invoices(id, m));
      if (invoiced + amount > c.amount)
        throw refuse('amount', 'invoice.over_amount', { left: formatMoney(fen(c.amount - invoiced)) });
      const invoiceId = await this.repo.insertInvoice(m, {
        contractId: id,
        number,
        issuedOn: dto.issuedOn,
        amount,
        type: dto.type,
        taxRate,
        note: dto.note,
        recordedById: user.id,
      });
      await this.audit.record(
        {
          action: 'create',
          entity: 'invoice',
          entityId: invoiceId,
          diff: {
            contractId: { to: c.number },
            number: { to: number },
            issuedOn: { to: dto.issuedOn },
            amount: { to: toNumeric(amount) },
            type: { to: dto.type },
            taxRate: { to: taxRate },
          },
        },
        m,
      );
      return invoiceId;
    });
  }

  /**
   * Reverses an invoice issued by mistake (红冲: a red-letter invoice cancels it): kept with who, when
   * and why, no longer counted, so the contract may be invoiced again.
   */
  async reverseInvoice(user: SessionUser, id: number, invoiceId: number, dto: ReversalDto): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockedFor(user, id, 'collect', m);
      const invoice = await this.repo.lockInvoice(m, id, invoiceId);
      if (!invoice) throw new NotFound();
      if (invoice.reversedAt) throw refuse('_', 'invoice.already_reversed');
      await this.repo.reverseInvoice(m, invoiceId, user.id, dto.reversalReason);
      await this.audit.record(
        {
          action: 'reverse',
          entity: 'invoice',
          entityId: invoiceId,
          diff: {
            number: { from: invoice.number, to: null },
            amount: { from: toNumeric(invoice.amount), to: null },
            reason: { to: dto.reversalReason },
          },
        },
        m,
      );
    });
  }

  /** A contract's invoices and the gaps between invoicing and collection, as the API answers them. */
  async invoiceList(user: SessionUser, id: number): Promise<InvoiceList> {
    await this.visible(user, id);
    const [invoices, installments] = await Promise.all([this.repo.invoices(id), this.repo.installments(id)]);
    const invoiced = invoicedOf(invoices);
    const collected = sumMoney(installments.map((i) => i.collected));
    return {
      data: invoices.map(toInvoiceResource),
      invoiced: toNumeric(invoiced),
      invoicedNotCollected: toNumeric(fen(Math.max(0, invoiced - collected))),
      collectedNotInvoiced: toNumeric(fen(Math.max(0, collected - invoiced))),
    };
  }

  /** One invoice of a contract the user sees, as the API answers it. */
  async invoiceResource(user: SessionUser, id: number, invoiceId: number) {
    await this.visible(user, id);
    const i = (await this.repo.invoices(id)).find((x) => x.id === invoiceId);
    if (!i) throw new NotFound();
    return toInvoiceResource(i);
  }

  // ---- My day, reminders, receivables ----

  /** The user's own contracts' overdue installments, most overdue first (one indexed statement). */
  async overdueOnMyDay(user: SessionUser): Promise<OverdueItem[]> {
    const rows = await this.repo.overdueOf(user.id, this.today(user), MY_DAY_OVERDUE);
    return rows.map((r) => ({ ...r, url: `/contracts/${r.contractId}` }));
  }

  /**
   * The morning reminder: each owner with overdue installments not yet reminded today gets one mail
   * listing them (each installment once a day) and an in-app notification. Returns how many owners.
   */
  async sendOverdueReminders(now = new Date()): Promise<number> {
    const today = localDay(now, this.config.defaultTimezone);
    const recipients = new Map((await this.users.activeRecipients()).map((u) => [u.id, u]));
    const told = await this.dataSource.transaction(async (m) => {
      const due = await this.repo.takeOverdueReminders(m, today);
      const byOwner = new Map<number, OverdueRow[]>();
      for (const r of due) byOwner.set(r.ownerId, [...(byOwner.get(r.ownerId) ?? []), r]);
      let n = 0;
      for (const [ownerId, rows] of byOwner) {
        const to = recipients.get(ownerId);
        if (!to) continue;
        const total = sumMoney(rows.map((r) => r.open));
        await this.notifications.notify(
          ownerId,
          'installments_overdue',
          { count: rows.length, amount: formatMoney(total) },
          '/',
          m,
        );
        await this.mail.enqueue(
          {
            to: to.email,
            template: 'overdue-installments',
            locale: to.locale,
            timezone: to.timezone,
            params: { name: to.name, count: rows.length, amount: formatMoney(total) },
            lists: {
              items: rows.map((r) => ({
                contractId: r.contractId,
                number: r.number,
                customerName: r.customerName,
                position: r.position,
                dueOn: r.dueOn,
                open: formatMoney(r.open),
              })),
            },
          },
          m,
        );
        n++;
      }
      return n;
    });
    if (told) await this.mail.kickQuietly();
    return told;
  }

  /**
   * The renewal reminder: the owner of each signed contract ending within RENEWAL_NOTICE_DAYS is told
   * once (in-app and by mail). Returns how many contracts.
   */
  async sendRenewalReminders(now = new Date()): Promise<number> {
    const today = localDay(now, this.config.defaultTimezone);
    const recipients = new Map((await this.users.activeRecipients()).map((u) => [u.id, u]));
    const n = await this.dataSource.transaction(async (m) => {
      const due = await this.repo.takeRenewals(m, today, addDays(today, RENEWAL_NOTICE_DAYS));
      for (const r of due) {
        const params = { number: r.number, title: r.title, customer: r.customerName, endOn: r.endOn };
        await this.notifications.notify(
          r.ownerId,
          'contract_renewal',
          params,
          `/contracts/${r.contractId}`,
          m,
        );
        const to = recipients.get(r.ownerId);
        if (to)
          await this.mail.enqueue(
            {
              to: to.email,
              template: 'contract-renewal',
              locale: to.locale,
              timezone: to.timezone,
              params: { ...params, name: to.name, url: `/contracts/${r.contractId}` },
            },
            m,
          );
      }
      return due.length;
    });
    if (n) await this.mail.kickQuietly();
    return n;
  }

  /**
   * /contracts/receivables: what the user's scope is owed, by owner, by team (when the scope spans
   * more than one) and by customer (those owing most), with the total.
   */
  async receivables(user: SessionUser): Promise<{
    rows: ReceivablesItem[];
    teams: ReceivablesItem[];
    total: ReceivablesItem;
    customers: CustomerReceivablesRow[];
    owing: number;
    /** More customers owe than are listed. */
    moreOwing: boolean;
    today: string;
  }> {
    const scope: ContractScope = this.policy.scope(await this.actor(user, []));
    const directory = new Map((await this.users.everyone()).map((u) => [u.id, u]));
    const ownerIds = scope.everyone ? [...directory.keys()].sort((a, b) => a - b) : scope.ownerIds;
    const today = this.today(user);
    const { month, quarter } = periodsOf(today);
    const found = await this.repo.receivables(ownerIds, today, month, quarter, RECEIVABLES_CUSTOMERS);
    const names = await this.users.namesOf(found.owners.map((r) => r.ownerId));
    const byOwner = found.owners.map((r) => ({
      ...r,
      name: names.get(r.ownerId) ?? '',
      teamId: directory.get(r.ownerId)?.teamId ?? null,
    }));
    const byTeam = new Map<number | null, typeof byOwner>();
    for (const r of byOwner) byTeam.set(r.teamId, [...(byTeam.get(r.teamId) ?? []), r]);
    const teamNames = await this.users.teamNamesOf([...byTeam.keys()].filter((id) => id !== null));
    const teams =
      byTeam.size > 1
        ? [...byTeam].map(([teamId, rows]) => ({
            ...receivablesItem(rows, teamNames.get(teamId ?? 0) ?? ''),
            teamId,
          }))
        : [];
    const worstFirst = (a: ReceivablesItem, b: ReceivablesItem) =>
      b.overdue - a.overdue || b.outstanding - a.outstanding || a.name.localeCompare(b.name);
    return {
      rows: byOwner.map((r) => ({ ...receivablesItem([r], r.name), ownerId: r.ownerId })).sort(worstFirst),
      teams: teams.sort(worstFirst),
      total: receivablesItem(byOwner, ''),
      customers: found.customers,
      owing: found.owing,
      moreOwing: found.owing > found.customers.length,
      today,
    };
  }

  // ---- The customer's 360° page ----

  /**
   * The customer's money, from the signed and completed contracts the viewer sees: what they came to,
   * and what is still owed, with what of it is overdue. None when the viewer sees no such contract.
   */
  private async figuresOf(
    rows: CustomerContractMoney[],
    { viewer, customerId }: TimelinePage,
  ): Promise<SummaryFigure[]> {
    if (!rows.length || !viewer) return [];
    const actor = await this.policy.viewer(viewer, rows, (userId, ids) =>
      this.approvals.approverOf(userId, 'contract', ids),
    );
    const shown = rows.filter((r) => this.policy.can(actor, 'view', r));
    if (!shown.length) return [];
    const today = this.today(viewer);
    // A contract without a plan owes its whole amount, by no day yet.
    const owed = shown.map((r) => (r.installments.length ? outstandingOf(r.installments) : r.amount));
    const overdue = sumMoney(shown.map((r) => overdueOf(r.installments, r.status, today)));
    const locale = viewer.locale;
    const contracts = `/contracts?customer=${customerId}`;
    return [
      {
        labelKey: 'payment.summary_contracted',
        value: formatMoney(sumMoney(shown.map((r) => r.amount))),
        detail: translate(locale, 'payment.summary_contracts', { count: shown.length }),
        url: contracts,
      },
      {
        labelKey: 'payment.outstanding',
        value: formatMoney(sumMoney(owed)),
        detail: overdue
          ? translate(locale, 'payment.summary_overdue', { amount: formatMoney(overdue) })
          : translate(locale, 'payment.summary_none_overdue'),
        alert: overdue > 0,
        url: contracts,
      },
    ];
  }

  // ---- The customer's timeline ----

  /** Payments on the customer's contracts that the viewer may see, one timeline entry each. */
  /** The payments of the customer's contracts (its timeline rows) as entries, as the viewer sees them. */
  private async timelineOf(rows: CustomerPaymentRow[], { viewer }: TimelinePage): Promise<TimelineItem[]> {
    if (!rows.length) return [];
    const contractOf = (r: CustomerPaymentRow) => ({
      id: r.contractId,
      ownerId: r.ownerId,
      status: r.status as Contract['status'],
    });
    const actor = viewer
      ? await this.policy.viewer(viewer, rows.map(contractOf), (userId, ids) =>
          this.approvals.approverOf(userId, 'contract', ids),
        )
      : null;
    const shown = actor ? rows.filter((r) => this.policy.can(actor, 'view', contractOf(r))) : rows;
    const names = await this.users.namesOf(shown.map((r) => r.recordedById));
    const locale = viewer?.locale ?? 'zh-CN';
    return shown.map((r) => ({
      at: r.createdAt,
      kind: 'payment',
      labelKey: r.reversedAt ? 'payment.timeline_reversed' : 'payment.timeline_label',
      by: names.get(r.recordedById) ?? null,
      counterpart: null,
      text: `${r.number} · ${formatMoney(r.amount)} · ${translate(locale, `payment.method.${r.method}`)} · ${r.receivedOn}`,
      promise: null,
      nextAction: null,
      nextAt: null,
      url: `/contracts/${r.contractId}`,
    }));
  }
}
