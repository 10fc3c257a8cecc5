import { Injectable } from '@nestjs/common';
import { at } from '../common/customer-lifecycle.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Fen, fromNumeric, toNumeric } from '../common/money.js';
import { Invoice } from './invoice.entity.js';
import type { RatedInstallment } from './collection-rate.js';
import type { ContractStatus } from './contract.options.js';
import type { Allocation } from './payment-allocations.js';
import { PaymentAllocation } from './payment-allocation.entity.js';
import { PaymentInstallment } from './payment-installment.entity.js';
import type { ExactInstallment } from './payment-plan.js';
import { PaymentPlan } from './payment-plan.entity.js';
import { Payment } from './payment.entity.js';
import { COLLECTING_STATUSES } from './payment.options.js';

/** An overdue installment as My day and the reminder list it. */
export interface OverdueRow {
  installmentId: number;
  contractId: number;
  number: string;
  title: string;
  customerName: string;
  ownerId: number;
  position: number;
  dueOn: string;
  open: Fen;
}

/** One owner's receivables: money outstanding and overdue, and the two periods' 回款率 sums. */
export interface ReceivablesRow {
  ownerId: number;
  outstanding: Fen;
  overdue: Fen;
  collected: Fen;
  dueMonth: Fen;
  collectedMonth: Fen;
  dueQuarter: Fen;
  collectedQuarter: Fen;
}

/** One customer's receivables: what its contracts still owe, and since when the oldest unpaid installment was due. */
export interface CustomerReceivablesRow {
  customerId: number;
  customerName: string;
  contracts: number;
  outstanding: Fen;
  overdue: Fen;
  /** The due day of its oldest installment still unpaid past its day; null when nothing is overdue. */
  oldestDue: string | null;
}

/** A signed or completed contract of a customer with its installments, for the customer's figures. */
export interface CustomerContractMoney {
  id: number;
  ownerId: number;
  status: ContractStatus;
  amount: Fen;
  installments: RatedInstallment[];
}

type SummaryJson = Omit<CustomerContractMoney, 'amount' | 'installments'> & {
  amount: string;
  installments: { dueOn: string; amount: string; collected: string }[];
};

/** Receivables by owner and the customers owing most, with how many customers owe anything. */
export interface Receivables {
  owners: ReceivablesRow[];
  customers: CustomerReceivablesRow[];
  owing: number;
}

/** A payment of a customer's contract, for its 360° timeline. */
export interface CustomerPaymentRow {
  id: number;
  contractId: number;
  number: string;
  ownerId: number;
  status: string;
  receivedOn: string;
  amount: Fen;
  method: Payment['method'];
  recordedById: number;
  createdAt: Date;
  reversedAt: Date | null;
}

/** A contract whose owner is reminded to renew it. */
export interface RenewalRow {
  contractId: number;
  number: string;
  title: string;
  customerName: string;
  ownerId: number;
  endOn: string;
}

const COLLECTING = [...COLLECTING_STATUSES];
const money = (v: string | null): Fen => fromNumeric(v ?? '0');

