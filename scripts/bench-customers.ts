import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DEMO_PASSWORD, SeedService } from '../src/seed/seed.service.js';
import { type BenchServer, startBenchServer } from './bench-server.js';

/**
 * Customer list, 360° page and search at scale: seeds N customers (default 100,000) into a
 * throwaway embedded PostgreSQL, starts Kehu in its own process, then fires each page at it with 50
 * requests in flight from this process and prints p50 and p95 latency, requests per second, the CPU
 * time per request of the server, of this process and of everything else (PostgreSQL, the kernel),
 * and the server's peak memory.
 * `npm run bench:customers -- 100000`; `-- 100000 --cpu-prof` also writes the server's CPU profile
 * (CPU.*.cpuprofile in the current folder, for Chrome DevTools).
 */
const COUNT = Number(process.argv[2] ?? 100_000);
const CPU_PROF = process.argv.includes('--cpu-prof');
const CONCURRENCY = 50;
const REQUESTS = 500;
const WARM_UP = 200;

async function login(base: string, email: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: DEMO_PASSWORD }),
  });
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** CPU time all cores have spent busy since boot, in milliseconds (/proc/stat, in 1/100 s). */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) * 10;
}

interface Figures {
  p50: number;
  p95: number;
  perSecond: number;
  /** CPU milliseconds per request: the server, this process, everything else. */
  cpu: { server: number; bench: number; rest: number };
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
  const [serverCpu, benchCpu, machineCpu] = [server.cpuMs(), process.cpuUsage(), machineBusyMs()];
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const perSecond = (requests / (performance.now() - started)) * 1000;
  const usage = process.cpuUsage(benchCpu);
  const cpuServer = server.cpuMs() - serverCpu;
  const cpuBench = (usage.user + usage.system) / 1000;
  const cpuRest = machineBusyMs() - machineCpu - cpuServer - cpuBench;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const cpu = { server: cpuServer / requests, bench: cpuBench / requests, rest: cpuRest / requests };
  return { p50: at(0.5), p95: at(0.95), perSecond, cpu, errors };
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
    console.log(
      `CPU: ${availableParallelism()} cores; "rest" is PostgreSQL, the kernel and anything else running`,
    );
    console.log(
      `server: pid ${server.pid}, its own process; ${CONCURRENCY} requests in flight from this one`,
    );
    for (const [who, email] of [
      ['admin (all customers)', 'admin@demo.kehu'],
      ['sales rep (own customers)', 'sales1@demo.kehu'],
    ] as const) {
      const cookie = await login(base, email);
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
      console.log(
        `  ${''.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'req/s'.padStart(6)}   CPU ms per request: server, bench, rest`,
      );
      for (const [name, path] of scenarios) {
        const r = await measure(server, cookie, path);
        const ms = (n: number, width = 8) => n.toFixed(1).padStart(width);
        console.log(
          `  ${name.padEnd(26)} ${ms(r.p50)} ${ms(r.p95)} ${r.perSecond.toFixed(0).padStart(6)}   ` +
            `${ms(r.cpu.server, 6)} ${ms(r.cpu.bench, 6)} ${ms(r.cpu.rest, 6)}${r.errors ? `   ${r.errors} errors` : ''}`,
        );
      }
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
