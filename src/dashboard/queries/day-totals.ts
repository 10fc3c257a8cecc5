import type { DashboardScope } from '../dashboard.types.js';
import { addDays, monthsOf, type Period, spanOf } from '../period.js';
import {
  BACKLOG_FLOWS,
  type Binder,
  type Figure,
  FUNNEL,
  figureRows,
  funnelRowsOf,
  type LiveDays,
  type RowSet,
} from './figure-rows.js';

/**
 * The dashboard's day totals (`kpi_day_total`, migration KeepKpiDayTotals): for each figure that
 * counts the records of a day, and each day, the aggregates of its rows by whose they are (owner, and
 * for tickets and answers the assignee, team and customer's owner a scope matches them by); for the
 * figures the page splits by a dimension or customer, a second, "sliced" set with those too.
 *
 * Exact at every moment: the days a change touched are listed in `kpi_dirty` (by triggers, in the
 * writer's transaction) until the job counts them again, and a page reads the rows of listed days
 * from the records (figure-rows.ts, `live`), the other days from the totals.
 */

/** The row sets of tickets and answers: a scope matches them by assignee, team or customer's owner. */
const TICKET_SIDE: readonly RowSet[] = [
  'tickets',
  'first_response',
  'resolved',
  'csat',
  'nps',
  'ces',
  ...BACKLOG_FLOWS,
];
const BY_TICKET: ReadonlySet<RowSet> = new Set(TICKET_SIDE);

/**
 * The row sets summed from day totals: the figures that count a day's records, and the backlog's flows
 * (figures.query.ts sums the backlog from them; the other figures are read from their rows).
 */
export const ROLLED: ReadonlySet<RowSet> = new Set<RowSet>([
  'new_customers',
  'follow_ups',
  'closed_deals',
  'won_deals',
  'pipeline',
  'signed',
  'collected',
  'installments_due',
  ...TICKET_SIDE,
]);

/** The figures whose totals are also kept by dimension (the page's splits of them). */
export const SLICED: ReadonlySet<Figure> = new Set<Figure>(['signed', 'tickets']);
/** The sliced figures whose totals are also kept by customer (the top customers). */
export const BY_CUSTOMER: ReadonlySet<Figure> = new Set<Figure>(['signed']);

/** Every day the totals can hold: the whole range they are built over. */
export const ALL_DAYS = (zone: string): Period => spanOf('custom', '1900-01-01', '2199-12-31', zone);

/**
 * The statement's first part: `kpi` (built: whether the totals are kept in `zone`; days, first,
 * last: the days to read from the records, all of them while the totals are not built).
 */
export function kpiState(b: Binder, zone: string): string {
  const z = b.bind(zone);
  return `kpi AS MATERIALIZED (
    SELECT s.built, CASE WHEN s.built THEN coalesce(m.days, '{}') END AS days,
           CASE WHEN s.built THEN m.first ELSE '-infinity'::date END AS first,
           CASE WHEN s.built THEN m.last ELSE 'infinity'::date END AS last
      FROM (SELECT zone IS NOT DISTINCT FROM ${z}::text AND built_at IS NOT NULL AS built FROM kpi_rollup) s,
           (SELECT array_agg(day) AS days, min(day) AS first, max(day) AS last
              FROM (SELECT (at AT TIME ZONE ${z}::text)::date AS day FROM kpi_dirty WHERE at IS NOT NULL
                    UNION SELECT on_day FROM kpi_dirty WHERE on_day IS NOT NULL) d) m)`;
}

/** The live days of `kpiState`, for figure-rows.ts: every day while the totals are not built. */
export const LIVE: LiveDays = {
  days: '(SELECT days FROM kpi)::date[]',
  first: '(SELECT first FROM kpi)',
  last: '(SELECT last FROM kpi)',
  all: '(SELECT NOT built FROM kpi)',
};

/** The condition a scope puts on day totals `d`, as figure-rows.ts puts it on the records. */
function inScope(b: Binder, figure: RowSet, scope: DashboardScope): string {
  if (scope.userIds === null) return 'true';
  const users = b.bind(scope.userIds);
  return BY_TICKET.has(figure)
    ? `(d.k_user = ANY(${users}::int[]) OR d.k_team = ANY(${b.bind(scope.teamIds)}::int[]) OR d.k_cust = ANY(${users}::int[]))`
    : `d.owner_id = ANY(${users}::int[])`;
}

/**
 * The day totals of `figure` (sliced or not) on the days of `period` that are not being read from
 * the records, in scope.
 */
export function keptDays(
  b: Binder,
  figure: RowSet,
  sliced: boolean,
  scope: DashboardScope,
  period: Period,
): string {
  return `SELECT d.* FROM kpi_day_total d, kpi
     WHERE kpi.built AND d.figure = ${b.bind(figure)}::text AND d.sliced = ${sliced}
       AND d.day BETWEEN ${b.bind(period.from)}::date AND ${b.bind(period.to)}::date
       AND NOT (d.day = ANY(kpi.days)) AND ${inScope(b, figure, scope)}`;
}

/**
 * What a count of the totals (job or rebuild) writes for `figure`: its rows of `period` (on `live`
 * days only, when given) summed by day and key, sliced or not.
 */
