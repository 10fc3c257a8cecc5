import { Injectable } from '@nestjs/common';
import { at } from '../../common/customer-lifecycle.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Fen, fromNumeric } from '../../common/money.js';
import type { OpportunityStage } from '../opportunity.options.js';
import type { OpportunityScope } from '../opportunity.policy.js';
import { QuoteLine } from './quote-line.entity.js';
import { Quote } from './quote.entity.js';
import type { QuoteStatus } from './quote.options.js';
import { quoteScopeCondition } from './quote.policy.js';

/** A live quote with what the policy and its pages need of its deal. */
export interface QuoteRecord extends Quote {
  dealOwnerId: number;
  dealTitle: string;
}

/** The deal a quote is made on, as quotes need it. */
export interface QuoteDeal {
  id: number;
  title: string;
  customerId: number;
  ownerId: number;
  stage: OpportunityStage;
}

/** A quote as lists (the deal page, the customer's timeline) show it. */
export interface QuoteRow {
  id: number;
  number: string;
  opportunityId: number;
  customerId: number;
  dealOwnerId: number;
  dealTitle: string;
  status: QuoteStatus;
  total: Fen;
  validUntil: string;
  createdAt: Date;
}

const rowColumns = `q.id, q.number, q.opportunity_id AS "opportunityId", q.customer_id AS "customerId",
  o.owner_id AS "dealOwnerId", o.title AS "dealTitle", q.status, q.total::text AS total,
  q.valid_until::text AS "validUntil", q.created_at AS "createdAt"`;
type RawRow = Omit<QuoteRow, 'total'> & { total: string };
const toRow = (r: RawRow): QuoteRow => ({ ...r, total: fromNumeric(r.total) });

