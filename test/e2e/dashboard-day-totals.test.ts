import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { decodeHtml } from '../helpers/client.js';
import { type DashboardData, seedDashboard, sh } from '../helpers/dashboard-data.js';
import { DashboardService } from '../../src/dashboard/dashboard.service.js';
import type { DashboardScope } from '../../src/dashboard/dashboard.types.js';
import { DayTotalsService } from '../../src/dashboard/day-totals.service.js';
import type { Period } from '../../src/dashboard/period.js';
import { DayTotalsQuery } from '../../src/dashboard/queries/day-totals.query.js';
import { type FigureTotals, FiguresQuery, type GroupBy } from '../../src/dashboard/queries/figures.query.js';
import type { Figure } from '../../src/dashboard/queries/figure-rows.js';

/**
 * The figures summed from day totals (queries/day-totals.ts) are the figures of the records, at every
 * moment: once counted, right after facts of past days change (the changed days read from the
 * records), and after the job has counted those days again. "The records" is the same dashboard
 * reading every figure from its rows.
 */
let t: TestApp;
let d: DashboardData;
let dashboard: DashboardService;
let totals: DayTotalsService;
let kept: FiguresQuery;
let rows: FiguresQuery;
const zone = 'Asia/Shanghai';

beforeAll(async () => {
  t = await startApp();
  d = await seedDashboard(t.db);
  dashboard = t.app.get(DashboardService);
  totals = t.app.get(DayTotalsService);
  kept = t.app.get(FiguresQuery);
  rows = kept.fromRowsOnly();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The groups the page asks for. */
const GROUPS: { figure: Figure; by: GroupBy }[] = [
  { figure: 'funnel', by: 'dim1' },
  { figure: 'signed', by: 'owner' },
  { figure: 'collected', by: 'owner' },
  { figure: 'new_customers', by: 'owner' },
  { figure: 'follow_ups', by: 'owner' },
  { figure: 'signed', by: 'dim1' },
  { figure: 'signed', by: 'dim2' },
  { figure: 'tickets', by: 'dim1' },
  { figure: 'tickets', by: 'dim2' },
  { figure: 'signed', by: 'customer' },
  { figure: 'signed', by: 'month' },
  { figure: 'collected', by: 'month' },
  { figure: 'tickets', by: 'month' },
  { figure: 'csat', by: 'month' },
];

/**
 * The backlog's ages in days: a sum of each ticket's age divided by a day's seconds (the records), or
 * the seconds summed then divided (the totals), equal to far more places than the page shows.
 */
function aged(m: Map<Figure, FigureTotals>) {
  const out: Record<string, unknown> = Object.fromEntries(m);
  const b = m.get('backlog');
  if (b) out.backlog = { ...b, total: Number(b.total).toFixed(6), totalHit: Number(b.totalHit).toFixed(6) };
  return out;
}

/** Every figure's totals and the page's groups, for each person's scope and period, as `q` reads them. */
async function figures(q: FiguresQuery, periods: Period[], now: Date) {
  const out: Record<string, unknown> = {};
  for (const who of ['manager', 'westManager', 'admin', 'r1', 's1'] as const) {
    const scope: DashboardScope = await dashboard.scopeOfUser(d[who].id);
    for (const p of periods) {
      out[`${who} ${p.from} totals`] = aged(await q.totals(scope, p, now));
      const groups = await q.groups(scope, p, now, GROUPS);
      out[`${who} ${p.from} groups`] = groups.map((g) =>
        [...g].sort((a, b) => String(a.key).localeCompare(String(b.key))),
      );
    }
  }
  return out;
}

/** The figures as the totals give them are those of the records, asked at the same instant. */
async function expectTheRecords(ps: Period[]) {
  const now = new Date();
  expect(await figures(kept, ps, now)).toEqual(await figures(rows, ps, now));
}

const october = () => dashboard.period('custom', new Date(), { from: '2026-10-01', to: '2026-10-31' });
const year = () => dashboard.period('custom', new Date(), { from: '2026-01-01', to: '2026-12-31' });
const week = () => dashboard.period('custom', new Date(), { from: '2026-10-19', to: '2026-10-25' });
const thisMonth = () => dashboard.period('this_month');
const quarter = () => dashboard.period('custom', new Date(), { from: '2026-10-01', to: '2026-12-31' });
const twoMonths = () => dashboard.period('custom', new Date(), { from: '2026-09-01', to: '2026-10-31' });
const periods = () => [
  october(),
  dashboard.previous(october()),
  year(),
  week(),
  thisMonth(),
  quarter(),
  twoMonths(),
];

async function held(from: string, to: string, figure: string): Promise<number> {
  const { rows: r } = await t.db.query<{ n: number }>(
    `SELECT coalesce(sum(n), 0)::int AS n FROM kpi_day_total WHERE figure = $3 AND NOT sliced AND day BETWEEN $1 AND $2`,
    [from, to, figure],
  );
  return r[0].n;
}
const listed = async () => (await t.db.query('SELECT 1 FROM kpi_dirty')).rowCount ?? 0;

/**
 * Runs `work` while the day totals' job cannot count (its lock held, as a run in progress would): the
 * app's own schedule runs the job every minute, and a run in the middle would count what `work` means
 * to read from the records.
 */
async function whileTheJobWaits(work: () => Promise<void>): Promise<void> {
  const client = await t.db.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('kpi_day_total'))`);
    await work();
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext('kpi_day_total'))`);
    client.release();
  }
}

