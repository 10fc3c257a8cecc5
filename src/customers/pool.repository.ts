import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { PoolRules } from './pool.js';

/** All SQL of the public pool (公海): who owns a customer, and customers going back to the pool. */
@Injectable()
export class PoolRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One rep's claims take turns (until the caller's transaction ends), so their cap holds. */
  async lockClaimsOf(m: EntityManager, userId: number): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pool-claims:${userId}`]);
  }

  /** How many live customers the user owns. */
  async countOwned(userId: number, m: EntityManager = this.dataSource.manager): Promise<number> {
    const [{ n }] = await m.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM customer WHERE owner_id = $1 AND deleted_at IS NULL',
      [userId],
    );
    return n;
  }

  /** Gives the customer a new owner (null: back to the pool); the return clock starts again. */
  async setOwner(m: EntityManager, id: number, ownerId: number | null): Promise<void> {
    await m.query(
      `UPDATE customer SET owner_id = $2, owned_since = CASE WHEN $2::int IS NULL THEN NULL ELSE now() END,
              pool_warned_at = NULL, version = version + 1, updated_at = now()
        WHERE id = $1`,
      [id, ownerId],
    );
  }

  /** Moves every live customer of one owner to another (or the pool); returns how many. */
  async moveAll(m: EntityManager, fromId: number, toId: number | null): Promise<number[]> {
    // TypeORM answers an UPDATE with [rows, count].
    const [moved] = await m.query<[{ id: number }[], number]>(
      `UPDATE customer SET owner_id = $2, owned_since = CASE WHEN $2::int IS NULL THEN NULL ELSE now() END,
              pool_warned_at = NULL, version = version + 1, updated_at = now()
        WHERE owner_id = $1 AND deleted_at IS NULL RETURNING id`,
      [fromId, toId],
    );
    return moved.map((r) => r.id);
  }

  /**
   * Returns to the pool the customers whose time is up: unfollowed for their tier's days, and their
   * owner warned at least `warnDays` ago. A customer's clock starts at its last interaction or when
   * its owner took it.
   */
  async returnOverdue(
    m: EntityManager,
    r: PoolRules,
  ): Promise<{ id: number; name: string; ownerId: number }[]> {
    const [rows] = await m.query<[{ id: number; name: string; owner_id: number }[], number]>(
      `UPDATE customer c SET owner_id = NULL, owned_since = NULL, pool_warned_at = NULL, version = c.version + 1, updated_at = now()
         FROM customer old
        WHERE old.id = c.id AND c.owner_id IS NOT NULL AND c.deleted_at IS NULL
          AND ${SINCE} < now() - make_interval(days => ${LIMIT_DAYS})
          -- The owner was warned, and had the warning period to act (rules changed or runs missed).
          AND ($4::int = 0 OR c.pool_warned_at <= now() - make_interval(days => $4::int))
        RETURNING c.id, c.name, old.owner_id`,
      [r.returnDaysA, r.returnDaysB, r.returnDaysC, r.warnDays],
    );
    return rows.map((c) => ({ id: c.id, name: c.name, ownerId: c.owner_id }));
  }

  /** Marks as warned the customers due back within `warnDays`, with the days they have left. */
  async warnDue(
    m: EntityManager,
    r: PoolRules,
  ): Promise<{ id: number; name: string; ownerId: number; days: number }[]> {
    // The most pressing first: an owner's warnings arrive in the order the customers go back.
    const rows = await m.query<{ id: number; name: string; owner_id: number; days: number }[]>(
      `WITH warned AS (
         UPDATE customer c SET pool_warned_at = now()
          WHERE c.owner_id IS NOT NULL AND c.deleted_at IS NULL AND c.pool_warned_at IS NULL
            AND ${SINCE} < now() - make_interval(days => ${LIMIT_DAYS} - $4::int)
          RETURNING c.id, c.name, c.owner_id,
                    greatest(0, ceil(extract(epoch FROM (${SINCE} + make_interval(days => ${LIMIT_DAYS}) - now())) / 86400))::int AS days)
       SELECT * FROM warned ORDER BY days, id`,
      [r.returnDaysA, r.returnDaysB, r.returnDaysC, r.warnDays],
    );
    return rows.map((c) => ({ id: c.id, name: c.name, ownerId: c.owner_id, days: c.days }));
  }
}

/** A customer's tier's return period in days; $1–$3 are tiers A–C. */
const LIMIT_DAYS = `(CASE c.tier WHEN 'A' THEN $1::int WHEN 'B' THEN $2::int ELSE $3::int END)`;
/** When the customer's clock started. */
const SINCE = `greatest(coalesce(c.last_interaction_at, '-infinity'), coalesce(c.owned_since, '-infinity'))`;