/** All SQL on payment plans, installments, payments, their allocations and invoices. */
@Injectable()
export class PaymentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  /** The plan's version (null: no plan saved yet). */
  async planVersion(contractId: number, m?: EntityManager): Promise<number | null> {
    const plan = await this.m(m).findOne(PaymentPlan, { where: { contractId } });
    return plan?.version ?? null;
  }

  /** A contract's installments in plan order. */
  installments(contractId: number, m?: EntityManager): Promise<PaymentInstallment[]> {
    return this.m(m).find(PaymentInstallment, { where: { contractId }, order: { position: 'ASC' } });
  }

  /**
   * The plan becomes exactly `next` (in the contract's locked transaction): installments named by id
   * are updated in place (their collected money stays with them), new ones inserted, the others
   * deleted; the plan's version moves on (or starts at 1).
   */
  async savePlan(m: EntityManager, contractId: number, next: ExactInstallment[]): Promise<void> {
    const existing = await m.findOne(PaymentPlan, { where: { contractId } });
    if (existing) await m.update(PaymentPlan, { contractId }, { updatedAt: new Date() });
    else await m.insert(PaymentPlan, { contractId });
    const keep = next.filter((n) => n.id !== null).map((n) => n.id!);
    await m.query('DELETE FROM payment_installment WHERE contract_id = $1 AND NOT (id = ANY($2::int[]))', [
      contractId,
      keep,
    ]);
    // Positions move out of the way first: the (contract, position) index is unique.
    await m.query('UPDATE payment_installment SET position = -position WHERE contract_id = $1', [contractId]);
    for (const n of next) {
      const fields = { position: n.position, dueOn: n.dueOn, amount: n.amount, note: n.note };
      if (n.id !== null) await m.update(PaymentInstallment, { id: n.id, contractId }, fields);
      else await m.insert(PaymentInstallment, { ...fields, contractId });
    }
  }

  /** A contract's payments, newest received first, with the installments each went to. */
  async payments(
    contractId: number,
    m?: EntityManager,
  ): Promise<(Payment & { allocations: Allocation[] })[]> {
    const rows = await this.m(m).find(Payment, {
      where: { contractId },
      order: { receivedOn: 'DESC', id: 'DESC' },
    });
    const allocations = rows.length
      ? await this.m(m)
          .createQueryBuilder(PaymentAllocation, 'a')
          .where('a.payment_id = ANY(:ids)', { ids: rows.map((r) => r.id) })
          .getMany()
      : [];
    return rows.map((p) =>
      Object.assign(p, {
        allocations: allocations
          .filter((a) => a.paymentId === p.id)
          .map((a) => ({ installmentId: a.installmentId, amount: a.amount })),
      }),
    );
  }

  /** Stores a payment and its allocations, and adds them to the installments' collected money. */
  async insertPayment(
    m: EntityManager,
    fields: Partial<Payment>,
    allocations: Allocation[],
  ): Promise<number> {
    const { identifiers } = await m.insert(Payment, fields);
    const id = identifiers[0].id as number;
    for (const a of allocations) {
      await m.insert(PaymentAllocation, { paymentId: id, installmentId: a.installmentId, amount: a.amount });
      await m.query('UPDATE payment_installment SET collected = collected + $2 WHERE id = $1', [
        a.installmentId,
        toNumeric(a.amount),
      ]);
    }
    return id;
  }

  /** A payment of the contract, locked for its reversal. */
  lockPayment(m: EntityManager, contractId: number, id: number): Promise<Payment | null> {
    return m.findOne(Payment, { where: { id, contractId }, lock: { mode: 'pessimistic_write' } });
  }

  lockInvoice(m: EntityManager, contractId: number, id: number): Promise<Invoice | null> {
    return m.findOne(Invoice, { where: { id, contractId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Marks an invoice reversed by a red-letter invoice (红冲): kept, no longer counted. */
  async reverseInvoice(m: EntityManager, id: number, by: number, reason: string): Promise<void> {
    await m.update(Invoice, { id }, { reversedAt: new Date(), reversedById: by, reversalReason: reason });
  }

  /** Marks a payment reversed; its allocations stay as the record of what it had covered. */
  async reversePayment(m: EntityManager, id: number, by: number, reason: string): Promise<void> {
    await m.update(Payment, { id }, { reversedAt: new Date(), reversedById: by, reversalReason: reason });
  }

  /**
   * Shares the contract's live payments out over its installments afresh: their allocations become
   * `shares`, and each installment's collected money the sum of what live payments give it.
   */
  async reallocate(
    m: EntityManager,
    contractId: number,
    shares: { paymentId: number; allocations: Allocation[] }[],
  ): Promise<void> {
    await m.query(
      `DELETE FROM payment_allocation a USING payment p
        WHERE a.payment_id = p.id AND p.contract_id = $1 AND p.reversed_at IS NULL`,
      [contractId],
    );
    for (const { paymentId, allocations } of shares)
      for (const a of allocations)
        await m.insert(PaymentAllocation, { paymentId, installmentId: a.installmentId, amount: a.amount });
    await m.query(
      `UPDATE payment_installment i
          SET collected = coalesce((SELECT sum(a.amount) FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
                                     WHERE a.installment_id = i.id AND p.reversed_at IS NULL), 0)
        WHERE i.contract_id = $1`,
      [contractId],
    );
  }

  invoices(contractId: number, m?: EntityManager): Promise<Invoice[]> {
    return this.m(m).find(Invoice, { where: { contractId }, order: { issuedOn: 'DESC', id: 'DESC' } });
  }

  async insertInvoice(m: EntityManager, fields: Partial<Invoice>): Promise<number> {
    const { identifiers } = await m.insert(Invoice, fields);
    return identifiers[0].id as number;
  }

  /** Whether the contract already has an invoice of this number. */
  /**
   * The live contract an invoice numbered `number` is already recorded on, if any: an invoice's number
   * is the issuer's own, so the same number on two contracts is one invoice recorded twice.
   */
  async contractWithInvoice(m: EntityManager, number: string): Promise<{ id: number } | null> {
    const rows = await m.query<{ id: number }[]>(
      `SELECT c.id FROM invoice i JOIN contract c ON c.id = i.contract_id
        WHERE i.number = $1 AND c.deleted_at IS NULL ORDER BY i.id LIMIT 1`,
      [number],
    );
    return rows[0] ?? null;
  }

  /**
   * The payments of a customer's ($1) live contracts, newest recorded first, at most $2, as a SELECT
   * for its timeline (read with the other modules' entries in one statement).
   */
  readonly timelineSql = `SELECT p.id, p.contract_id AS "contractId", c.number, c.owner_id AS "ownerId", c.status,
            p.received_on::text AS "receivedOn", p.amount::text AS amount, p.method,
            p.recorded_by_id AS "recordedById", p.created_at AS "createdAt", p.reversed_at AS "reversedAt"
       FROM contract c JOIN payment p ON p.contract_id = c.id
      WHERE c.customer_id = $1 AND c.deleted_at IS NULL
      ORDER BY p.created_at DESC, p.id DESC LIMIT $2`;

  /**
   * The customer's signed and completed contracts with their installments, for the figures at the top
   * of its 360° page (what it still owes, and how much of that is overdue).
   */
  readonly summarySql = `SELECT c.id, c.owner_id AS "ownerId", c.status, c.amount::text AS amount,
            (SELECT coalesce(json_agg(json_build_object('dueOn', i.due_on, 'amount', i.amount::text,
                                                       'collected', i.collected::text)), '[]')
               FROM payment_installment i WHERE i.contract_id = c.id) AS installments
       FROM contract c
      WHERE c.customer_id = $1 AND c.deleted_at IS NULL AND c.status IN (${COLLECTING.map((s) => `'${s}'`).join(', ')})`;

  /** The summary's rows (JSON: money as text) with exact money. */
  summaryRows(rows: SummaryJson[]): CustomerContractMoney[] {
    return rows.map((r) => ({
      ...r,
      amount: money(r.amount),
      installments: r.installments.map((i) => ({
        ...i,
        amount: money(i.amount),
        collected: money(i.collected),
      })),
    }));
  }

  /** The timeline's rows (JSON: times as ISO text, the amount as text) as payment rows. */
  timelineRows(
    rows: (Omit<CustomerPaymentRow, 'amount' | 'createdAt' | 'reversedAt'> & {
      amount: string;
      createdAt: string;
      reversedAt: string | null;
    })[],
  ): CustomerPaymentRow[] {
    return rows.map((r) => ({
      ...r,
      amount: money(r.amount),
      createdAt: at(r.createdAt),
      reversedAt: at(r.reversedAt, 'nullable'),
    }));
  }

  /**
   * An owner's overdue installments, most overdue first, in one statement: the owner's signed and
   * completed contracts from the contract list's owner index, and each one's open installments due
   * before `today` from the open-installment index.
   */
  async overdueOf(ownerId: number, today: string, limit: number): Promise<OverdueRow[]> {
    const rows = await this.dataSource.query<(Omit<OverdueRow, 'open'> & { open: string })[]>(
      `SELECT i.id AS "installmentId", c.id AS "contractId", c.number, c.title, c.customer_name AS "customerName",
              c.owner_id AS "ownerId", i.position, i.due_on::text AS "dueOn", (i.amount - i.collected)::text AS open
         FROM contract c JOIN payment_installment i ON i.contract_id = c.id AND i.collected < i.amount AND i.due_on < $2
        WHERE c.owner_id = $1 AND c.status = ANY($3) AND c.deleted_at IS NULL
        ORDER BY i.due_on, i.id LIMIT ${Number(limit)}`,
      [ownerId, today, COLLECTING],
    );
    return rows.map((r) => ({ ...r, open: money(r.open) }));
  }

  /**
   * Takes today's reminder of every overdue installment not yet reminded today (marking it, so each is
   * reminded once a day whatever runs), in one statement over the open installments by due day.
   */
  async takeOverdueReminders(m: EntityManager, today: string): Promise<OverdueRow[]> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows] = await m.query<[(Omit<OverdueRow, 'open'> & { open: string })[], number]>(
      `UPDATE payment_installment i SET reminded_on = $1
         FROM contract c
        WHERE c.id = i.contract_id AND i.collected < i.amount AND i.due_on < $1
          AND (i.reminded_on IS NULL OR i.reminded_on < $1)
          AND c.status = ANY($2) AND c.deleted_at IS NULL
        RETURNING i.id AS "installmentId", c.id AS "contractId", c.number, c.title, c.customer_name AS "customerName",
                  c.owner_id AS "ownerId", i.position, i.due_on::text AS "dueOn", (i.amount - i.collected)::text AS open`,
      [today, COLLECTING],
    );
    return rows
      .map((r) => ({ ...r, open: money(r.open) }))
      .sort((a, b) => (a.dueOn === b.dueOn ? a.installmentId - b.installmentId : a.dueOn < b.dueOn ? -1 : 1));
  }

  /**
   * Receivables in one statement, by owner and by customer: the owners' signed and completed
   * contracts (one scan of the owner index each) and their installments (by contract), read once and
   * summed both ways. By owner: outstanding, overdue (due before `today`), collected, and due and
   * collected for installments due in the month and the quarter; owners with nothing signed are left
   * out. By customer: the `limit` customers owing most (overdue first, then outstanding), each with its
   * oldest unpaid due day, and how many customers owe anything. A contract without a plan counts its
   * whole amount as outstanding, due on no day.
   */
  async receivables(
    ownerIds: number[],
    today: string,
    month: { from: string; to: string },
    quarter: { from: string; to: string },
    limit: number,
  ): Promise<Receivables> {
    if (!ownerIds.length) return { owners: [], customers: [], owing: 0 };
    type Raw = {
      owners: (Record<Exclude<keyof ReceivablesRow, 'ownerId'>, string> & { ownerId: number })[];
      customers: (Omit<CustomerReceivablesRow, 'outstanding' | 'overdue'> & {
        outstanding: string;
        overdue: string;
      })[];
      owing: number;
    };
    const [row] = await this.dataSource.query<Raw[]>(
      `WITH items AS MATERIALIZED (
         SELECT w.id AS owner_id, i.* FROM unnest($1::int[]) AS w(id) CROSS JOIN LATERAL (
           SELECT c.customer_id, c.customer_name, c.id AS contract_id, i.amount, i.collected, i.due_on
             FROM contract c JOIN payment_installment i ON i.contract_id = c.id
            WHERE c.owner_id = w.id AND c.status = ANY($7) AND c.deleted_at IS NULL
           UNION ALL
           -- A contract signed without a plan: its whole amount is owed, by no date yet.
           SELECT c.customer_id, c.customer_name, c.id, c.amount, 0, NULL FROM contract c
            WHERE c.owner_id = w.id AND c.status = ANY($7) AND c.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM payment_installment i WHERE i.contract_id = c.id)) i),
       owners AS (
         SELECT owner_id AS "ownerId",
                sum(amount - collected)::text AS outstanding,
                coalesce(sum(amount - collected) FILTER (WHERE due_on < $2), 0)::text AS overdue,
                sum(collected)::text AS collected,
                coalesce(sum(amount) FILTER (WHERE due_on BETWEEN $3 AND $4), 0)::text AS "dueMonth",
                coalesce(sum(collected) FILTER (WHERE due_on BETWEEN $3 AND $4), 0)::text AS "collectedMonth",
                coalesce(sum(amount) FILTER (WHERE due_on BETWEEN $5 AND $6), 0)::text AS "dueQuarter",
                coalesce(sum(collected) FILTER (WHERE due_on BETWEEN $5 AND $6), 0)::text AS "collectedQuarter"
           FROM items GROUP BY owner_id),
       customers AS (
         SELECT customer_id AS "customerId", max(customer_name) AS "customerName",
                count(DISTINCT contract_id)::int AS contracts,
                sum(amount - collected) AS outstanding,
                coalesce(sum(amount - collected) FILTER (WHERE due_on < $2), 0) AS overdue,
                min(due_on) FILTER (WHERE due_on < $2 AND collected < amount)::text AS "oldestDue"
           FROM items GROUP BY customer_id HAVING sum(amount - collected) > 0)
       SELECT (SELECT coalesce(json_agg(o ORDER BY o."ownerId"), '[]') FROM owners o) AS owners,
              (SELECT coalesce(json_agg(c), '[]') FROM (
                 SELECT k."customerId", k."customerName", k.contracts, k.outstanding::text, k.overdue::text, k."oldestDue"
                   FROM customers k ORDER BY k.overdue DESC, k.outstanding DESC, k."customerId" LIMIT $8) c) AS customers,
              (SELECT count(*)::int FROM customers) AS owing`,
      [ownerIds, today, month.from, month.to, quarter.from, quarter.to, COLLECTING, limit],
    );
    return {
      owners: row.owners.map((r) => ({
        ownerId: r.ownerId,
        outstanding: money(r.outstanding),
        overdue: money(r.overdue),
        collected: money(r.collected),
        dueMonth: money(r.dueMonth),
        collectedMonth: money(r.collectedMonth),
        dueQuarter: money(r.dueQuarter),
        collectedQuarter: money(r.collectedQuarter),
      })),
      customers: row.customers.map((r) => ({
        ...r,
        outstanding: money(r.outstanding),
        overdue: money(r.overdue),
      })),
      owing: row.owing,
    };
  }

  /**
   * Takes the renewal reminder of every signed contract ending between `from` and `until` whose owner
   * was not yet reminded (recording it, so each contract is reminded once).
   */
  takeRenewals(m: EntityManager, from: string, until: string): Promise<RenewalRow[]> {
    return m.query<RenewalRow[]>(
      `WITH due AS (
         INSERT INTO contract_renewal_reminder (contract_id, reminded_at)
         SELECT c.id, now() FROM contract c
          WHERE c.status = 'signed' AND c.deleted_at IS NULL AND c.end_on BETWEEN $1 AND $2
         ON CONFLICT (contract_id) DO NOTHING RETURNING contract_id)
       SELECT c.id AS "contractId", c.number, c.title, c.customer_name AS "customerName", c.owner_id AS "ownerId",
              c.end_on::text AS "endOn"
         FROM due JOIN contract c ON c.id = due.contract_id ORDER BY c.owner_id, c.end_on, c.id`,
      [from, until],
    );
  }
}
