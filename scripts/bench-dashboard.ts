import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { APP_CONFIG, type AppConfig, loadConfig } from '../src/config/config.js';
import { createApp } from '../src/app.js';
import { localDay } from '../src/common/time.js';
import { DashboardPolicy } from '../src/dashboard/dashboard.policy.js';
import { DashboardService } from '../src/dashboard/dashboard.service.js';
import { DayTotalsService } from '../src/dashboard/day-totals.service.js';
import { CustomerHealthService } from '../src/dashboard/customer-health.service.js';
import { CustomersQuery } from '../src/dashboard/queries/customers.query.js';
import { ROLLED } from '../src/dashboard/queries/day-totals.js';
import { FiguresQuery } from '../src/dashboard/queries/figures.query.js';
import { FIGURES } from '../src/dashboard/queries/figure-rows.js';
import type { DashboardFilterDto } from '../src/dashboard/dto/dashboard-filter.dto.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { runMigrations } from '../src/database/migrate.js';
import { ENTITIES } from '../src/entities.js';
import { SeedService } from '../src/seed/seed.service.js';
import { UsersService } from '../src/users/users.service.js';
import { BENCH_ENV, startThrowawayDatabase } from './throwaway-app.js';

/**
 * The KPI dashboard at scale: 100,000 customers, 1,000,000 follow-ups, 200,000 deals and 1,000,000
 * tickets (seeding only what the database lacks), then, in one run, the server time of the dashboard
 * (DashboardService.page: every statement and the view model, without the HTML) for the admin and a
 * manager, cold (the first view of that page in a new app: new connections, nothing cached in Kehu)
 * and warm (the median of the next views), next to the same page with every figure read straight from
 * the records (FiguresQuery.fromRowsOnly). Budget: warm under a tenth of the records' time, cold under
 * half of it.
 *
 * This month's and last month's pages (the ones managers open every morning; early in a month the
 * first holds little); `-- --year` adds this year's.
 * `npm run bench:dashboard` seeds a throwaway embedded PostgreSQL (long: the seed is most of it);
 * `npm run bench:dashboard -- postgres://…` uses (and tops up) that database, migrated first, and can
 * be run again on it.
 */
const TARGET = { customers: 100_000, followUps: 1_000_000, deals: 200_000, tickets: 1_000_000 };
const WARM_VIEWS = 3;
const ROWS_VIEWS = 2;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

