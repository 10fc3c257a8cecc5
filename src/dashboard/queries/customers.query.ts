import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { COLLECTING_STATUSES } from '../../contracts/payment.options.js';
import type { DashboardScope } from '../dashboard.types.js';
import { CSAT_LOOKBACK_DAYS, LOW_CSAT, STALE_DEAL_DAYS, TIER_RHYTHM_DAYS } from '../kpi-formulas.js';

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

/**
 * The customers' side of the dashboard: the facts behind the health of the active customers most at
 * risk, in one statement.
 */
@Injectable()
export class CustomersQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The `limit` active customers in scope with the lowest health score (kpi-formulas.ts, healthScore;
   * ties by name and id), with its facts. Each fact is read for every customer at once from its own
   * index or table (open complaints, low CSATs, overdue installments, stale deals, each grouped by
   * customer) and joined to the customers silent beyond their tier's rhythm or with one of them; the
   * score is healthScore's arithmetic, so the list is exact whatever the number of candidates (until
   * now the worst 2,000 by silence were scored, and a customer heard from yesterday with complaints
   * could be left out: dashboard.test.ts, "thousands of silent customers").
   */
  async healthFacts(scope: DashboardScope, now: Date, today: string, limit: number): Promise<HealthFacts[]> {
    const values: unknown[] = [
      now,
      today,
      LOW_CSAT,
      CSAT_LOOKBACK_DAYS,
      STALE_DEAL_DAYS,
      [...COLLECTING_STATUSES],
    ];
    const rhythm = `CASE cu.tier WHEN 'A' THEN ${TIER_RHYTHM_DAYS.A} WHEN 'B' THEN ${TIER_RHYTHM_DAYS.B} ELSE ${TIER_RHYTHM_DAYS.C} END`;
    let owned = 'true';
    if (scope.userIds !== null) {
      values.push(scope.userIds);
      owned = `cu.owner_id = ANY($${values.length}::int[])`;
    }
    const silent = `floor(extract(epoch FROM $1::timestamptz - coalesce(cu.last_interaction_at, cu.created_at)) / 86400)::int`;
    return this.dataSource.query<HealthFacts[]>(
      `WITH complaints AS (
         SELECT t.customer_id AS id, count(*)::int AS n FROM ticket t
          WHERE t.type = 'complaint' AND t.status IN ('new', 'open', 'pending')
            AND t.deleted_at IS NULL AND t.merged_into_id IS NULL
          GROUP BY t.customer_id),
       csat AS (
         SELECT s.customer_id AS id, min(s.csat)::int AS lowest FROM survey_response s
          WHERE s.csat IS NOT NULL AND s.answered_at > $1::timestamptz - make_interval(days => $4)
          GROUP BY s.customer_id),
       owed AS (
         SELECT k.customer_id AS id, sum(i.amount - i.collected) AS amount
           FROM payment_installment i JOIN contract k ON k.id = i.contract_id
          WHERE k.deleted_at IS NULL AND k.status = ANY($6) AND i.collected < i.amount AND i.due_on < $2::date
          GROUP BY k.customer_id),
       stale AS (
         SELECT o.customer_id AS id, count(*)::int AS n FROM opportunity o
          WHERE o.deleted_at IS NULL AND o.stage NOT IN ('won', 'lost')
            AND o.last_activity_at < $1::timestamptz - make_interval(days => $5)
          GROUP BY o.customer_id),
       facts AS (
         SELECT cu.id, cu.name, cu.tier, cu.owner_id, ${silent} AS silent, ${rhythm} AS rhythm,
                coalesce(c.n, 0) AS complaints, s.lowest, coalesce(w.amount, 0) AS owed, coalesce(d.n, 0) AS stale
           FROM customer cu
           LEFT JOIN complaints c ON c.id = cu.id LEFT JOIN csat s ON s.id = cu.id
           LEFT JOIN owed w ON w.id = cu.id LEFT JOIN stale d ON d.id = cu.id
          WHERE cu.deleted_at IS NULL AND cu.merged_into_id IS NULL AND cu.status = 'active' AND ${owned}
            AND (${silent} > ${rhythm} OR c.id IS NOT NULL OR s.lowest <= $3 OR w.id IS NOT NULL OR d.id IS NOT NULL)),
       scored AS (
         SELECT f.*, greatest(0, 100
                  - CASE WHEN f.silent > f.rhythm THEN least(40, 10 + 10 * ((f.silent - f.rhythm) / f.rhythm)) ELSE 0 END
                  - least(30, 15 * f.complaints)
                  - CASE WHEN f.lowest <= $3 THEN 15 ELSE 0 END
                  - CASE WHEN f.owed > 0 THEN 20 ELSE 0 END
                  - CASE WHEN f.stale > 0 THEN 10 ELSE 0 END) AS score
           FROM facts f)
       SELECT id, name, tier, owner_id AS "ownerId", silent AS "daysSilent", complaints AS "openComplaints",
              lowest AS "lowestCsat", owed::text AS overdue, stale AS "staleDeals"
         FROM scored ORDER BY score, name, id LIMIT ${Math.trunc(limit)}`,
      values,
    );
  }
}
