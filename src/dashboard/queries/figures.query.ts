import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DashboardScope } from '../dashboard.types.js';
import { localDay } from '../../common/time.js';
import { addDays, type Period, spanOf } from '../period.js';
import {
  BY_CUSTOMER,
  keptDays,
  keptFunnel,
  kpiState,
  LIVE,
  ROLLED,
  SLICED,
  wholeMonths,
} from './day-totals.js';
import {
  activeCustomerTotals,
  Binder,
  type Figure,
  FIGURES,
  figureRows,
  type RowFilter,
} from './figure-rows.js';

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

/** The same aggregates over parts (x) that each count and sum some of the rows. */
const SUMMED = `coalesce(sum(x.n), 0)::int AS n, coalesce(sum(x.hits), 0)::int AS hits,
  coalesce(sum(x.total), 0)::text AS total, coalesce(sum(x.total_hit), 0)::text AS "totalHit",
  coalesce(sum(x.total2), 0)::text AS total2`;

/** A group's key in day totals `d`. */
const KEPT_GROUP_EXPR: Record<GroupBy, string> = {
  dim1: 'd.dim1',
  dim2: 'd.dim2',
  owner: 'd.owner_id::text',
  customer: 'd.customer_id::text',
  month: "to_char(d.day, 'YYYY-MM')",
};

/** What a row adds to the parts summed by SUMMED. */
const ROW_PART =
  'r.hit::int AS hits, r.value AS total, CASE WHEN r.hit THEN r.value END AS total_hit, r.value2 AS total2';

/**
 * The dashboard's figures from the facts (customers, deals, contracts, payments, tickets, surveys):
 * the declared exception to module boundaries, reading every module's tables. Each method is one
 * statement, whatever the number of figures or groups asked for.
 */
@Injectable()
export class FiguresQuery {
  /** Whether the figures kept in day totals are read from them (else every figure from its rows). */
  private kept = true;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The same figures, every one read from its rows: what the day totals are checked and timed against. */
  fromRowsOnly(): FiguresQuery {
    const rows = new FiguresQuery(this.dataSource);
    rows.kept = false;
    return rows;
  }

  /**
   * Every figure's totals in `period`, in one statement: those kept in day totals (day-totals.ts)
   * from them, except the days changed since they were last counted, read from the records.
   */
  async totals(
    scope: DashboardScope,
    period: Period,
    now: Date,
    figures: readonly Figure[] = FIGURES,
  ): Promise<Map<Figure, FigureTotals>> {
    const b = new Binder();
    const state = this.kept ? `WITH ${kpiState(b, period.zone)}\n` : '';
    const parts = figures.map(
      (f) =>
        `SELECT ${b.bind(f)}::text AS figure, x.* FROM (${this.figureTotals(b, f, scope, period, now)}) x`,
    );
    const rows = await this.dataSource.query<(FigureTotals & { figure: Figure })[]>(
      state + parts.join('\nUNION ALL\n'),
      b.values,
    );
    return new Map(rows.map(({ figure, ...t }) => [figure, t]));
  }

  /** A figure's totals as one row (n, hits, total, totalHit, total2), from day totals where kept. */
  private figureTotals(b: Binder, f: Figure, scope: DashboardScope, period: Period, now: Date): string {
    if (this.kept && f === 'backlog') return this.keptBacklog(b, scope, period, now);
    if (this.kept && f === 'active_customers') return activeCustomerTotals(b, scope);
    if (!this.kept || !ROLLED.has(f))
      return `SELECT ${AGGREGATES} FROM (${figureRows(b, f, scope, period, now)}) r`;
    return `SELECT ${SUMMED}
      FROM (SELECT d.n, d.hits, d.total, d.total_hit, d.total2 FROM (${keptDays(b, f, false, scope, period)}) d
            UNION ALL
            SELECT 1, ${ROW_PART} FROM (${figureRows(b, f, scope, period, now, {}, LIVE)}) r) x`;
  }