async function count(db: pg.Pool, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

/** Tops the database up to TARGET; answers whether anything was added. */
async function seed(db: pg.Pool, seeder: SeedService): Promise<boolean> {
  let added = false;
  const step = async (what: string, run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    console.log(`  seeded ${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    added = true;
  };
  const customers = await count(db, 'customer');
  if (customers < TARGET.customers)
    await step('customers', () => seeder.seedScale(TARGET.customers - customers));
  if ((await count(db, 'opportunity')) < TARGET.deals)
    await step('deals', () => seeder.seedScaleDeals(TARGET.deals));
  if ((await count(db, 'ticket')) < TARGET.tickets)
    await step('tickets', () => seeder.seedScaleTickets(TARGET.tickets));
  const followUps = await count(db, 'follow_up');
  if (followUps < TARGET.followUps)
    await step(`${TARGET.followUps - followUps} follow-ups`, () =>
      // Spread over the last two years, each by its customer's owner, written when it happened.
      db.query(
        `WITH c AS (SELECT array_agg(id) AS ids, array_agg(owner_id) AS owners FROM customer
                     WHERE deleted_at IS NULL AND owner_id IS NOT NULL)
         INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version, created_at, updated_at)
         SELECT c.ids[1 + g % cardinality(c.ids)], c.owners[1 + g % cardinality(c.ids)],
                (ARRAY['phone', 'email', 'wechat', 'visit', 'meeting'])[1 + g % 5], x.at,
                'Followed up (benchmark)', 1, x.at, x.at
           FROM c, generate_series(1, $1::int) g,
                LATERAL (SELECT now() - random() * interval '730 days' + g * interval '0 s' AS at) x`,
        [TARGET.followUps - followUps],
      ),
    );
  if (added)
    for (const t of ['customer', 'follow_up', 'opportunity', 'ticket']) await db.query(`ANALYZE ${t}`);
  return added;
}

async function main(): Promise<void> {
  const given = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const throwaway = given ? null : await startThrowawayDatabase();
  const url = given ?? (throwaway as { url: string }).url;
  await runMigrations(url);
  const db = new pg.Pool({ connectionString: url, max: 2 });
  console.log(`seeding what is missing of ${JSON.stringify(TARGET)}…`);
  // The seed runs outside Nest, as the seed CLI runs it.
  const seedSource = await new DataSource(dataSourceOptions(url, { entities: ENTITIES })).initialize();
  const added = await seed(db, new SeedService(seedSource));
  await seedSource.destroy();

  let app = await createApp(appConfig(url));
  const totals = app.get(DayTotalsService);
  let started = performance.now();
  const built = (await db.query('SELECT built_at FROM kpi_rollup')).rows[0].built_at !== null;
  if (added || !built) {
    await totals.build();
    console.log(`day totals counted from every record in ${ms(performance.now() - started).trim()}`);
  }
  // The customers' health scores (the at-risk list), every active customer scored.
  started = performance.now();
  const health = app.get(CustomerHealthService);
  const scored = await health.build();
  console.log(
    `health scores: ${scored.customers} active customers scored in ${ms(performance.now() - started).trim()}`,
  );
  const { rows: held } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kpi_day_total');
  console.log(`day totals: ${held[0].n} rows`);
  // The job's run after a day's changes: a follow-up logged on each of the last 30 days.
  await db.query(
    `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version, created_at, updated_at)
     SELECT c.id, c.owner_id, 'phone', now() - g * interval '1 day', 'Called (benchmark)', 1, now(), now()
       FROM generate_series(1, 30) g,
            LATERAL (SELECT id, owner_id FROM customer WHERE owner_id IS NOT NULL AND deleted_at IS NULL LIMIT 1) c`,
  );
  started = performance.now();
  const changed = await totals.run();
  console.log(
    `a job run counting again the ${changed?.days.length} days changed: ${ms(performance.now() - started).trim()}`,
  );
  started = performance.now();
  await totals.run();
  console.log(`a job run with nothing changed: ${ms(performance.now() - started).trim()}`);
  started = performance.now();
  const rescored = await health.run();
  console.log(
    `health scores: a job run scoring again ${rescored?.customers} customers: ${ms(performance.now() - started).trim()}`,
  );
  await app.close();

  const { rows: people } = await db.query<{ id: number; role: string }>(
    `SELECT id, role FROM app_user WHERE role = 'admin' OR (role = 'manager' AND id IN (SELECT manager_id FROM team))
      ORDER BY role, id`,
  );
  const admin = people.find((p) => p.role === 'admin');
  const manager = people.find((p) => p.role === 'manager');
  if (!admin || !manager) throw new Error('the database has no admin or no team manager');
  const filters: [string, DashboardFilterDto][] = [
    ['this month', {}],
    ['last month', { period: 'last_month' }],
  ];
  if (process.argv.includes('--year')) filters.push(['this year', { period: 'this_year' }]);

  // A new app for the measures: the first view of each page is cold.
  app = await createApp(appConfig(url));
  const dashboard = app.get(DashboardService);
  const fromRows = new DashboardService(
    app.get(DashboardPolicy),
    app.get(FiguresQuery).fromRowsOnly(),
    app.get(CustomersQuery).fromRecordsOnly(),
    app.get(UsersService),
    app.get(AuditService),
    app.get<AppConfig>(APP_CONFIG),
  );
  const users = app.get(UsersService);
  let ok = true;
  for (const [who, id] of [
    ['admin', admin.id],
    ['manager', manager.id],
  ] as const) {
    const user = await users.findForSession(id);
    if (!user) throw new Error(`no user ${id}`);
    for (const [label, filter] of filters) {
      // What is timed: the whole page (every figure, group, trend and the customers at risk), and the
      // KPIs alone (the figures' totals for the period and the one before).
      const scope = await dashboard.scopeFor(user, filter);
      const period = dashboard.periodOf(filter);
      const parts: [string, (s: DashboardService) => Promise<unknown>][] = [
        ['page', (s) => s.page(user, filter)],
        ['KPIs', (s) => Promise.all([s.kpis(scope, period), s.kpis(scope, dashboard.previous(period))])],
      ];
      for (const [part, work] of parts) {
        const time = async (s: DashboardService) => {
          const t0 = performance.now();
          await work(s);
          return performance.now() - t0;
        };
        const cold = await time(dashboard);
        const warm: number[] = [];
        for (let i = 0; i < WARM_VIEWS; i++) warm.push(await time(dashboard));
        const rows: number[] = [];
        for (let i = 0; i < ROWS_VIEWS; i++) rows.push(await time(fromRows));
        const raw = median(rows);
        const w = median(warm);
        const pass = w < raw / 10 && cold < raw / 2;
        ok &&= pass;
        console.log(
          `${`${who} (#${id}), ${label}, ${part}`.padEnd(34)} warm ${ms(w)}  cold ${ms(cold)}  from the records ${ms(raw)}` +
            `  warm/records ${(w / raw).toFixed(3)} (< 0.1)  cold/records ${(cold / raw).toFixed(3)} (< 0.5)  ${pass ? 'ok' : 'OVER BUDGET'}`,
        );
      }
    }
  }
  // Where the admin's page of last month spends its time: each figure's totals (warm), the funnel's
  // stages, and the customers at risk.
  const user = await users.findForSession(admin.id);
  if (user) {
    const scope = await dashboard.scopeFor(user, {});
    const period = dashboard.periodOf({ period: 'last_month' });
    const figures = app.get(FiguresQuery);
    const rowsOnly = figures.fromRowsOnly();
    const warmOf = async (work: () => Promise<unknown>, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n + 1; i++) {
        const t0 = performance.now();
        await work();
        if (i) times.push(performance.now() - t0);
      }
      return median(times);
    };
    console.log('admin, last month, each figure warm: kept (where kept) / from the records');
    for (const f of FIGURES) {
      const now = new Date();
      // The funnel is a chart, read as its stages (a group), from the funnel's months.
      const read = (q: FiguresQuery) =>
        f === 'funnel'
          ? q.groups(scope, period, now, [{ figure: f, by: 'dim1' }])
          : q.totals(scope, period, now, [f]);
      const kept = await warmOf(() => read(figures), WARM_VIEWS);
      const raw = await warmOf(() => read(rowsOnly), ROWS_VIEWS);
      const from =
        f === 'funnel' ? '  (funnel months)' : ROLLED.has(f) || f === 'backlog' ? '  (day totals)' : '';
      console.log(`  ${f.padEnd(22)} ${ms(kept)} / ${ms(raw)}${from}`);
    }
    const customers = app.get(CustomersQuery);
    const now = new Date();
    const clock = { now, today: localDay(now, period.zone), zone: period.zone };
    const atRisk = await warmOf(() => customers.healthFacts(scope, clock, 20), WARM_VIEWS);
    const atRiskRaw = await warmOf(
      () => customers.fromRecordsOnly().healthFacts(scope, clock, 20),
      ROWS_VIEWS,
    );
    console.log(`  ${'customers at risk'.padEnd(22)} ${ms(atRisk)} / ${ms(atRiskRaw)}  (kept scores)`);
  }
  await app.close();
  await db.end();
  await throwaway?.close();
  console.log(ok ? 'within budget' : 'over budget');
  process.exitCode = ok ? 0 : 1;
}

/** Development: the totals are counted when the script says, not by the app's first job run. */
function appConfig(url: string): AppConfig {
  return { ...loadConfig({ ...BENCH_ENV, NODE_ENV: 'development', DATABASE_URL: url }), databaseUrl: url };
}

await main();
