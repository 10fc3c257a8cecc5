import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ALL_DAYS, countedDays, countedFunnel, ROLLED, SLICED } from './day-totals.js';
import { Binder, type Figure } from './figure-rows.js';

/**
 * What a count of the day totals did: every day counted again (`full`), or the days listed (and the
 * funnel's months of `deals` deals).
 */
export interface DayTotalsRun {
  full: boolean;
  days: string[];
  deals?: number;
}

/** The day totals' counting (day-totals.ts), with the funnel's months: all of them, or what changes listed since. */
@Injectable()
export class DayTotalsQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts every day again from the records, its days in `zone`. The listed days are cleared first:
   * a change committed after that is listed again, whether or not the count saw it.
   */
  build(zone: string): Promise<DayTotalsRun> {
    return this.dataSource.transaction(async (m) => {
      await this.lock(m);
      await m.query('DELETE FROM kpi_dirty');
      await m.query('DELETE FROM kpi_funnel_dirty');
      await m.query('DELETE FROM kpi_day_total');
      await m.query('DELETE FROM kpi_funnel_month');
      await this.count(m, zone);
      const b = new Binder();
      await m.query(countedFunnel(b, zone), b.values);
      await m.query(`UPDATE kpi_rollup SET zone = $1, built_at = now()`, [zone]);
      return { full: true, days: [] };
    });
  }

  /**
   * Counts again the days listed since the last count, and clears them; null when the totals are not
   * kept in `zone` (build them first), then with `forget` the list is cleared (nothing reads it).
   */
  refresh(zone: string, forget = false): Promise<DayTotalsRun | null> {
    return this.dataSource.transaction(async (m) => {
      await this.lock(m);
      // Kept, with their days in this zone (as day-totals.ts's kpiState reads it).
      const [state] = await m.query<{ built: boolean }[]>(
        `SELECT zone IS NOT DISTINCT FROM $1::text AND built_at IS NOT NULL AS built FROM kpi_rollup`,
        [zone],
      );
      if (!state.built) {
        if (forget) {
          await m.query('DELETE FROM kpi_dirty');
          await m.query('DELETE FROM kpi_funnel_dirty');
        }
        return null;
      }
      const [{ days }] = await m.query<{ days: string[] | null }[]>(
        `WITH taken AS (DELETE FROM kpi_dirty RETURNING at, on_day)
         SELECT array_agg(day ORDER BY day)::text[] AS days
           FROM (SELECT (at AT TIME ZONE $1::text)::date AS day FROM taken WHERE at IS NOT NULL
                 UNION SELECT on_day FROM taken WHERE on_day IS NOT NULL) d`,
        [zone],
      );
      if (days?.length) {
        await m.query('DELETE FROM kpi_day_total WHERE day = ANY($1::date[])', [days]);
        await this.count(m, zone, days);
      }
      const [{ deals }] = await m.query<{ deals: number[] | null }[]>(
        `WITH taken AS (DELETE FROM kpi_funnel_dirty RETURNING opportunity_id)
         SELECT array_agg(DISTINCT opportunity_id) AS deals FROM taken`,
      );
      if (deals?.length) {
        await m.query('DELETE FROM kpi_funnel_month WHERE opportunity_id = ANY($1::int[])', [deals]);
        const b = new Binder();
        await m.query(countedFunnel(b, zone, `SELECT unnest(${b.bind(deals)}::int[])`), b.values);
      }
      return { full: false, days: days ?? [], deals: deals?.length ?? 0 };
    });
  }

  /** One count at a time across app instances. */
  private async lock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('kpi_day_total'))`);
  }

  /** Writes the totals of every kept figure, of `days` only when given. */
  private async count(m: EntityManager, zone: string, days?: string[]): Promise<void> {
    for (const figure of ROLLED)
      for (const sliced of SLICED.has(figure as Figure) ? [false, true] : [false]) {
        const b = new Binder();
        const live =
          days === undefined
            ? undefined
            : {
                days: `${b.bind(days)}::date[]`,
                first: `${b.bind(days[0])}::date`,
                last: `${b.bind(days[days.length - 1])}::date`,
                all: 'false',
              };
        await m.query(countedDays(b, figure, sliced, ALL_DAYS(zone), live), b.values);
      }
  }
}
