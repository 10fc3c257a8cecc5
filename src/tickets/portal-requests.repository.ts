import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/** All SQL on `portal_request`: the portal's requests of the last hour, by key. */
@Injectable()
export class PortalRequestsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts a request made `at` against each key, unless one of them already has `limit` requests
   * after `since`: then nothing is counted and the answer is the latest of those keys' `limit`-th
   * most recent requests (the window frees a place when it leaves). Requests for the same key take
   * turns (an advisory lock per key, in key order), so two at once cannot both take the last place.
   * Requests from before `since` are forgotten on the way.
   */
  take(keys: readonly string[], at: Date, since: Date, limit: number): Promise<Date | null> {
    const sorted = [...new Set(keys)].sort();
    return this.dataSource.transaction(async (m) => {
      for (const key of sorted)
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`portal:${key}`]);
      const [{ full }] = await m.query<{ full: Date | null }[]>(
        `SELECT max(nth) AS full FROM (
           SELECT (array_agg(at ORDER BY at DESC))[$3] AS nth FROM portal_request
            WHERE key = ANY($1) AND at > $2 GROUP BY key HAVING count(*) >= $3) k`,
        [sorted, since, limit],
      );
      if (full) return full;
      await m.query('INSERT INTO portal_request (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k', [
        sorted,
        at,
      ]);
      await m.query('DELETE FROM portal_request WHERE at <= $1', [since]);
      return null;
    });
  }

  /** Forgets the requests counted against these keys (a person erased), in the caller's transaction. */
  async forget(m: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length) await m.query('DELETE FROM portal_request WHERE key = ANY($1)', [keys]);
  }
}
