import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type HealthClock, scoredCustomers } from './customers.query.js';
import { Binder } from './figure-rows.js';

/** What a scoring of the kept health did: every active customer scored again (`full`), or how many. */
export interface HealthRun {
  full: boolean;
  customers: number;
}

/**
 * The kept health scores of the active customers (`customer_health`, migration KeepCustomerHealth):
 * all of them scored from the records, or those whose score may have moved since (a change listed in
 * `customer_health_dirty`, or `changes_at` reached).
 */
@Injectable()
export class CustomerHealthQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Scores every active customer again. The listed changes are cleared first: a change committed
   * after that is listed again, whether or not the scoring saw it.
   */
  build(clock: HealthClock): Promise<HealthRun> {
    return this.dataSource.transaction(async (m) => {
      await this.lock(m);
      await m.query('DELETE FROM customer_health_dirty');
      await m.query('DELETE FROM customer_health');
      const customers = await this.score(m, clock, null);
      await m.query(`UPDATE customer_health_state SET zone = $1, built_at = now()`, [clock.zone]);
      return { full: true, customers };
    });
  }

  /**
   * Scores again the customers listed since the last scoring and those whose `changes_at` has come,
   * and clears the list; null when the scores are not kept in the clock's zone (build them first),
   * then with `forget` the list is cleared (nothing reads it).
   */
  refresh(clock: HealthClock, forget = false): Promise<HealthRun | null> {
    return this.dataSource.transaction(async (m) => {
      await this.lock(m);
      const [state] = await m.query<{ kept: boolean }[]>(
        `SELECT zone IS NOT DISTINCT FROM $1::text AND built_at IS NOT NULL AS kept FROM customer_health_state`,
        [clock.zone],
      );
      if (!state.kept) {
        if (forget) await m.query('DELETE FROM customer_health_dirty');
        return null;
      }
      const [{ ids }] = await m.query<{ ids: number[] | null }[]>(
        `WITH taken AS (DELETE FROM customer_health_dirty RETURNING customer_id)
         SELECT array_agg(id) AS ids
           FROM (SELECT customer_id AS id FROM taken
                 UNION SELECT customer_id FROM customer_health WHERE changes_at <= $1) c`,
        [clock.now],
      );
      if (!ids) return { full: false, customers: 0 };
      await m.query('DELETE FROM customer_health WHERE customer_id = ANY($1::int[])', [ids]);
      const b = new Binder();
      const customers = await this.score(m, clock, `SELECT unnest(${b.bind(ids)}::int[])`, b);
      return { full: false, customers };
    });
  }

  /** One scoring at a time across app instances. */
  private async lock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('customer_health'))`);
  }

  /** Writes the scores of the active customers `pick` lists (all when null); how many were written. */
  private async score(
    m: EntityManager,
    clock: HealthClock,
    pick: string | null,
    b = new Binder(),
  ): Promise<number> {
    const scored = scoredCustomers(b, clock, pick);
    const [{ written }] = await m.query<{ written: number }[]>(
      `WITH w AS (INSERT INTO customer_health (customer_id, owner_id, name, score, changes_at)
                  SELECT id, owner_id, name, score, changes_at FROM (${scored}) s RETURNING 1)
       SELECT count(*)::int AS written FROM w`,
      b.values,
    );
    return written;
  }
}
