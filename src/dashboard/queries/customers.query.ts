import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { COLLECTING_STATUSES } from '../../contracts/payment.options.js';
import type { DashboardScope } from '../dashboard.types.js';
import { CSAT_LOOKBACK_DAYS, LOW_CSAT, STALE_DEAL_DAYS, TIER_RHYTHM_DAYS } from '../kpi-formulas.js';
import { Binder } from './figure-rows.js';

/** What the health score reads of a customer (kpi-formulas.ts, healthScore). */
export interface HealthFacts {
  id: number;
  name: string;
  tier: 'A' | 'B' | 'C';
  ownerId: number | null;
  daysSilent: number;
  openComplaints: number;
  lowestCsat: number | null;
  /** numeric text */
  overdue: string;
  staleDeals: number;
}

/** The instant a health score is taken at, and the company's day and zone then. */
export interface HealthClock {
  now: Date;
  /** The company's calendar day at `now` (YYYY-MM-DD): installments due before it are overdue. */
  today: string;
  zone: string;
}

const ACTIVE = `cu.deleted_at IS NULL AND cu.merged_into_id IS NULL AND cu.status = 'active'`;

/**
 * The active customers `pick` lists (SQL selecting customer ids; null: all of them), each with the
 * facts of its health, its score (healthScore's arithmetic, kpi-formulas.ts) and the instant its score
 * next changes by time alone (`changes_at`, NULL when it never does): its silence reaching the next
 * multiple of its tier's rhythm that costs more, its last low CSAT leaving the lookback, an open
 * installment falling due (at the company's midnight), an open deal going stale. Each fact is read for
 * every customer at once from its own index or table, grouped by customer.
 */
export function scoredCustomers(b: Binder, clock: HealthClock, pick: string | null): string {
  const now = `${b.bind(clock.now)}::timestamptz`;
  const today = `${b.bind(clock.today)}::date`;
  const low = b.bind(LOW_CSAT);
  const lookback = `make_interval(days => ${b.bind(CSAT_LOOKBACK_DAYS)})`;
  const staleAfter = `make_interval(days => ${b.bind(STALE_DEAL_DAYS)})`;
  const picked = (column: string) => (pick === null ? '' : `AND ${column} IN (SELECT id FROM pick)`);
  const rhythm = `CASE cu.tier WHEN 'A' THEN ${TIER_RHYTHM_DAYS.A} WHEN 'B' THEN ${TIER_RHYTHM_DAYS.B} ELSE ${TIER_RHYTHM_DAYS.C} END`;
  const base = 'coalesce(cu.last_interaction_at, cu.created_at)';
  // Silence in whole days of 24 hours; its penalty steps at rhythm + 1, 2, 3 and 4 rhythms.
  const silenceStep = (days: string) => `f.base + make_interval(secs => 86400 * (${days}))`;
  return `
    WITH ${pick === null ? '' : `pick(id) AS MATERIALIZED (${pick}),`}
     complaints AS (
       SELECT t.customer_id AS id, count(*)::int AS n FROM ticket t
        WHERE t.type = 'complaint' AND t.status IN ('new', 'open', 'pending')
          AND t.deleted_at IS NULL AND t.merged_into_id IS NULL ${picked('t.customer_id')}
        GROUP BY t.customer_id),
     csat AS (
       SELECT s.customer_id AS id, min(s.csat)::int AS lowest,
              max(s.answered_at) FILTER (WHERE s.csat <= ${low}) AS last_low
         FROM survey_response s
        WHERE s.csat IS NOT NULL AND s.answered_at > ${now} - ${lookback} ${picked('s.customer_id')}
        GROUP BY s.customer_id),
     owed AS (
       SELECT k.customer_id AS id, sum(i.amount - i.collected) FILTER (WHERE i.due_on < ${today}) AS amount,
              min(i.due_on) FILTER (WHERE i.due_on >= ${today}) AS next_due
         FROM payment_installment i JOIN contract k ON k.id = i.contract_id
        WHERE k.deleted_at IS NULL AND k.status = ANY(${b.bind([...COLLECTING_STATUSES])}) AND i.collected < i.amount
              ${picked('k.customer_id')}
        GROUP BY k.customer_id),
     stale AS (
       SELECT o.customer_id AS id, count(*) FILTER (WHERE o.last_activity_at < ${now} - ${staleAfter})::int AS n,
              min(o.last_activity_at) FILTER (WHERE o.last_activity_at >= ${now} - ${staleAfter}) AS next_active
         FROM opportunity o
        WHERE o.deleted_at IS NULL AND o.stage NOT IN ('won', 'lost') ${picked('o.customer_id')}
        GROUP BY o.customer_id),
     facts AS (
       SELECT cu.id, cu.name, cu.tier, cu.owner_id, ${base} AS base, ${rhythm} AS rhythm,
              floor(extract(epoch FROM ${now} - ${base}) / 86400)::int AS silent,
              coalesce(c.n, 0) AS complaints, s.lowest, s.last_low, coalesce(w.amount, 0) AS owed, w.next_due,
              coalesce(d.n, 0) AS stale, d.next_active
         FROM customer cu
         LEFT JOIN complaints c ON c.id = cu.id LEFT JOIN csat s ON s.id = cu.id
         LEFT JOIN owed w ON w.id = cu.id LEFT JOIN stale d ON d.id = cu.id
        WHERE ${ACTIVE} ${picked('cu.id')})
    SELECT f.id, f.name, f.tier, f.owner_id, f.silent, f.complaints, f.lowest, f.owed, f.stale,
           greatest(0, 100
             - CASE WHEN f.silent > f.rhythm THEN least(40, 10 + 10 * ((f.silent - f.rhythm) / f.rhythm)) ELSE 0 END
             - least(30, 15 * f.complaints)
             - CASE WHEN f.lowest <= ${low} THEN 15 ELSE 0 END
             - CASE WHEN f.owed > 0 THEN 20 ELSE 0 END
             - CASE WHEN f.stale > 0 THEN 10 ELSE 0 END) AS score,
           least(
             CASE WHEN f.silent <= f.rhythm THEN ${silenceStep('f.rhythm + 1')}
                  WHEN f.silent < 2 * f.rhythm THEN ${silenceStep('2 * f.rhythm')}
                  WHEN f.silent < 3 * f.rhythm THEN ${silenceStep('3 * f.rhythm')}
                  WHEN f.silent < 4 * f.rhythm THEN ${silenceStep('4 * f.rhythm')} END,
             f.last_low + ${lookback},
             (f.next_due + 1)::timestamp AT TIME ZONE ${b.bind(clock.zone)}::text,
             f.next_active + ${staleAfter}) AS changes_at
      FROM facts f`;
}