export function countedDays(
  b: Binder,
  figure: RowSet,
  sliced: boolean,
  period: Period,
  live?: LiveDays,
): string {
  const everyone: DashboardScope = { userIds: null, teamIds: [] };
  const customer = sliced && BY_CUSTOMER.has(figure as Figure);
  const slice = `${sliced ? 'r.dim1, r.dim2' : 'NULL::text, NULL::text'}, ${customer ? 'r.customer_id' : 'NULL::int'}`;
  return `INSERT INTO kpi_day_total (figure, sliced, day, owner_id, k_user, k_team, k_cust, dim1, dim2, customer_id,
                              n, hits, total, total_hit, total2)
    SELECT ${b.bind(figure)}::text, ${sliced}, r.at::date, r.owner_id, r.k_user, r.k_team, r.k_cust, ${slice},
           count(*), count(*) FILTER (WHERE r.hit), coalesce(sum(r.value), 0),
           coalesce(sum(r.value) FILTER (WHERE r.hit), 0), coalesce(sum(r.value2), 0)
      FROM (${figureRows(b, figure, everyone, period, new Date(), {}, live)}) r
     GROUP BY r.at, r.owner_id, r.k_user, r.k_team, r.k_cust${sliced ? ', r.dim1, r.dim2' : ''}${customer ? ', r.customer_id' : ''}`;
}

/** Whether `period` is whole months (its funnel can be read from the kept months). */
export function wholeMonths(period: Period): boolean {
  return period.from.endsWith('-01') && addDays(period.to, 1).endsWith('-01');
}

/** The spans the funnel's deals are kept by (`kpi_funnel_month.span`). */
const SPANS = ['month', 'quarter', 'year'] as const;

/** The span `period` is exactly (a calendar month, quarter or year), or null. */
export function keptSpan(period: Period): (typeof SPANS)[number] | null {
  if (!wholeMonths(period)) return null;
  const months = monthsOf(period).length;
  const first = Number(period.from.slice(5, 7));
  if (months === 1) return 'month';
  if (months === 3 && first % 3 === 1) return 'quarter';
  if (months === 12 && first === 1) return 'year';
  return null;
}

/**
 * The funnel's rows for a period of whole months, as (key: the stage, n, hits, total, total_hit,
 * total2) parts for figures.query.ts to sum: the kept months, quarters or years (`kpi_funnel_month`,
 * migrations KeepFunnelMonths, KeepFunnelQuartersAndYears) of the deals not listed in
 * `kpi_funnel_dirty`, each deal once with the furthest stage it reached in the period, and the listed
 * deals' rows from the records; every deal from the records while the totals are not built.
 * `rowPart` names a record row's (r) sums as the parts do.
 */
export function keptFunnel(
  b: Binder,
  scope: DashboardScope,
  period: Period,
  now: Date,
  rowPart: string,
): string {
  const owned = scope.userIds === null ? 'true' : `f.owner_id = ANY(${b.bind(scope.userIds)}::int[])`;
  const listed = 'SELECT opportunity_id FROM kpi_funnel_dirty';
  const kept = `(SELECT built FROM kpi) AND ${owned} AND f.opportunity_id NOT IN (${listed})`;
  // A month, quarter or year holds one row per deal: counted by furthest stage as they are. Over other
  // runs of months a deal counts once, at the furthest it reached in any of them.
  const span = keptSpan(period);
  const reached =
    span !== null
      ? `SELECT f.furthest, count(*) AS n, sum(f.amount) AS amount FROM kpi_funnel_month f
          WHERE f.span = '${span}' AND f.month = ${b.bind(period.from)}::date AND ${kept} GROUP BY f.furthest`
      : `SELECT m.furthest, count(*) AS n, sum(m.amount) AS amount
           FROM (SELECT max(f.furthest) AS furthest, max(f.amount) AS amount FROM kpi_funnel_month f
                  WHERE f.span = 'month' AND f.month BETWEEN ${b.bind(period.from)}::date AND ${b.bind(period.to)}::date
                    AND ${kept}
                  GROUP BY f.opportunity_id) m
          GROUP BY m.furthest`;
  return `
    SELECT s.stage AS key, g.n, g.n AS hits, g.amount AS total, g.amount AS total_hit, NULL::numeric AS total2
      FROM (${reached}) g CROSS JOIN LATERAL unnest((${FUNNEL})[1:g.furthest]) AS s(stage)
    UNION ALL
    SELECT r.dim1, 1, ${rowPart} FROM (${funnelRowsOf(b, scope, period, now, listed)}) r WHERE (SELECT built FROM kpi)
    UNION ALL
    SELECT r.dim1, 1, ${rowPart} FROM (${figureRows(b, 'funnel', scope, period, now)}) r WHERE (SELECT NOT built FROM kpi)`;
}

/**
 * What a count of the funnel's months writes: per deal (of `deals`, SQL of deal ids, when given) and
 * month, quarter and year in `zone` it moved in, the furthest stage it reached then, with its owner
 * and amount. The deals and stage changes the funnel's rows read (figure-rows.ts), grouped by span.
 */
export function countedFunnel(b: Binder, zone: string, deals?: string): string {
  const reached = `max(array_position(${FUNNEL}, sc.to_stage))`;
  return `INSERT INTO kpi_funnel_month (opportunity_id, span, month, furthest, owner_id, amount)
    SELECT sc.opportunity_id, u.span, date_trunc(u.span, sc.at AT TIME ZONE ${b.bind(zone)}::text)::date, ${reached},
           o.owner_id, o.amount
      FROM opportunity_stage_change sc JOIN opportunity o ON o.id = sc.opportunity_id
      JOIN customer cu ON cu.id = o.customer_id
      CROSS JOIN unnest(${b.bind([...SPANS])}::text[]) AS u(span)
     WHERE o.deleted_at IS NULL ${deals === undefined ? '' : `AND sc.opportunity_id IN (${deals})`}
     GROUP BY 1, 2, 3, o.owner_id, o.amount
    HAVING ${reached} IS NOT NULL`;
}
