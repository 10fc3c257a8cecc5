import { COLLECTING_STATUSES } from '../../contracts/payment.options.js';
import type { Period } from '../period.js';
import type { DashboardScope } from '../dashboard.types.js';

/**
 * The records behind each dashboard figure, as SQL: every figure is an aggregate over exactly these
 * rows, and its drill-down lists them, so a figure and its list cannot disagree. Each query answers
 * the same columns:
 *   id, ref (the record's page), label, customer_id, customer_name, at (the local day that placed it
 *   in the period), owner_id (whose it counts as), value and value2 (what is summed), hit (what is
 *   counted as a part of the whole: a won deal, a complaint…), dim1 and dim2 (what it is grouped by),
 *   and for tickets and survey answers k_user, k_team and k_cust (the assignee, the team and the
 *   customer's owner a scope matches them by; NULL elsewhere).
 */

/** Binds values as $1, $2… for one statement. */
export class Binder {
  readonly values: unknown[] = [];
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export const FIGURES = [
  'new_customers',
  'follow_ups',
  'closed_deals',
  'won_deals',
  'pipeline',
  'funnel',
  'signed',
  'collected',
  'installments_due',
  'overdue',
  'active_customers',
  'tickets',
  'first_response',
  'resolved',
  'backlog',
  'csat',
  'nps',
  'ces',
] as const;
export type Figure = (typeof FIGURES)[number];

/** Which figures read money (value and value2 in yuan, numeric(14,2)). */
export const MONEY_FIGURES: ReadonlySet<Figure> = new Set([
  'closed_deals',
  'pipeline',
  'funnel',
  'signed',
  'collected',
  'installments_due',
  'overdue',
]);

/** A dim1 or dim2 narrowing to the rows without one (a customer whose province or industry is not given). */
export const NOT_GIVEN = '-';

/** Narrowing a figure's rows further (a drill-down from a chart bar or a leaderboard row). */
export interface RowFilter {
  dim1?: string;
  dim2?: string;
  owner?: number;
  customer?: number;
  /** Resolved tickets only: those that met both SLA targets, or those that missed one (value2). */
  sla?: 'met' | 'missed';
}

interface Ctx {
  b: Binder;
  scope: DashboardScope;
  p: Period;
  /** now(), bound once, so snapshots (backlog, overdue) are taken at one instant. */
  now: Date;
  /** When given, only the rows of these days (day-totals.ts, LiveDays). */
  live?: LiveDays;
  /** When given (SQL selecting deal ids), only the funnel's rows of these deals (day-totals.ts). */
  deals?: string;
}

/**
 * SQL of a set of days whose rows are read from the records while the day totals hold the others
 * (day-totals.ts): `days` a date[], `first` and `last` its bounds (NULL when there are none); `all`
 * true when every day is (the totals not built).
 */
export interface LiveDays {
  days: string;
  first: string;
  last: string;
  all: string;
}

const localDay = (c: Ctx, expr: string) =>
  `to_char(${expr} AT TIME ZONE ${c.b.bind(c.p.zone)}, 'YYYY-MM-DD')`;
const inPeriod = (c: Ctx, expr: string) =>
  `${expr} >= ${c.b.bind(c.p.start)}::timestamptz AND ${expr} < ${c.b.bind(c.p.end)}::timestamptz${
    c.live === undefined
      ? ''
      : ` AND ${expr} >= (${c.live.first})::timestamp AT TIME ZONE ${c.b.bind(c.p.zone)}
          AND ${expr} < ((${c.live.last}) + 1)::timestamp AT TIME ZONE ${c.b.bind(c.p.zone)}`
  }`;
const inDays = (c: Ctx, expr: string) =>
  `${expr} BETWEEN ${c.b.bind(c.p.from)}::date AND ${c.b.bind(c.p.to)}::date${
    c.live === undefined ? '' : ` AND ${expr} BETWEEN (${c.live.first}) AND (${c.live.last})`
  }`;

/** Records owned (authored) by someone in scope. */
function byOwner(c: Ctx, column: string): string {
  return c.scope.userIds === null ? 'true' : `${column} = ANY(${c.b.bind(c.scope.userIds)}::int[])`;
}

/** Tickets in scope: assigned to someone in it, of a team in it, or about a customer it owns. */
function ticketInScope(c: Ctx, t: string, cu: string): string {
  if (c.scope.userIds === null) return 'true';
  const users = c.b.bind(c.scope.userIds);
  return `(${t}.assignee_id = ANY(${users}::int[]) OR ${t}.team_id = ANY(${c.b.bind(c.scope.teamIds)}::int[]) OR ${cu}.owner_id = ANY(${users}::int[]))`;
}

/** The instant snapshots are taken at: the period's end, or now if that is still to come. */
function cutoff(c: Ctx): string {
  return `least(${c.b.bind(c.p.end)}::timestamptz, ${c.b.bind(c.now)}::timestamptz)`;
}

const LIVE_CUSTOMER = (cu: string) => `${cu}.deleted_at IS NULL AND ${cu}.merged_into_id IS NULL`;
/** What a scope matches a ticket (or an answer about one) by: its assignee, team and customer's owner. */
const TK = ', t.assignee_id, t.team_id, cu.owner_id';
const LIVE_TICKET = (t: string) => `${t}.deleted_at IS NULL AND ${t}.merged_into_id IS NULL`;
/** The stages a deal passes on its way to being won, in order. */
export const FUNNEL_STAGES = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won'] as const;
export const FUNNEL = `ARRAY[${FUNNEL_STAGES.map((s) => `'${s}'`).join(', ')}]::text[]`;
const COLLECTING = `ARRAY[${COLLECTING_STATUSES.map((s) => `'${s}'`).join(', ')}]`;

/**
 * Tickets coming into the backlog (received) and leaving it (resolved or closed, placed no earlier
 * than received): the backlog at an instant is those come in before it less those gone before it,
 * and their ages follow from the instants they were received (value, epoch seconds). The day totals
 * keep these two; the page's backlog is summed from them (day-totals.ts).
 */
export const BACKLOG_FLOWS = ['backlog_in', 'backlog_out'] as const;
/** A figure, or one of the backlog's flows. */
export type RowSet = Figure | (typeof BACKLOG_FLOWS)[number];

const DEFS: Record<RowSet, (c: Ctx) => string> = {
  // Customers created in the period, by owner.
  new_customers: (c) => `
    SELECT cu.id, '/customers/' || cu.id AS ref, cu.name AS label, cu.id AS customer_id, cu.name AS customer_name,
           ${localDay(c, 'cu.created_at')} AS at, cu.owner_id, NULL::numeric AS value, NULL::numeric AS value2,
           true AS hit, cu.province AS dim1, cu.industry AS dim2, NULL::int, NULL::int, NULL::int
      FROM customer cu
     WHERE ${LIVE_CUSTOMER('cu')} AND ${inPeriod(c, 'cu.created_at')} AND ${byOwner(c, 'cu.owner_id')}`,

  // Follow-ups that happened in the period, by author.
  follow_ups: (c) => `
    SELECT f.id, '/customers/' || cu.id AS ref, left(f.summary, 80) AS label, cu.id, cu.name,
           ${localDay(c, 'f.happened_at')}, f.author_id, NULL::numeric, NULL::numeric, true, f.method, NULL::text, NULL::int, NULL::int, NULL::int
      FROM follow_up f JOIN customer cu ON cu.id = f.customer_id
     WHERE f.deleted_at IS NULL AND cu.deleted_at IS NULL AND ${inPeriod(c, 'f.happened_at')} AND ${byOwner(c, 'f.author_id')}`,

  // Deals won or lost in the period (hit: won), by owner; value: the amount.
  closed_deals: (c) => `
    SELECT o.id, '/opportunities/' || o.id, o.title, cu.id, cu.name, ${localDay(c, 'o.closed_at')}, o.owner_id,
           o.amount, NULL::numeric, o.stage = 'won', o.stage, NULL::text, NULL::int, NULL::int, NULL::int
      FROM opportunity o JOIN customer cu ON cu.id = o.customer_id
     WHERE o.deleted_at IS NULL AND o.stage IN ('won', 'lost') AND ${inPeriod(c, 'o.closed_at')}
       AND ${byOwner(c, 'o.owner_id')}`,

  // Deals won in the period; value: days from the deal's creation to its winning (the sales cycle).
  won_deals: (c) => `
    SELECT o.id, '/opportunities/' || o.id, o.title, cu.id, cu.name, ${localDay(c, 'o.closed_at')}, o.owner_id,
           round((extract(epoch FROM o.closed_at - o.created_at) / 86400)::numeric, 2), o.amount, true, o.stage, NULL::text, NULL::int, NULL::int, NULL::int
      FROM opportunity o JOIN customer cu ON cu.id = o.customer_id
     WHERE o.deleted_at IS NULL AND o.stage = 'won' AND ${inPeriod(c, 'o.closed_at')} AND ${byOwner(c, 'o.owner_id')}`,

  // Open deals expected to close in the period: value the amount, value2 the amount × probability.
  pipeline: (c) => `
    SELECT o.id, '/opportunities/' || o.id, o.title, cu.id, cu.name, o.expected_close_date::text, o.owner_id,
           o.amount, round(o.amount * o.probability / 100.0, 2), true, o.stage, NULL::text, NULL::int, NULL::int, NULL::int
      FROM opportunity o JOIN customer cu ON cu.id = o.customer_id
     WHERE o.deleted_at IS NULL AND o.stage NOT IN ('won', 'lost') AND ${inDays(c, 'o.expected_close_date')}
       AND ${byOwner(c, 'o.owner_id')}`,

  // Deals moved in the period (opportunity_stage_change), each counted in every stage up to the
  // furthest it reached in the period (won the furthest; a skipped stage was passed): dim1 the stage.
  funnel: (c) => `
    SELECT o.id, '/opportunities/' || o.id, o.title, cu.id, cu.name, ${localDay(c, 'm.first_at')}, o.owner_id,
           o.amount, NULL::numeric, true, s.stage, NULL::text, NULL::int, NULL::int, NULL::int
      FROM (SELECT sc.opportunity_id, min(sc.at) AS first_at,
                   max(array_position(${FUNNEL}, sc.to_stage)) AS furthest
              FROM opportunity_stage_change sc
             WHERE ${inPeriod(c, 'sc.at')} ${c.deals === undefined ? '' : `AND sc.opportunity_id IN (${c.deals})`}
             GROUP BY sc.opportunity_id) m
      JOIN opportunity o ON o.id = m.opportunity_id JOIN customer cu ON cu.id = o.customer_id
      CROSS JOIN LATERAL unnest((${FUNNEL})[1:m.furthest]) AS s(stage)
     WHERE o.deleted_at IS NULL AND ${byOwner(c, 'o.owner_id')}`,

  // Contracts signed in the period, by owner; dim1/dim2: the customer's province and industry.
  signed: (c) => `
    SELECT k.id, '/contracts/' || k.id, k.number || ' ' || k.title, cu.id, cu.name, k.signed_on::text, k.owner_id,
           k.amount, NULL::numeric, true, cu.province, cu.industry, NULL::int, NULL::int, NULL::int
      FROM contract k JOIN customer cu ON cu.id = k.customer_id
     WHERE k.deleted_at IS NULL AND k.signed_on IS NOT NULL AND ${inDays(c, 'k.signed_on')}
       AND ${byOwner(c, 'k.owner_id')}`,

  // Payments received in the period, reversed ones left out, by the contract's owner.
  collected: (c) => `
    SELECT p.id, '/contracts/' || k.id, k.number || ' ' || k.title, cu.id, cu.name, p.received_on::text, k.owner_id,
           p.amount, NULL::numeric, true, cu.province, cu.industry, NULL::int, NULL::int, NULL::int
      FROM payment p JOIN contract k ON k.id = p.contract_id JOIN customer cu ON cu.id = k.customer_id
     WHERE p.reversed_at IS NULL AND k.deleted_at IS NULL AND ${inDays(c, 'p.received_on')}
       AND ${byOwner(c, 'k.owner_id')}`,

  // Installments of signed and completed contracts due in the period: value due, value2 collected (回款率).
  installments_due: (c) => `
    SELECT i.id, '/contracts/' || k.id, k.number || ' #' || i.position, cu.id, cu.name, i.due_on::text, k.owner_id,
           i.amount, i.collected, i.collected >= i.amount, NULL::text, NULL::text, NULL::int, NULL::int, NULL::int
      FROM payment_installment i JOIN contract k ON k.id = i.contract_id JOIN customer cu ON cu.id = k.customer_id
     WHERE k.deleted_at IS NULL AND k.status = ANY(${COLLECTING}) AND ${inDays(c, 'i.due_on')}
       AND ${byOwner(c, 'k.owner_id')}`,

  // Installments still open that fell due before the period's end (or today): value what is owed.
  overdue: (c) => `
    SELECT i.id, '/contracts/' || k.id, k.number || ' #' || i.position, cu.id, cu.name, i.due_on::text, k.owner_id,
           i.amount - i.collected, NULL::numeric, true, NULL::text, NULL::text, NULL::int, NULL::int, NULL::int
      FROM payment_installment i JOIN contract k ON k.id = i.contract_id JOIN customer cu ON cu.id = k.customer_id
     WHERE k.deleted_at IS NULL AND k.status = ANY(${COLLECTING}) AND i.collected < i.amount
       AND i.due_on < (${cutoff(c)} AT TIME ZONE ${c.b.bind(c.p.zone)})::date AND ${byOwner(c, 'k.owner_id')}`,

  // Active customers now, those the scope serves: the complaint rate's denominator.
  active_customers: (c) => `
    SELECT cu.id, '/customers/' || cu.id, cu.name, cu.id, cu.name, ${localDay(c, 'cu.created_at')}, cu.owner_id,
           NULL::numeric, NULL::numeric, true, cu.province, cu.industry, NULL::int, NULL::int, NULL::int
      FROM ${servedCustomers(c)}`,

  // Tickets received in the period (hit: complaints); dim1 the channel, dim2 the type.
  tickets: (c) => `
    SELECT t.id, '/tickets/' || t.id, t.number || ' ' || t.subject, cu.id, cu.name, ${localDay(c, 't.received_at')},
           t.assignee_id, NULL::numeric, NULL::numeric, t.type = 'complaint', t.channel, t.type${TK}
      FROM ticket t JOIN customer cu ON cu.id = t.customer_id
     WHERE ${LIVE_TICKET('t')} AND ${inPeriod(c, 't.received_at')} AND ${ticketInScope(c, 't', 'cu')}`,

  // Tickets first answered in the period; value: business minutes to that answer (stored on the ticket).
  first_response: (c) => `
    SELECT t.id, '/tickets/' || t.id, t.number || ' ' || t.subject, cu.id, cu.name, ${localDay(c, 't.first_responded_at')},
           t.assignee_id, t.first_response_minutes::numeric, NULL::numeric, true, t.channel, t.type${TK}
      FROM ticket t JOIN customer cu ON cu.id = t.customer_id
     WHERE ${LIVE_TICKET('t')} AND t.first_response_minutes IS NOT NULL AND ${inPeriod(c, 't.first_responded_at')}
       AND ${ticketInScope(c, 't', 'cu')}`,

  // Tickets resolved in the period: value business minutes to resolve; hit resolved at first contact
  // (at most one public agent reply, never reopened); value2 1 when both SLA targets were met.
  resolved: (c) => `
    SELECT t.id, '/tickets/' || t.id, t.number || ' ' || t.subject, cu.id, cu.name, ${localDay(c, 't.resolved_at')},
           t.assignee_id, t.resolution_minutes::numeric,
           CASE WHEN t.first_responded_at IS NOT NULL AND t.first_responded_at <= t.first_response_due_at
                 AND t.resolved_at <= t.resolution_due_at THEN 1 ELSE 0 END::numeric,
           t.public_reply_count <= 1 AND t.reopen_count = 0, t.channel, t.type${TK}
      FROM ticket t JOIN customer cu ON cu.id = t.customer_id
     WHERE ${LIVE_TICKET('t')} AND ${inPeriod(c, 't.resolved_at')} AND ${ticketInScope(c, 't', 'cu')}`,

  // Tickets open at the period's end (or now): received before, not resolved or closed by then;
  // value: their age in days at that instant.
  backlog: (c) => {
    const at = cutoff(c);
    return `
    SELECT t.id, '/tickets/' || t.id, t.number || ' ' || t.subject, cu.id, cu.name, ${localDay(c, 't.received_at')},
           t.assignee_id, extract(epoch FROM ${at} - t.received_at) / 86400, NULL::numeric, true,
           t.channel, t.type${TK}
      FROM ticket t JOIN customer cu ON cu.id = t.customer_id
     WHERE ${LIVE_TICKET('t')} AND t.received_at < ${at}
       AND (t.resolved_at IS NULL OR t.resolved_at >= ${at}) AND (t.closed_at IS NULL OR t.closed_at >= ${at})
       AND ${ticketInScope(c, 't', 'cu')}`;
  },

  backlog_in: (c) => `
    SELECT t.id, '/tickets/' || t.id, t.number || ' ' || t.subject, cu.id, cu.name, ${localDay(c, 't.received_at')},
           t.assignee_id, extract(epoch FROM t.received_at), NULL::numeric, true, t.channel, t.type${TK}
      FROM ticket t JOIN customer cu ON cu.id = t.customer_id
     WHERE ${LIVE_TICKET('t')} AND ${inPeriod(c, 't.received_at')} AND ${ticketInScope(c, 't', 'cu')}`,
  backlog_out: (c) => {
    const gone = 'greatest(t.received_at, least(t.resolved_at, t.closed_at))';
    return `
    SELECT t.id, '/tickets/' || t.id, t.number || ' ' || t.subject, cu.id, cu.name, ${localDay(c, gone)},
           t.assignee_id, extract(epoch FROM t.received_at), NULL::numeric, true, t.channel, t.type${TK}
      FROM ticket t JOIN customer cu ON cu.id = t.customer_id
     WHERE ${LIVE_TICKET('t')} AND (t.resolved_at IS NOT NULL OR t.closed_at IS NOT NULL)
       AND ${inPeriod(c, gone)} AND ${ticketInScope(c, 't', 'cu')}`;
  },

  // Survey answers in the period, each kind its own figure.
  csat: (c) => survey(c, 'csat', `s.csat <= 2`),
  nps: (c) => survey(c, 'nps', `s.nps >= 9`, `CASE WHEN s.nps <= 6 THEN 1 ELSE 0 END`),
  ces: (c) => survey(c, 'ces', 'true'),
};

/**
 * The active customers' totals (the complaint rate's denominator) counted straight from the index of
 * active customers by owner, without building their rows: the same figure as its rows give.
 */
export function activeCustomerTotals(b: Binder, scope: DashboardScope): string {
  const c: Ctx = { b, scope, p: undefined as never, now: new Date() };
  return `SELECT count(*)::int AS n, count(*)::int AS hits, '0' AS total, '0' AS "totalHit", '0' AS total2
      FROM ${servedCustomers(c)}`;
}

/**
 * The active customers a scope serves, as the row source `cu`: those it owns; a scope that owns none
 * (a service desk, whose tickets come from every customer) serves them all. Two branches, so that
 * each reads the index of active customers by owner, and the second only when the first is empty.
 */
function servedCustomers(c: Ctx): string {
  const active = (t: string) => `${LIVE_CUSTOMER(t)} AND ${t}.status = 'active'`;
  if (c.scope.userIds === null) return `customer cu WHERE ${active('cu')}`;
  const users = c.b.bind(c.scope.userIds);
  return `(SELECT * FROM customer cu WHERE ${active('cu')} AND cu.owner_id = ANY(${users}::int[])
           UNION ALL
           SELECT * FROM customer cu
            WHERE ${active('cu')}
              AND NOT EXISTS (SELECT FROM customer o WHERE ${active('o')} AND o.owner_id = ANY(${users}::int[]))) cu`;
}

/** Answers with a score of `column`, answered in the period, of a ticket or a customer in scope. */
function survey(c: Ctx, column: 'csat' | 'nps' | 'ces', hit: string, value2 = 'NULL'): string {
  const scope =
    c.scope.userIds === null
      ? 'true'
      : `(cu.owner_id = ANY(${c.b.bind(c.scope.userIds)}::int[]) OR (t.id IS NOT NULL AND ${ticketInScope(c, 't', 'cu')}))`;
  return `
    SELECT s.id, CASE WHEN s.ticket_id IS NULL THEN '/customers/' || cu.id ELSE '/tickets/' || s.ticket_id END,
           coalesce(t.number, s.kind), cu.id, cu.name, ${localDay(c, 's.answered_at')}, coalesce(t.assignee_id, cu.owner_id),
           s.${column}::numeric, ${value2}::numeric, ${hit}, s.kind, left(s.comment, 80)${TK}
      FROM survey_response s JOIN customer cu ON cu.id = s.customer_id LEFT JOIN ticket t ON t.id = s.ticket_id
     WHERE s.${column} IS NOT NULL AND ${inPeriod(c, 's.answered_at')} AND ${scope}`;
}

/**
 * The SQL of a figure's rows (narrowed by `filter`), binding its values into `b`; with `live` only
 * those of its days.
 */
export function figureRows(
  b: Binder,
  figure: RowSet,
  scope: DashboardScope,
  period: Period,
  now: Date,
  filter: RowFilter = {},
  live?: LiveDays,
): string {
  const inner = DEFS[figure]({ b, scope, p: period, now, live });
  const where: string[] = [];
  if (live !== undefined) where.push(`(${live.all} OR r.at::date = ANY(${live.days}))`);
  for (const dim of ['dim1', 'dim2'] as const) {
    const value = filter[dim];
    if (value !== undefined)
      where.push(value === NOT_GIVEN ? `r.${dim} IS NULL` : `r.${dim} = ${b.bind(value)}`);
  }
  if (filter.owner !== undefined) where.push(`r.owner_id = ${b.bind(filter.owner)}::int`);
  if (filter.customer !== undefined) where.push(`r.customer_id = ${b.bind(filter.customer)}::int`);
  if (filter.sla !== undefined) {
    if (figure !== 'resolved') throw new Error(`dashboard: ${figure} has no SLA to narrow by`);
    where.push(`r.value2 = ${filter.sla === 'met' ? 1 : 0}`);
  }
  return named(inner, where);
}

/**
 * The funnel's rows of the deals `deals` selects (SQL of deal ids) only: the deals read from the
 * records while the others' months are kept (day-totals.ts, keptFunnel).
 */
export function funnelRowsOf(
  b: Binder,
  scope: DashboardScope,
  period: Period,
  now: Date,
  deals: string,
): string {
  return named(DEFS.funnel({ b, scope, p: period, now, deals }), []);
}

/** A row set's SQL with its columns named, narrowed by `where`. */
function named(inner: string, where: string[]): string {
  return `SELECT r.* FROM (${inner}) AS r(id, ref, label, customer_id, customer_name, at, owner_id, value, value2, hit, dim1, dim2, k_user, k_team, k_cust)${
    where.length ? ` WHERE ${where.join(' AND ')}` : ''
  }`;
}