/** All SQL on quotes and their lines (and the deal fields quotes read, in the same module). */
@Injectable()
export class QuotesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A live deal, locked against a concurrent change when `m` is a transaction. */
  async deal(id: number, m: EntityManager = this.dataSource.manager): Promise<QuoteDeal | null> {
    const rows = await m.query<QuoteDeal[]>(
      `SELECT id, title, customer_id AS "customerId", owner_id AS "ownerId", stage
         FROM opportunity WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A live quote with its deal's owner and title; locked (FOR UPDATE) when `lock`. */
  async find(
    id: number,
    m: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<QuoteRecord | null> {
    const qb = m
      .getRepository(Quote)
      .createQueryBuilder('q')
      .innerJoin('opportunity', 'o', 'o.id = q.opportunity_id')
      .addSelect('o.owner_id', 'deal_owner_id')
      .addSelect('o.title', 'deal_title')
      .where('q.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write', undefined, ['q']);
    const { entities, raw } = await qb.getRawAndEntities<{ deal_owner_id: number; deal_title: string }>();
    if (!entities.length) return null;
    return Object.assign(entities[0], { dealOwnerId: raw[0].deal_owner_id, dealTitle: raw[0].deal_title });
  }

  lines(quoteId: number, m: EntityManager = this.dataSource.manager): Promise<QuoteLine[]> {
    return m.find(QuoteLine, { where: { quoteId }, order: { position: 'ASC' } });
  }

  /** The lines of several quotes, by quote, in order. */
  async linesOf(quoteIds: number[]): Promise<Map<number, QuoteLine[]>> {
    const out = new Map<number, QuoteLine[]>();
    if (!quoteIds.length) return out;
    const lines = await this.dataSource
      .getRepository(QuoteLine)
      .createQueryBuilder('l')
      .where('l.quote_id = ANY(:ids)', { ids: quoteIds })
      .orderBy('l.quote_id')
      .addOrderBy('l.position')
      .getMany();
    for (const l of lines) out.set(l.quoteId, [...(out.get(l.quoteId) ?? []), l]);
    return out;
  }

  async insert(m: EntityManager, fields: Partial<Quote>): Promise<number> {
    const { identifiers } = await m.insert(Quote, fields);
    return identifiers[0].id as number;
  }

  /** Saves changed fields; the version moves on. */
  async update(m: EntityManager, id: number, fields: Partial<Quote>): Promise<void> {
    await m.update(Quote, { id }, fields);
  }

  /** The quote's lines become exactly these (positions 1, 2, 3… in order). */
  async replaceLines(m: EntityManager, quoteId: number, lines: Omit<QuoteLine, 'id' | 'quoteId'>[]) {
    await m.delete(QuoteLine, { quoteId });
    await m.insert(
      QuoteLine,
      lines.map((l) => ({ ...l, quoteId })),
    );
  }

  async softDelete(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(Quote, { id });
  }

  /** The deal's live quotes, newest first. */
  async ofDeal(dealId: number): Promise<QuoteRow[]> {
    const rows = await this.dataSource.query<RawRow[]>(
      `SELECT ${rowColumns} FROM quote q JOIN opportunity o ON o.id = q.opportunity_id
        WHERE q.opportunity_id = $1 AND q.deleted_at IS NULL ORDER BY q.created_at DESC, q.id DESC LIMIT 100`,
      [dealId],
    );
    return rows.map(toRow);
  }

  /**
   * The customer's ($1) live quotes on live deals, newest first, at most $2, as a SELECT for its
   * timeline (read with the other modules' entries in one statement).
   */
  readonly timelineSql = `SELECT ${rowColumns} FROM quote q JOIN opportunity o ON o.id = q.opportunity_id
     WHERE q.customer_id = $1 AND q.deleted_at IS NULL AND o.deleted_at IS NULL
     ORDER BY q.created_at DESC, q.id DESC LIMIT $2`;

  /** The timeline's rows (JSON: the time as ISO text) as quote rows. */
  timelineRows(rows: (Omit<RawRow, 'createdAt'> & { createdAt: string })[]): QuoteRow[] {
    return rows.map((r) => toRow({ ...r, createdAt: at(r.createdAt) }));
  }

  /** Whether any sent quote is valid only until before `today` (one look at a small partial index). */
  async anyLapsed(today: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM quote WHERE status = 'sent' AND deleted_at IS NULL AND valid_until < $1::date LIMIT 1`,
      [today],
    );
    return rows.length > 0;
  }

  /**
   * Sent quotes valid until before `today` become expired; returns their ids and versions before.
   * Run on reading quotes, so a page never shows a lapsed quote as sent.
   */
  async expireLapsed(m: EntityManager, today: string): Promise<{ id: number }[]> {
    const [rows] = await m.query<[{ id: number }[], number]>(
      `UPDATE quote SET status = 'expired', version = version + 1, updated_at = now()
        WHERE status = 'sent' AND deleted_at IS NULL AND valid_until < $1::date RETURNING id`,
      [today],
    );
    return rows;
  }

  /** The API's list: live quotes of the scope by id after `afterId`; `limit` + 1 rows tell whether more follow. */
  async apiPage(
    scope: OpportunityScope,
    f: { opportunityId?: number; customerId?: number; status?: QuoteStatus },
    afterId: number,
    limit: number,
  ): Promise<Quote[]> {
    const qb = this.dataSource
      .getRepository(Quote)
      .createQueryBuilder('q')
      .innerJoin('opportunity', 'o', 'o.id = q.opportunity_id')
      .where('q.id > :afterId', { afterId });
    const params: Record<string, unknown> = {};
    let n = 0;
    const condition = quoteScopeCondition(scope, 'o', (value) => {
      const name = `scope${n++}`;
      params[name] = value;
      return `:${name}`;
    });
    qb.andWhere(condition.replace(/::int\[\]/g, ''), params);
    if (f.opportunityId) qb.andWhere('q.opportunity_id = :dealId', { dealId: f.opportunityId });
    if (f.customerId) qb.andWhere('q.customer_id = :customerId', { customerId: f.customerId });
    if (f.status) qb.andWhere('q.status = :status', { status: f.status });
    return qb
      .orderBy('q.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  /** How many quotes a user prepared (deleted ones too: the history keeps its owner). */
  async countOwnedBy(userId: number): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM quote WHERE owner_id = $1',
      [userId],
    );
    return row.n;
  }

  /** Gives every quote a leaving user prepared to another; returns how many. */
  async moveOwner(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE quote SET owner_id = $2, version = version + 1, updated_at = now() WHERE owner_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  /** Moves a merged customer's quotes to the survivor; returns how many. */
  async moveToCustomer(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE quote SET customer_id = $2 WHERE customer_id = $1',
      [fromId, toId],
    );
    return moved;
  }
}
