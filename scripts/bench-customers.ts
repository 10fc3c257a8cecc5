import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { SeedService } from '../src/seed/seed.service.js';
import { type BenchServer, signIn, startBenchServer } from './bench-server.js';
import { machineBusyMs } from './proc-stats.js';

/**
 * Customer list, 360° page and search at scale: seeds N customers (default 100,000) into a
 * throwaway embedded PostgreSQL, starts Kehu in its own process, then fires each page at it with 50
 * requests in flight from this process and prints p50 and p95 latency, requests per second, the CPU
 * time per request of the server, of PostgreSQL, of this process and of everything else (the kernel,
 * other programs), and the server's peak memory. With 50 requests in flight, latency is
 * 50 / (requests per second): the CPU time per request is what sets it.
 * `npm run bench:customers -- 100000`; `-- 100000 --cpu-prof` also writes the server's CPU profile
 * (CPU.*.cpuprofile in the current folder, for Chrome DevTools).
 */
const COUNT = Number(process.argv[2] ?? 100_000);
const CPU_PROF = process.argv.includes('--cpu-prof');
const CONCURRENCY = 50;
const REQUESTS = 500;
const WARM_UP = 200;

interface Figures {
  p50: number;
  p95: number;
  perSecond: number;
  /** CPU milliseconds per request: the server, PostgreSQL, this process, everything else. */
  cpu: { server: number; database: number; bench: number; other: number };
  errors: number;
}

async function measure(
  server: BenchServer,
  cookie: string,
  paths: () => string,
  requests = REQUESTS,
): Promise<Figures> {
  const base = server.url;
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next++ < requests) {
      const started = performance.now();
      const res = await fetch(base + paths(), { headers: { cookie } });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status !== 200) errors++;
    }
  };
  const started = performance.now();
  const before = { server: server.cpuMs(), database: server.databaseCpuMs(), machine: machineBusyMs() };
  const benchBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const perSecond = (requests / (performance.now() - started)) * 1000;
  const benchUsage = process.cpuUsage(benchBefore);
  const used = {
    server: server.cpuMs() - before.server,
    database: server.databaseCpuMs() - before.database,
    bench: (benchUsage.user + benchUsage.system) / 1000,
  };
  const other = machineBusyMs() - before.machine - used.server - used.database - used.bench;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const cpu = {
    server: used.server / requests,
    database: used.database / requests,
    bench: used.bench / requests,
    other: other / requests,
  };
  return { p50: at(0.5), p95: at(0.95), perSecond, cpu, errors };
}

/** How busy other processes keep the machine while Kehu idles, in % of one core, over two seconds. */
async function otherLoad(server: BenchServer): Promise<number> {
  const before = machineBusyMs() - server.cpuMs() - server.databaseCpuMs();
  const bench = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 2000));
  const usage = process.cpuUsage(bench);
  const busy = machineBusyMs() - server.cpuMs() - server.databaseCpuMs() - before;
  return (busy - (usage.user + usage.system) / 1000) / 20;
}

async function main(): Promise<void> {
  const server = await startBenchServer({
    nodeArgs: CPU_PROF ? ['--cpu-prof'] : [],
    seed: async (db) => {
      const seed = new SeedService(db);
      await seed.seedDemoOnce();
      const started = performance.now();
      await seed.seedScale(COUNT);
      console.log(`seeded ${COUNT} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      // As a database in use would be: statistics gathered, visibility maps and GIN pending lists
      // settled, so autovacuum does not start in the middle of the measurements.
      await db.query('VACUUM ANALYZE');
    },
  });
  try {
    const base = server.url;
    const idle = await otherLoad(server);
    console.log(
      `${availableParallelism()} cores; before the run, other processes kept ${idle.toFixed(0)}% of one core busy` +
        `${idle > 10 ? ' (figures will be pessimistic)' : ''}`,
    );
    console.log(
      `server: pid ${server.pid}, its own process; ${CONCURRENCY} requests in flight from this one`,
    );
    const header = `  ${''.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'req/s'.padStart(6)}   CPU ms per request: server, PostgreSQL, bench, other`;
    const report = (name: string, r: Figures) => {
      const ms = (n: number, width = 8) => n.toFixed(1).padStart(width);
      console.log(
        `  ${name.padEnd(26)} ${ms(r.p50)} ${ms(r.p95)} ${r.perSecond.toFixed(0).padStart(6)}   ` +
          `${ms(r.cpu.server, 6)} ${ms(r.cpu.database, 6)} ${ms(r.cpu.bench, 6)} ${ms(r.cpu.other, 6)}` +
          `${r.errors ? `   ${r.errors} errors` : ''}`,
      );
    };

    // What any request costs at least on this machine: no session, no database, no page.
    await measure(server, '', () => '/healthz', WARM_UP);
    console.log(`\nfloor: ${REQUESTS} requests, ${CONCURRENCY} in flight`);
    console.log(header);
    report('GET /healthz', await measure(server, '', () => '/healthz'));

    for (const [who, email] of [
      ['admin (all customers)', 'admin@demo.kehu'],
      ['sales rep (own customers)', 'sales1@demo.kehu'],
    ] as const) {
      const cookie = await signIn(base, email);
      // 360° pages of customers this user may open.
      const ids = await server.db.query<{ id: number }[]>(
        `SELECT c.id FROM customer c JOIN app_user u ON u.email = $1
          WHERE u.role = 'admin' OR c.owner_id = u.id ORDER BY random() LIMIT 1000`,
        [email],
      );
      const pick = () => ids[Math.floor(Math.random() * ids.length)].id;
      const scenarios: [string, () => string][] = [
        ['list', () => '/customers'],
        ['list, filtered', () => '/customers?tier=A&idle=30&sort=idle'],
        ['360° page', () => `/customers/${pick()}`],
        ['search by name', () => `/customers?q=${encodeURIComponent('华信')}`],
        ['search by pinyin initials', () => '/customers?q=bjhx'],
        ['search by mobile', () => '/customers?q=13812345678'],
      ];
      // Unmeasured: the server's code gets compiled and its connections opened before the figures count.
      for (const [, path] of scenarios) await measure(server, cookie, path, WARM_UP / scenarios.length);
      console.log(`\n${who}: ${REQUESTS} requests per page, ${CONCURRENCY} in flight`);
      console.log(header);
      for (const [name, path] of scenarios) report(name, await measure(server, cookie, path));
    }
    console.log(`\nserver peak RSS ${Math.round(server.peakRssBytes() / 1e6)} MB`);
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
