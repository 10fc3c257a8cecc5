import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DashboardScope } from '../dashboard.types.js';
import type { Period } from '../period.js';
import { Binder, type Figure, FIGURES, figureRows, type RowFilter } from './figure-rows.js';

/** A figure's aggregates over its rows; sums as PostgreSQL numeric text (exact). */
export interface FigureTotals {
  /** rows */
  n: number;
  /** rows that are a hit (won, complaint, first-contact resolved, promoter…) */
  hits: number;
  /** sum of value */
  total: string;
  /** sum of value over the hits */
  totalHit: string;
  /** sum of value2 */
  total2: string;
}

/** One row behind a figure, as a drill-down lists it. */
export interface FigureRow {
  id: number;
  ref: string;
  label: string;
  customerId: number;
  customerName: string;
  at: string;
  ownerId: number | null;
  value: string | null;
  value2: string | null;
  hit: boolean;
  dim1: string | null;
  dim2: string | null;
}

/** A group of a figure's rows. */
export interface GroupTotals extends FigureTotals {
  key: string;
  /** The customer's name when grouped by customer. */
  name: string | null;
}

export type GroupBy = 'dim1' | 'dim2' | 'owner' | 'customer' | 'month';

const GROUP_EXPR: Record<GroupBy, string> = {
  dim1: 'r.dim1',
  dim2: 'r.dim2',
  owner: 'r.owner_id::text',
  customer: 'r.customer_id::text',
  month: 'left(r.at, 7)',
};

const AGGREGATES = `count(*)::int AS n, (count(*) FILTER (WHERE r.hit))::int AS hits,
  coalesce(sum(r.value), 0)::text AS total, coalesce(sum(r.value) FILTER (WHERE r.hit), 0)::text AS "totalHit",
  coalesce(sum(r.value2), 0)::text AS total2`;

/**
 * The dashboard's figures from the facts (customers, deals, contracts, payments, tickets, surveys):
 * the declared exception to module boundaries, reading every module's tables. Each method is one
 * statement, whatever the number of figures or groups asked for.
 */
@Injectable()
export class FiguresQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every figure's totals in `period`, in one statement. */
  async totals(
    scope: DashboardScope,
    period: Period,
    now: Date,
    figures: readonly Figure[] = FIGURES,
  ): Promise<Map<Figure, FigureTotals>> {
    const b = new Binder();
    const parts = figures.map(
      (f) =>
        `SELECT ${b.bind(f)}::text AS figure, ${AGGREGATES} FROM (${figureRows(b, f, scope, period, now)}) r`,
    );
    const rows = await this.dataSource.query<(FigureTotals & { figure: Figure })[]>(
      parts.join('\nUNION ALL\n'),
      b.values,
    );
    return new Map(rows.map(({ figure, ...t }) => [figure, t]));
  }

  /** One figure's totals, narrowed by `filter`: what a drill-down's heading counts. */
  async totalsOf(
    figure: Figure,
    scope: DashboardScope,
    period: Period,
    now: Date,
    filter: RowFilter = {},
  ): Promise<FigureTotals> {
    const b = new Binder();
    const [row] = await this.dataSource.query<FigureTotals[]>(
      `SELECT ${AGGREGATES} FROM (${figureRows(b, figure, scope, period, now, filter)}) r`,
      b.values,
    );
    return row;
  }

  /** The rows behind a figure (at most `limit`), newest first. */
  async rows(
    figure: Figure,
    scope: DashboardScope,
    period: Period,
    now: Date,
    filter: RowFilter,
    limit: number,
  ): Promise<FigureRow[]> {
    const b = new Binder();
    return this.dataSource.query<FigureRow[]>(
      `SELECT r.id, r.ref, r.label, r.customer_id AS "customerId", r.customer_name AS "customerName", r.at,
              r.owner_id AS "ownerId", r.value::text AS value, r.value2::text AS value2, r.hit, r.dim1, r.dim2
         FROM (${figureRows(b, figure, scope, period, now, filter)}) r
        ORDER BY r.at DESC, r.id DESC LIMIT ${Math.trunc(limit)}`,
      b.values,
    );
  }

  /**
   * Figures split into groups (by a dimension, owner, customer or month), several at once in one
   * statement; answered by request index, each group list largest first.
   */
  async groups(
    scope: DashboardScope,
    period: Period,
    now: Date,
    requests: readonly { figure: Figure; by: GroupBy; filter?: RowFilter }[],
  ): Promise<GroupTotals[][]> {
    if (!requests.length) return [];
    const b = new Binder();
    const parts = requests.map(
      (r, i) =>
        `SELECT ${i} AS request, ${GROUP_EXPR[r.by]} AS key, ${r.by === 'customer' ? 'max(r.customer_name)' : 'NULL'} AS name,
                ${AGGREGATES}
           FROM (${figureRows(b, r.figure, scope, period, now, r.filter)}) r GROUP BY 2`,
    );
    const rows = await this.dataSource.query<(GroupTotals & { request: number })[]>(
      parts.join('\nUNION ALL\n'),
      b.values,
    );
    const out: GroupTotals[][] = requests.map(() => []);
    for (const { request, ...g } of rows) out[request].push(g);
    return out;
  }

  /** Team names by id (all teams when `ids` is null), in name order. */
  async teams(ids: number[] | null): Promise<{ id: number; name: string }[]> {
    return this.dataSource.query(
      `SELECT id, name FROM team ${ids === null ? '' : 'WHERE id = ANY($1::int[])'} ORDER BY name`,
      ids === null ? [] : [ids],
    );
  }
}
