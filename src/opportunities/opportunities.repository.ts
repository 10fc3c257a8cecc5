import { decodeCursor, pageOf } from '../common/list-cursor.js';
import { type CustomerIdsQuery, inlineCustomerIds } from '../customers/customers.service.js';
import { at } from '../common/customer-lifecycle.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Fen, fromNumeric } from '../common/money.js';
import { poolOf, prepared } from '../common/sql.js';
import type { OpportunityFilterDto } from './dto/opportunity-filter.dto.js';
import { OpportunityStageChange } from './opportunity-stage-change.entity.js';
import { Opportunity } from './opportunity.entity.js';
import {
  CLOSED_STAGES,
  OPEN_STAGES,
  type OpportunitySort,
  type OpportunityStage,
  OPPORTUNITY_STAGES,
} from './opportunity.options.js';
import { type OpportunityScope, scopeCondition } from './opportunity.policy.js';

export const PAGE_SIZE = 25;
export const COUNT_CAP = 1000;

/** How each sort orders the list, and the type its keyset cursor is read back as. */
const SORTS: Record<OpportunitySort, { key: string; dir: 'ASC' | 'DESC'; cast: string }> = {
  updated: { key: 'o.updated_at', dir: 'DESC', cast: 'timestamptz' },
  close: { key: 'o.expected_close_date', dir: 'ASC', cast: 'date' },
  amount: { key: 'o.amount', dir: 'DESC', cast: 'numeric' },
};

/** A row of the list (and a card of the board): the columns they show. */
export interface OpportunityRow {
  id: number;
  title: string;
  customerId: number;
  /** The customer's current name, kept on the deal by the database. */
  customerName: string;
  ownerId: number;
  stage: OpportunityStage;
  amount: Fen;
  probability: number;
  expectedCloseDate: string;
  lastActivityAt: Date;
  updatedAt: Date;
  version: number;
}

/** One column of the board: how many deals, their sum and their sum weighted by probability (fen). */
export interface StageTotals {
  stage: OpportunityStage;
  count: number;
  sum: Fen;
  weighted: Fen;
}

/** One rep's weighted forecast for one month. */
export interface ForecastRow {
  ownerId: number;
  month: string;
  count: number;
  sum: Fen;
  weighted: Fen;
}

const rowColumns = `o.id, o.title, o.customer_id AS "customerId", o.customer_name AS "customerName",
  o.owner_id AS "ownerId", o.stage, o.amount::text AS amount, o.probability,
  o.expected_close_date::text AS "expectedCloseDate", o.last_activity_at AS "lastActivityAt",
  o.updated_at AS "updatedAt", o.version`;

type RawRow = Omit<OpportunityRow, 'amount'> & { amount: string };

/** Stages written into a statement as a text array (constants of the code, never user input). */
const stageArray = (stages: readonly OpportunityStage[]) => `'{${stages.join(',')}}'::text[]`;
const toRow = (r: RawRow): OpportunityRow => ({ ...r, amount: fromNumeric(r.amount) });

/** A deal as the customer's timeline reads it: JSON, its timestamps as ISO text. */
export type TimelineDealRow = Omit<RawRow, 'lastActivityAt' | 'updatedAt'> & {
  lastActivityAt: string;
  updatedAt: string;
  createdAt: string;
};

/** The words of a deal search, each of which must match (the first five). */
export const dealSearchWords = (q: string | undefined): string[] =>
  (q ?? '').split(/\s+/).filter(Boolean).slice(0, 5);

/**
 * The list's filters as SQL conditions on the deal aliased `o` (scope and owner not among them).
 * `customersFound` holds, for each search word, the customers it finds as the customer list does (its
 * pinyin, initials, a contact), from the customers module.
 */