/** A KPI card's value on the manager's page for October. */
async function card(key: string): Promise<string> {
  const c = await signedIn(t, d.manager, 'en');
  const page = await c.get('/dashboard?period=custom&from=2026-10-01&to=2026-10-31');
  const m = new RegExp(`data-kpi="${key}">[\\s\\S]*?<a class="kpi-value"[^>]*>([^<]*)</a>`).exec(page.text);
  return decodeHtml(m?.[1] ?? '').trim();
}

describe('the dashboard’s day totals', () => {
  it('are not counted outside production until asked: the job clears the list of changed days, pages read the records', async () => {
    await whileTheJobWaits(async () => expect(await listed()).toBeGreaterThan(0));
    expect(await totals.run()).toBeNull();
    expect(await listed()).toBe(0);
    expect((await t.db.query('SELECT count(*)::int AS n FROM kpi_day_total')).rows[0].n).toBe(0);
    await expectTheRecords(periods());
    expect(await card('won_deals')).toBe('2');
  });

  it('once counted, give every figure and group of every scope as the records do', async () => {
    expect(await totals.build()).toEqual({ full: true, days: [] });
    const { rows: months } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM kpi_funnel_month WHERE month = '2026-10-01'`,
    );
    expect(months[0].n).toBeGreaterThan(0);
    // o1 and o2 (East), o4 (West).
    expect(await held('2026-10-01', '2026-10-31', 'won_deals')).toBe(3);
    expect(await held('2026-10-01', '2026-10-31', 'tickets')).toBeGreaterThan(0);
    await expectTheRecords(periods());
    expect(await card('won_deals')).toBe('2');
    expect(await card('resolution_time')).toBe('750 min');
  });

  it('follow facts changed on past days at once, reading those days from the records until the job counts them', async () => {
    // A ticket resolved on 26 October by another agent, another reopened (its resolution undone), a
    // payment collected on 15 October, a deal won on 20 October, West's customer handed to East's rep
    // (its ticket of 6 October and that ticket's answer of 9 October now in East's figures, on days
    // nothing else changed), a follow-up of 3 October deleted, one logged on 16 October, a contract's
    // owner changed, a survey answered, and a ticket received today; for the funnel's months, o5's win
    // recorded as a stage change, o6 moved on 8 October, o1 handed to r2, o2's amount changed and o4's
    // move of 2 October undone.
    await whileTheJobWaits(async () => {
      await t.db.query(
        `UPDATE ticket SET status = 'resolved', assignee_id = $2, first_responded_at = $3, first_response_minutes = 20,
                resolved_at = $4, resolution_minutes = 300, public_reply_count = 1, updated_at = now() WHERE id = $1`,
        [d.tickets.t3, d.s1.id, sh('2026-10-25 10:20'), sh('2026-10-26 10:00')],
      );
      await t.db.query(
        `UPDATE ticket SET status = 'open', resolved_at = NULL, resolution_minutes = NULL, reopen_count = 1,
                updated_at = now() WHERE id = $1`,
        [d.tickets.t2],
      );
      await t.db.query(
        `INSERT INTO payment (contract_id, received_on, amount, method, recorded_by_id)
         VALUES ($1, '2026-10-15', '2500.00', 'bank_transfer', $2)`,
        [d.contracts.k1, d.r1.id],
      );
      await t.db.query(
        `UPDATE opportunity SET stage = 'won', probability = 100, closed_at = $2, updated_at = now() WHERE id = $1`,
        [d.deals.o5, sh('2026-10-20 15:00')],
      );
      await t.db.query('UPDATE customer SET owner_id = $2, updated_at = now() WHERE id = $1', [
        d.customers.c4,
        d.r1.id,
      ]);
      await t.db.query(
        `DELETE FROM follow_up WHERE id = (SELECT min(id) FROM follow_up WHERE customer_id = $1 AND happened_at = $2)`,
        [d.customers.c1, sh('2026-10-03 10:00')],
      );
      await t.db.query(
        `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version)
         VALUES ($1, $2, 'phone', $3, 'Called', 1)`,
        [d.customers.c2, d.r2.id, sh('2026-10-16 16:00')],
      );
      await t.db.query('UPDATE contract SET owner_id = $2, updated_at = now() WHERE id = $1', [
        d.contracts.k2,
        d.r1.id,
      ]);
      await t.db.query(
        `INSERT INTO survey_response (kind, ticket_id, customer_id, sent_to, token, sent_at, expires_at, answered_at, csat)
         VALUES ('ticket', $1, $2, 'a@example.com', 'tok-survey-day-totals', $3, $3::timestamptz + interval '30 days', $4, 2)`,
        [d.tickets.t3, d.customers.c1, sh('2026-10-26 11:00'), sh('2026-10-27 09:00')],
      );
      await t.db.query(
        `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
           assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
           resolution_due_at, tracking_token, version)
         VALUES ('T-today-' || $1::int, $1::int, 'Requester', 'portal', 'complaint', 'normal', 'new', 'Today', $2, $3, now(),
                 120, 1440, now() + interval '2 hours', now() + interval '1 day', 'tok-today-' || $1::int, 1)`,
        [d.customers.c2, d.east, d.s1.id],
      );

      await t.db.query(
        `INSERT INTO opportunity_stage_change (opportunity_id, from_stage, to_stage, by_id, at)
         VALUES ($1, 'negotiation', 'won', $2, $3)`,
        [d.deals.o5, d.r2.id, sh('2026-10-20 15:00')],
      );
      await t.db.query(
        `INSERT INTO opportunity_stage_change (opportunity_id, from_stage, to_stage, by_id, at)
         VALUES ($1, 'needs_analysis', 'negotiation', $2, $3)`,
        [d.deals.o6, d.r2.id, sh('2026-10-08 11:00')],
      );
      await t.db.query('UPDATE opportunity SET owner_id = $2 WHERE id = $1', [d.deals.o1, d.r2.id]);
      await t.db.query(`UPDATE opportunity SET amount = amount + 1000 WHERE id = $1`, [d.deals.o2]);
      await t.db.query('DELETE FROM opportunity_stage_change WHERE opportunity_id = $1', [d.deals.o4]);

      // Before the job: the changed days are listed, the totals still hold what they held, the figures
      // are already the records'.
      expect(await listed()).toBeGreaterThan(0);
      expect(await held('2026-10-01', '2026-10-31', 'won_deals')).toBe(3);
      await expectTheRecords(periods());
      expect(await card('won_deals')).toBe('3');
    });

    // This run, or the schedule's if it came first (this one then finds nothing left to count).
    expect(await totals.run()).toMatchObject({ full: false });
    expect(await listed()).toBe(0);
    expect(await held('2026-10-01', '2026-10-31', 'won_deals')).toBe(4);
    await expectTheRecords(periods());
    // o1, o2 and now o5; t1 (540 min) and t3 (300 min), t2 reopened.
    expect(await card('won_deals')).toBe('3');
    expect(await card('resolution_time')).toBe('420 min');
    expect(await card('collected_amount')).toBe('¥9,500.00');
  });

  it('count a change once when two instances’ jobs run at the same moment', async () => {
    let before = 0;
    await whileTheJobWaits(async () => {
      before = await held('2026-10-12', '2026-10-12', 'follow_ups');
      await t.db.query(
        `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version)
         VALUES ($1, $2, 'visit', $3, 'Visited again', 1)`,
        [d.customers.c1, d.r1.id, sh('2026-10-12 10:00')],
      );
    });
    const query = t.app.get(DayTotalsQuery);
    await Promise.all([query.refresh(zone), query.refresh(zone)]);
    expect(await held('2026-10-12', '2026-10-12', 'follow_ups')).toBe(before + 1);
    await expectTheRecords([october()]);
  });

  it('are read as not counted after a table they count is emptied, until counted again', async () => {
    await t.db.query('TRUNCATE survey_response');
    const { rows: state } = await t.db.query('SELECT zone, built_at FROM kpi_rollup');
    expect(state[0]).toEqual({ zone: null, built_at: null });
    await expectTheRecords([october()]);
    await totals.build();
    await expectTheRecords(periods());
  });
});
