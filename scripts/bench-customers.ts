import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { DEMO_PASSWORD, SeedService } from '../src/seed/seed.service.js';
import { startThrowawayApp } from './throwaway-app.js';

/**
 * Customer list, 360° page and search at scale: seeds N customers (default 100,000) into a
 * throwaway embedded PostgreSQL, then fires each page at the real app with 50 requests in flight and
 * prints p50 and p95 latency. `npm run bench:customers -- 100000`.
 */
const COUNT = Number(process.argv[2] ?? 100_000);
const CONCURRENCY = 50;
const REQUESTS = 500;

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

async function measure(
  base: string,
  cookie: string,
  paths: () => string,
): Promise<{ p50: number; p95: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next++ < REQUESTS) {
      const started = performance.now();
      const res = await fetch(base + paths(), { headers: { cookie } });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p95: at(0.95), errors };
}

async function main(): Promise<void> {
  const { app, close } = await startThrowawayApp();
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const seed = app.get(SeedService);
    await seed.seedDemoOnce();
    const started = performance.now();
    await seed.seedScale(COUNT);
    console.log(`seeded ${COUNT} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const ds = app.get(DataSource);
    await ds.query('ANALYZE');

    for (const [who, email] of [
      ['admin (all customers)', 'admin@demo.kehu'],
      ['sales rep (own customers)', 'sales1@demo.kehu'],
    ] as const) {
      const cookie = await login(base, email);
      // 360° pages of customers this user may open.
      const ids = await ds.query<{ id: number }[]>(
        `SELECT c.id FROM customer c JOIN app_user u ON u.email = $1
          WHERE u.role = 'admin' OR c.owner_id = u.id ORDER BY random() LIMIT 1000`,
        [email],
      );
      const pick = () => ids[Math.floor(Math.random() * ids.length)].id;
      console.log(`\n${who}: ${REQUESTS} requests per page, ${CONCURRENCY} in flight`);
      const scenarios: [string, () => string][] = [
        ['list', () => '/customers'],
        ['list, filtered', () => '/customers?tier=A&idle=30&sort=idle'],
        ['360° page', () => `/customers/${pick()}`],
        ['search by name', () => `/customers?q=${encodeURIComponent('华信')}`],
        ['search by pinyin initials', () => '/customers?q=bjhx'],
        ['search by mobile', () => '/customers?q=13812345678'],
      ];
      for (const [name, path] of scenarios) {
        const r = await measure(base, cookie, path);
        console.log(
          `  ${name.padEnd(28)} p50 ${r.p50.toFixed(1).padStart(6)} ms   p95 ${r.p95.toFixed(1).padStart(6)} ms${r.errors ? `   ${r.errors} errors` : ''}`,
        );
      }
    }
  } finally {
    await close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