function filterConditions(
  f: OpportunityFilterDto,
  customersFound: CustomerIdsQuery[],
  staleBefore: Date,
  bind: (value: unknown) => string,
  include = { stage: true },
): string[] {
  const where = ['o.deleted_at IS NULL'];
  // Each word in the deal's title or its customer ("华信 ERP", "hxkj ERP": 华信's ERP deals).
  dealSearchWords(f.q).forEach((word, i) => {
    const like = bind(`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const found = customersFound[i]
      ? ` OR o.customer_id IN (${inlineCustomerIds(customersFound[i], bind)})`
      : '';
    where.push(`(o.title ILIKE ${like} OR o.customer_name ILIKE ${like}${found})`);
  });
  if (include.stage && f.stage) where.push(`o.stage = ${bind(f.stage)}`);
  if (f.customer) where.push(`o.customer_id = ${bind(f.customer)}`);
  if (f.stale)
    where.push(`o.stage = ANY(${bind(OPEN_STAGES)}::text[]) AND o.last_activity_at < ${bind(staleBefore)}`);
  return where;
}

/** The scope narrowed by the owner filter: me, or one owner's id (only within the scope). */
export function narrowedToOwner(scope: OpportunityScope, owner: string | undefined, me: number) {
  if (!owner) return scope;
  const id = owner === 'me' ? me : Number(owner);
  return {
    everyone: false as const,
    ownerIds: scope.everyone || scope.ownerIds.includes(id) ? [id] : [],
  };
}

/**
 * The list page and its capped count as one statement (null: the scope holds no one). As the customer
 * list (README, "The list pattern"): one index scan per owner in the sort's order (an OR of owners
 * would read every deal), merged, then only the page's rows read from the table; the count walks the
 * owners' indexes by last change and stops after COUNT_CAP + 1 rows, unless the kept board totals'
 * open deals already pass the cap.
 */
export function listStatement(
  scope: OpportunityScope,
  f: OpportunityFilterDto,
  customersFound: CustomerIdsQuery[],
  staleBefore: Date,
  dir: 'ASC' | 'DESC',
  ownerDir: 'ASC' | 'DESC',
  cursor: { value: string; id: number } | null,
  size = PAGE_SIZE,
): { text: string; values: unknown[] } | null {
  if (!scope.everyone && !scope.ownerIds.length) return null;
  const sort = SORTS[f.sort ?? 'updated'];
  const key = sort.key;
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  const where = filterConditions(f, customersFound, staleBefore, bind).join(' AND ');
  const after = cursor
    ? ` AND (${key}, o.id) ${dir === 'ASC' ? '>' : '<'} (CAST(${bind(cursor.value)} AS ${sort.cast}), ${bind(cursor.id)}::int)`
    : '';
  const owners = scope.everyone ? null : bind(scope.ownerIds);
  const scans = (columns: string, rows: number, by: { key: string; dir: string }, withCursor: boolean) => {
    const scan = (owner: string) =>
      `SELECT ${columns} FROM opportunity o WHERE ${owner}${where}${withCursor ? after : ''}
         ORDER BY ${owner ? `o.owner_id ${ownerDir}, ` : ''}${by.key} ${by.dir}, o.id ${by.dir} LIMIT ${rows}`;
    return owners === null
      ? scan('')
      : `SELECT b.* FROM unnest(${owners}::int[]) AS w(id) CROSS JOIN LATERAL (${scan('o.owner_id = w.id AND ')}) b`;
  };
  const top = `SELECT id, sort_key FROM (${scans(`o.id, ${key} AS sort_key`, size + 1, { key, dir }, true)}) b
    ORDER BY sort_key ${dir}, id ${dir} LIMIT ${size + 1}`;
  const page = `page AS (SELECT l.* FROM (${top}) top CROSS JOIN LATERAL (
      SELECT ${rowColumns}, ${key} AS sort_key, (${key})::text AS "cursorValue" FROM opportunity o WHERE o.id = top.id) l)`;
  const walked = `SELECT count(*)::int AS n FROM (SELECT 1 FROM (${scans('1', COUNT_CAP + 1, { key: 'o.updated_at', dir: 'DESC' }, false)}) b LIMIT ${COUNT_CAP + 1}) s`;
  // Without a filter the kept board totals do not hold (title words, a customer, staleness), their
  // open deals' rows (a few per owner) tell first whether the scope holds more than the cap; only a
  // scope that does not is counted from the indexes (PostgreSQL runs that branch only when reached).
  const counted =
    f.q || f.customer || f.stale
      ? walked
      : `SELECT CASE WHEN (SELECT coalesce(sum(k.count), 0) FROM opportunity_stage_total k
            WHERE k.closed_on = 'infinity'${f.stage ? ` AND k.stage = ${bind(f.stage)}` : ''}${owners === null ? '' : ` AND k.owner_id = ANY(${owners}::int[])`}) > ${COUNT_CAP}
          THEN ${COUNT_CAP + 1} ELSE (${walked}) END AS n`;
  return {
    text: `WITH ${page}, counted AS (${counted})
      SELECT counted.n AS total, page.* FROM counted LEFT JOIN page ON true ORDER BY page.sort_key ${dir}, page.id ${dir}`,
    values,
  };
}

/** All SQL on deals and their stage history. */
@Injectable()
export class OpportunitiesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, fields: Partial<Opportunity>): Promise<number> {
    const { identifiers } = await m.insert(Opportunity, fields);
    return identifiers[0].id as number;
  }

  async recordStageChange(
    m: EntityManager,
    change: Pick<OpportunityStageChange, 'opportunityId' | 'fromStage' | 'toStage' | 'byId'>,
  ): Promise<void> {
    await m.insert(OpportunityStageChange, change);
  }

  /** A live deal (in the caller's transaction, if given). */
  findLive(id: number, m: EntityManager = this.dataSource.manager): Promise<Opportunity | null> {
    return m.findOne(Opportunity, { where: { id } });
  }

  /** A live deal, locked for a change until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<Opportunity | null> {
    return m.findOne(Opportunity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Saves changed fields; the version moves on. */
  async update(m: EntityManager, id: number, fields: Partial<Opportunity>): Promise<void> {
    await m.update(Opportunity, { id }, fields);
  }

  /** A follow-up logged against the deal: its last activity moves forward, never back (the version stays). */
  async touch(m: EntityManager, id: number, at: Date): Promise<void> {
    await m.query('UPDATE opportunity SET last_activity_at = greatest(last_activity_at, $2) WHERE id = $1', [
      id,
      at,
    ]);
  }

  /** The deal's stage changes, oldest first. */
  history(id: number): Promise<OpportunityStageChange[]> {
    return this.dataSource
      .getRepository(OpportunityStageChange)
      .find({ where: { opportunityId: id }, order: { at: 'ASC', id: 'ASC' } });
  }

  /** The stage a closed deal was in before it closed (its last move into won or lost). */
  async stageBeforeClosing(m: EntityManager, id: number): Promise<OpportunityStage | null> {
    const [row] = await m.query<{ from_stage: OpportunityStage | null }[]>(
      `SELECT from_stage FROM opportunity_stage_change
        WHERE opportunity_id = $1 AND to_stage IN ('won', 'lost') ORDER BY at DESC, id DESC LIMIT 1`,
      [id],
    );
    return row?.from_stage ?? null;
  }

  /** A page of the list with its capped count, in one prepared statement (see listStatement). */
  async findPage(
    scope: OpportunityScope,
    f: OpportunityFilterDto,
    customersFound: CustomerIdsQuery[],
    staleBefore: Date,
    size = PAGE_SIZE,
  ): Promise<{
    rows: OpportunityRow[];
    next: string | null;
    prev: string | null;
    total: number;
    capped: boolean;
  }> {
    const sort = SORTS[f.sort ?? 'updated'];
    const back = !f.after && !!f.before;
    const cursor = f.after
      ? decodeCursor(f.after, sort.cast)
      : f.before
        ? decodeCursor(f.before, sort.cast)
        : null;
    const dir = back ? (sort.dir === 'ASC' ? 'DESC' : 'ASC') : sort.dir;
    const statement = listStatement(
      scope,
      f,
      customersFound,
      staleBefore,
      dir,
      dir === sort.dir ? 'ASC' : 'DESC',
      cursor && { value: cursor[0], id: cursor[1] },
      size,
    );
    type ListRow = RawRow & { total: number; cursorValue: string; sort_key: unknown };
    const found = statement
      ? (await poolOf(this.dataSource).query<ListRow>(prepared(statement.text, statement.values))).rows
      : [];
    const { rows, ...paging } = pageOf(found, size, back, cursor !== null, COUNT_CAP);
    return { rows: rows.map(({ total: _t, cursorValue: _c, sort_key: _k, ...r }) => toRow(r)), ...paging };
  }

  /**
   * The board: per stage, the count, sum and weighted sum of the scope's live deals (the owner filter
   * already applied to the scope; won and lost: those closed since `closedSince`, the start of a day in
   * UTC), and the first `perStage` cards by expected close.
   *
   * The figures come from the totals the database keeps per owner, stage and closing day
   * (`opportunity_stage_total`, migration KeepOpportunityStageTotals): the board sums the few rows of
   * its owners instead of every deal in scope. A filter on what those totals do not hold (title words,
   * a customer, stale deals) falls back to summing the matching deals, from the board's indexes.
   *
   * The cards are read from an index alone, which carries every column a card shows (migration
   * CoverOpportunityBoardCards): an open column's first deals by expected close from the board's
   * index, a closed column's latest closed from the closed deals' (`ix_opportunity_closed_board`),
   * which holds only the window's few at its end.
   *
   * One row per card (a column without cards: one row with its figures and no card), as plain columns:
   * building the cards as JSON cost PostgreSQL more than finding them. The stages are written into the
   * statement, not bound, so that PostgreSQL knows there are six and keeps one plan for the prepared
   * statement instead of planning it again on every view.
   */
  async board(
    scope: OpportunityScope,
    f: OpportunityFilterDto,
    customersFound: CustomerIdsQuery[],
    staleBefore: Date,
    closedSince: Date,
    perStage: number,
  ): Promise<{ totals: StageTotals[]; cards: OpportunityRow[] }> {
    const values: unknown[] = [];
    const bind = (value: unknown) => `$${values.push(value)}`;
    const where = [
      ...filterConditions(f, customersFound, staleBefore, bind, { stage: false }),
      scopeCondition(scope, 'o', bind),
      `(o.closed_at IS NULL OR o.closed_at >= ${bind(closedSince)})`,
    ].join(' AND ');
    // The kept totals know owners, stages and closing days only: a board filtered by title words, a
    // customer or staleness sums its matching deals instead (the statement before the kept totals).
    const kept = !f.q && !f.customer && !f.stale;
    const totals = kept
      ? `SELECT coalesce(sum(k.count), 0)::int AS count, coalesce(sum(k.amount), 0)::text AS sum,
               coalesce(round(sum(k.weighted) / 100, 2), 0)::text AS weighted
          FROM opportunity_stage_total k
         WHERE k.stage = s.stage AND k.closed_on >= ${bind(closedSince.toISOString().slice(0, 10))}::date
           AND ${scopeCondition(scope, 'k', bind)}`
      : `SELECT count(*)::int AS count, coalesce(sum(o.amount), 0)::text AS sum,
               coalesce(round(sum(o.amount * o.probability) / 100, 2), 0)::text AS weighted
          FROM opportunity o WHERE o.stage = s.stage AND ${where}`;
    // Open columns show their deals by expected close; won and lost, the latest closed first. Each
    // column runs the branch of its kind only (the other's stage test is false before any scan).
    const closed = stageArray(CLOSED_STAGES);
    const cards = `SELECT ${rowColumns}, o.closed_at AS "closedAt" FROM opportunity o`;
    const text = `SELECT s.stage AS "column", t.count, t.sum AS "stageSum", t.weighted AS "stageWeighted", c.*
      FROM unnest(${stageArray(OPPORTUNITY_STAGES)}) WITH ORDINALITY AS s(stage, n)
      CROSS JOIN LATERAL (${totals}) t
      LEFT JOIN LATERAL (
        (${cards}
          WHERE s.stage <> ALL(${closed}) AND o.stage = s.stage AND ${where}
          ORDER BY o.expected_close_date, o.id LIMIT ${perStage})
        UNION ALL
        (${cards}
          WHERE s.stage = ANY(${closed}) AND o.stage = s.stage AND o.closed_at >= ${bind(closedSince)} AND ${where}
          ORDER BY o.closed_at DESC, o.id DESC LIMIT ${perStage})) c ON true
      ORDER BY s.n, c."closedAt" DESC NULLS FIRST, c."expectedCloseDate"::date, c.id`;
    // A column without cards: its card columns are null.
    const { rows } = await poolOf(this.dataSource).query<
      RawRow & {
        column: OpportunityStage;
        count: number;
        stageSum: string;
        stageWeighted: string;
        closedAt: Date | null;
      }
    >(prepared(text, values));
    const totalsOf = new Map<OpportunityStage, StageTotals>();
    const found: (OpportunityRow & { closedAt: Date | null })[] = [];
    for (const { column, count, stageSum, stageWeighted, closedAt, ...card } of rows) {
      if (!totalsOf.has(column))
        totalsOf.set(column, {
          stage: column,
          count,
          sum: fromNumeric(stageSum),
          weighted: fromNumeric(stageWeighted),
        });
      if (card.id !== null) found.push({ ...toRow(card), closedAt });
    }
    return { totals: [...totalsOf.values()], cards: found };
  }

  /**
   * The weighted forecast: open deals of the scope by owner and month of expected close (YYYY-MM)
   * before `until`; those expected before `from`, still open, under 'overdue'.
   */
  async forecast(scope: OpportunityScope, from: string, until: string): Promise<ForecastRow[]> {
    const values: unknown[] = [];
    const bind = (value: unknown) => `$${values.push(value)}`;
    const { rows } = await poolOf(this.dataSource).query<{
      ownerId: number;
      month: string;
      count: number;
      sum: string;
      weighted: string;
    }>(
      `SELECT o.owner_id AS "ownerId",
              CASE WHEN o.expected_close_date < ${bind(from)}::date THEN 'overdue'
                   ELSE to_char(date_trunc('month', o.expected_close_date), 'YYYY-MM') END AS month,
              count(*)::int AS count, sum(o.amount)::text AS sum,
              round(sum(o.amount * o.probability) / 100, 2)::text AS weighted
         FROM opportunity o
        WHERE o.deleted_at IS NULL AND o.stage = ANY(${bind(OPEN_STAGES)}::text[])
          AND o.expected_close_date < ${bind(until)}::date
          AND ${scopeCondition(scope, 'o', bind)}
        GROUP BY 1, 2 ORDER BY 2, 1`,
      values,
    );
    return rows.map((r) => ({ ...r, sum: fromNumeric(r.sum), weighted: fromNumeric(r.weighted) }));
  }

  /** Open deals of these owners with no activity since `before`, longest idle first. */
  async stale(ownerIds: number[], before: Date, limit: number): Promise<OpportunityRow[]> {
    if (!ownerIds.length) return [];
    const { rows } = await poolOf(this.dataSource).query<RawRow>(
      `SELECT ${rowColumns} FROM opportunity o
        WHERE o.owner_id = ANY($1::int[]) AND o.deleted_at IS NULL AND o.stage = ANY($2::text[])
          AND o.last_activity_at < $3
        ORDER BY o.last_activity_at, o.id LIMIT ${limit}`,
      [ownerIds, OPEN_STAGES, before],
    );
    return rows.map(toRow);
  }

  /**
   * A customer's ($1) live deals, newest first, at most $2, as a SELECT for its timeline (read with
   * the other modules' entries in one statement).
   */
  readonly timelineSql = `SELECT ${rowColumns}, o.created_at AS "createdAt" FROM opportunity o
     WHERE o.customer_id = $1 AND o.deleted_at IS NULL ORDER BY o.created_at DESC, o.id DESC LIMIT $2`;

  /** The customer's open deals, for the figures at the top of its 360° page. */
  readonly summarySql = `SELECT ${rowColumns}, o.created_at AS "createdAt" FROM opportunity o
     WHERE o.customer_id = $1 AND o.deleted_at IS NULL AND o.stage = ANY(${stageArray(OPEN_STAGES)})`;

  /** The timeline's (and the summary's) rows as deal rows. */
  timelineRows(rows: TimelineDealRow[]): (OpportunityRow & { createdAt: Date })[] {
    return rows.map((r) => ({
      ...toRow({ ...r, lastActivityAt: at(r.lastActivityAt), updatedAt: at(r.updatedAt) }),
      createdAt: at(r.createdAt),
    }));
  }

  /** A customer's live deals, newest first. */
  async ofCustomer(customerId: number, limit: number): Promise<(OpportunityRow & { createdAt: Date })[]> {
    const { rows } = await poolOf(this.dataSource).query<RawRow & { createdAt: Date }>(
      prepared(
        `SELECT ${rowColumns}, o.created_at AS "createdAt" FROM opportunity o
          WHERE o.customer_id = $1 AND o.deleted_at IS NULL ORDER BY o.created_at DESC, o.id DESC LIMIT ${Number(limit)}`,
        [customerId],
      ),
    );
    return rows.map((r) => ({ ...toRow(r), createdAt: r.createdAt }));
  }

  /** The API's list: live deals of the scope by id after `afterId`; `limit` + 1 rows tell whether more follow. */
  findApiPage(
    scope: OpportunityScope,
    f: { customerId?: number; ownerId?: number; stage?: OpportunityStage },
    afterId: number,
    limit: number,
  ): Promise<Opportunity[]> {
    const qb = this.dataSource
      .getRepository(Opportunity)
      .createQueryBuilder('o')
      .where('o.id > :afterId', { afterId });
    if (!scope.everyone) qb.andWhere('o.owner_id = ANY(:owners)', { owners: scope.ownerIds });
    if (f.customerId) qb.andWhere('o.customer_id = :customerId', { customerId: f.customerId });
    if (f.ownerId) qb.andWhere('o.owner_id = :ownerId', { ownerId: f.ownerId });
    if (f.stage) qb.andWhere('o.stage = :stage', { stage: f.stage });
    return qb
      .orderBy('o.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  /** Moves a merged customer's deals to the survivor; returns how many. */
  async moveToCustomer(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE opportunity SET customer_id = $2 WHERE customer_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  /** How many deals a user owns (closed and deleted ones too: the history keeps its owner). */
  async countOwnedBy(userId: number): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM opportunity WHERE owner_id = $1',
      [userId],
    );
    return row.n;
  }

  /** Gives every deal of a leaving user to another; returns how many. */
  async moveOwner(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE opportunity SET owner_id = $2, version = version + 1, updated_at = now() WHERE owner_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  /** A customer's deals, deleted or not, oldest first (a PIPL request). */
  findOfCustomer(
    customerId: number,
  ): Promise<{ title: string; stage: string; amount: string; nextStep: string | null; createdAt: Date }[]> {
    return this.dataSource.query(
      `SELECT title, stage, amount::text AS amount, next_step AS "nextStep", created_at AS "createdAt"
         FROM opportunity WHERE customer_id = $1 ORDER BY created_at, id`,
      [customerId],
    );
  }

  /**
   * Erasing a person: masks what matches `pattern` in the customer's deals (title, competitors, next
   * step, lost note) and their quotes' terms; stages and amounts stay. Answers how many rows changed.
   */
  async maskOfCustomer(m: EntityManager, customerId: number, pattern: string, mask: string): Promise<number> {
    const [, deals] = (await m.query(
      `UPDATE opportunity SET title = regexp_replace(title, $2, $3, 'gi'), competitors = regexp_replace(competitors, $2, $3, 'gi'),
         next_step = regexp_replace(next_step, $2, $3, 'gi'), lost_note = regexp_replace(lost_note, $2, $3, 'gi'),
         version = version + 1, updated_at = now()
       WHERE customer_id = $1 AND concat_ws(' ', title, competitors, next_step, lost_note) ~* $2`,
      [customerId, pattern, mask],
    )) as [unknown, number];
    const [, quotes] = (await m.query(
      `UPDATE quote SET terms = regexp_replace(terms, $2, $3, 'gi'), version = version + 1, updated_at = now() WHERE customer_id = $1 AND terms ~* $2`,
      [customerId, pattern, mask],
    )) as [unknown, number];
    return deals + quotes;
  }
}
