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

/** The most candidates scored per page: the worst by silence first. */
export const AT_RISK_CANDIDATES = 2000;

/**
 * The customers' side of the dashboard: the facts behind each active customer's health, read for those
 * with at least one thing wrong (silent beyond their tier's rhythm, an open complaint, a low CSAT,
 * overdue money, a stale deal), in one statement.
 */
@Injectable()
export class CustomersQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async healthFacts(scope: DashboardScope, now: Date, today: string): Promise<HealthFacts[]> {
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
    // The candidates: each customer silent beyond their tier's rhythm or with something else wrong (an
    // open complaint, a low CSAT, overdue money, a stale deal: each from a small index or table), then
    // the worst 2,000 of them by silence; only those have their facts read, four lookups each (reading
    // them for every active customer took 6–10 s at 100,000 customers).
    return this.dataSource.query<HealthFacts[]>(
      `WITH wrong AS MATERIALIZED (
         SELECT t.customer_id AS id FROM ticket t WHERE t.type = 'complaint' AND t.status IN ('new', 'open', 'pending')
            AND t.deleted_at IS NULL AND t.merged_into_id IS NULL
         UNION
         SELECT s.customer_id FROM survey_response s WHERE s.csat <= $3
            AND s.answered_at > $1::timestamptz - make_interval(days => $4)
         UNION
         SELECT k.customer_id FROM payment_installment i JOIN contract k ON k.id = i.contract_id
          WHERE k.deleted_at IS NULL AND k.status = ANY($6) AND i.collected < i.amount AND i.due_on < $2::date
         UNION
         SELECT o.customer_id FROM opportunity o WHERE o.deleted_at IS NULL AND o.stage NOT IN ('won', 'lost')
            AND o.last_activity_at < $1::timestamptz - make_interval(days => $5)),
       worst AS (
         SELECT cu.id, cu.name, cu.tier, cu.owner_id, ${silent} AS "daysSilent", ${rhythm} AS rhythm
           FROM customer cu
          WHERE cu.deleted_at IS NULL AND cu.merged_into_id IS NULL AND cu.status = 'active' AND ${owned}
            AND (${silent} > ${rhythm} OR cu.id IN (SELECT id FROM wrong))
          ORDER BY ${silent}::float / ${rhythm} DESC, cu.id
          LIMIT ${AT_RISK_CANDIDATES})
       SELECT cu.id, cu.name, cu.tier, cu.owner_id AS "ownerId", cu."daysSilent",
              (SELECT count(*) FROM ticket t WHERE t.customer_id = cu.id AND t.type = 'complaint'
                  AND t.status IN ('new', 'open', 'pending') AND t.deleted_at IS NULL AND t.merged_into_id IS NULL)::int AS "openComplaints",
              (SELECT min(s.csat) FROM survey_response s WHERE s.customer_id = cu.id AND s.csat IS NOT NULL
                  AND s.answered_at > $1::timestamptz - make_interval(days => $4))::int AS "lowestCsat",
              (SELECT coalesce(sum(i.amount - i.collected), 0) FROM payment_installment i JOIN contract k ON k.id = i.contract_id
                WHERE k.customer_id = cu.id AND k.deleted_at IS NULL AND k.status = ANY($6) AND i.collected < i.amount
                  AND i.due_on < $2::date)::text AS overdue,
              (SELECT count(*) FROM opportunity o WHERE o.customer_id = cu.id AND o.deleted_at IS NULL
                  AND o.stage NOT IN ('won', 'lost') AND o.last_activity_at < $1::timestamptz - make_interval(days => $5))::int AS "staleDeals"
         FROM worst cu
        ORDER BY cu."daysSilent"::float / cu.rhythm DESC, cu.id`,
      values,
    );
  }
}