/**
 * The customers' side of the dashboard: the facts behind the health of the active customers most at
 * risk, in one statement.
 */
@Injectable()
export class CustomersQuery {
  /** Whether the kept scores choose the candidates (false: every active customer in scope is one). */
  private kept = true;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The same list, every customer in scope scored from the records: what the kept scores are checked and timed against. */
  fromRecordsOnly(): CustomersQuery {
    const records = new CustomersQuery(this.dataSource);
    records.kept = false;
    return records;
  }

  /**
   * The `limit` active customers in scope with the lowest health score (ties by name and id), with
   * their facts. The scores kept in `customer_health` (migration KeepCustomerHealth) choose the
   * candidates: the `limit` best ranked of those whose kept score still holds (no change listed since,
   * `changes_at` still to come), with every customer whose score may have moved. Only the candidates
   * are scored from the records; a customer left out has a kept score that holds and at least `limit`
   * ahead of it. Until the scores are kept, every active customer in scope is a candidate.
   */
  async healthFacts(scope: DashboardScope, clock: HealthClock, limit: number): Promise<HealthFacts[]> {
    const b = new Binder();
    const users = scope.userIds === null ? null : `${b.bind(scope.userIds)}::int[]`;
    const owned = (column: string) => (users === null ? 'true' : `${column} = ANY(${users})`);
    const everyone = `SELECT cu.id FROM customer cu WHERE ${ACTIVE} AND ${owned('cu.owner_id')}`;
    let candidates = everyone;
    if (this.kept) {
      const now = `${b.bind(clock.now)}::timestamptz`;
      const kept = `(SELECT zone IS NOT DISTINCT FROM ${b.bind(clock.zone)}::text AND built_at IS NOT NULL
                       FROM customer_health_state)`;
      candidates = `
        SELECT customer_id FROM customer_health_dirty
        UNION SELECT customer_id FROM customer_health WHERE changes_at <= ${now}
        UNION (SELECT h.customer_id FROM customer_health h
                WHERE (h.changes_at IS NULL OR h.changes_at > ${now}) AND ${owned('h.owner_id')}
                  AND NOT EXISTS (SELECT FROM customer_health_dirty d WHERE d.customer_id = h.customer_id)
                ORDER BY h.score, h.name, h.customer_id LIMIT ${Math.trunc(limit)})
        UNION (${everyone} AND NOT ${kept})`;
    }
    const scored = scoredCustomers(b, clock, candidates);
    return this.dataSource.query<HealthFacts[]>(
      `SELECT id, name, tier, owner_id AS "ownerId", silent AS "daysSilent", complaints AS "openComplaints",
              lowest AS "lowestCsat", owed::text AS overdue, stale AS "staleDeals"
         FROM (${scored}) s
        WHERE s.score < 100 AND ${owned('s.owner_id')}
        ORDER BY s.score, s.name, s.id LIMIT ${Math.trunc(limit)}`,
      b.values,
    );
  }
}