  /**
   * The backlog at the period's end (or now) from the day totals of tickets coming in and going:
   * those come in before it less those gone before it, aged from the instants they came in (the
   * days before the cut-off's from the totals, the cut-off's day up to it from the records).
   */
  private keptBacklog(b: Binder, scope: DashboardScope, period: Period, now: Date): string {
    const cut = new Date(Math.min(period.end.getTime(), now.getTime()));
    const cutDay = localDay(cut, period.zone);
    const before = spanOf('custom', '1900-01-01', addDays(cutDay, -1), period.zone);
    const today: Period = { ...spanOf('custom', cutDay, cutDay, period.zone), end: cut };
    const flow = (p: Period, live: boolean) =>
      (['backlog_in', 'backlog_out'] as const)
        .map((f) => {
          const sign = f === 'backlog_in' ? '' : '-';
          return `SELECT ${sign}1 AS n, ${sign}r.value AS total
                    FROM (${figureRows(b, f, scope, p, now, {}, live ? LIVE : undefined)}) r`;
        })
        .join(' UNION ALL ');
    const kept = `SELECT CASE WHEN d.figure = 'backlog_in' THEN d.n ELSE -d.n END AS n,
                         CASE WHEN d.figure = 'backlog_in' THEN d.total ELSE -d.total END AS total
                    FROM (${keptDays(b, 'backlog_in', false, scope, before)}
                          UNION ALL ${keptDays(b, 'backlog_out', false, scope, before)}) d`;
    return `SELECT y.n, y.n AS hits, y.total, y.total AS "totalHit", '0' AS total2
      FROM (SELECT coalesce(sum(x.n), 0)::int AS n,
                   ((coalesce(sum(x.n), 0) * extract(epoch FROM ${b.bind(cut)}::timestamptz) - coalesce(sum(x.total), 0))
                     / 86400)::text AS total
              FROM (${kept} UNION ALL ${flow(before, true)} UNION ALL ${flow(today, false)}) x) y`;
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
    const state = this.kept ? `WITH ${kpiState(b, period.zone)}\n` : '';
    const parts = requests.map((r, i) => {
      if (this.kept && r.figure === 'funnel' && r.by === 'dim1' && !narrowed(r.filter) && wholeMonths(period))
        return `SELECT ${i} AS request, x.key, NULL AS name, ${SUMMED}
           FROM (${keptFunnel(b, scope, period, now, ROW_PART)}) x GROUP BY x.key`;
      if (!this.keptGroup(r.figure, r.by, r.filter))
        return `SELECT ${i} AS request, ${GROUP_EXPR[r.by]} AS key, ${r.by === 'customer' ? 'max(r.customer_name)' : 'NULL'} AS name,
                ${AGGREGATES}
           FROM (${figureRows(b, r.figure, scope, period, now, r.filter)}) r GROUP BY 2`;
      const sliced = r.by === 'dim1' || r.by === 'dim2' || r.by === 'customer';
      return `SELECT ${i} AS request, x.key,
                ${r.by === 'customer' ? '(SELECT cu.name FROM customer cu WHERE cu.id = x.key::int)' : 'NULL'} AS name, ${SUMMED}
           FROM (SELECT ${KEPT_GROUP_EXPR[r.by]} AS key, d.n, d.hits, d.total, d.total_hit, d.total2
                   FROM (${keptDays(b, r.figure, sliced, scope, period)}) d
                 UNION ALL
                 SELECT ${GROUP_EXPR[r.by]}, 1, ${ROW_PART}
                   FROM (${figureRows(b, r.figure, scope, period, now, {}, LIVE)}) r) x
          GROUP BY x.key`;
    });
    const rows = await this.dataSource.query<(GroupTotals & { request: number })[]>(
      state + parts.join('\nUNION ALL\n'),
      b.values,
    );
    const out: GroupTotals[][] = requests.map(() => []);
    for (const { request, ...g } of rows) out[request].push(g);
    return out;
  }

  /** Whether a group of `figure`'s rows is summed from its day totals. */
  private keptGroup(figure: Figure, by: GroupBy, filter?: RowFilter): boolean {
    if (!this.kept || !ROLLED.has(figure) || narrowed(filter)) return false;
    if (by === 'owner' || by === 'month') return true;
    return by === 'customer' ? BY_CUSTOMER.has(figure) : SLICED.has(figure);
  }

  /** Team names by id (all teams when `ids` is null), in name order. */
  async teams(ids: number[] | null): Promise<{ id: number; name: string }[]> {
    return this.dataSource.query(
      `SELECT id, name FROM team ${ids === null ? '' : 'WHERE id = ANY($1::int[])'} ORDER BY name`,
      ids === null ? [] : [ids],
    );
  }
}

/** Whether a filter narrows the rows at all. */
function narrowed(filter?: RowFilter): boolean {
  return filter !== undefined && Object.values(filter).some((v) => v !== undefined);
}
