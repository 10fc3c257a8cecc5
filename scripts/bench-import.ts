import 'reflect-metadata';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sheetHeaders } from '../src/customers/customer-sheet.js';
import { generateCustomer, rng } from '../src/seed/generate.js';
import { SeedService } from '../src/seed/seed.service.js';
import { type BenchServer, signIn, startBenchServer } from './bench-server.js';

/**
 * Imports N generated customers (default 100,000) from a CSV and from an XLSX file, end to end, as a
 * manager in the browser would: upload, the check, the preview's "import", the run, against Kehu in
 * its own process on a throwaway embedded PostgreSQL. Prints the time of each step, rows per second,
 * and the server's peak resident memory during each import; then what PostgreSQL alone takes to write
 * as many customers, the floor under those times. `npm run bench:import -- 100000`.
 */
const COUNT = Number(process.argv[2] ?? 100_000);

/** The CSRF token of a page. */
function csrfOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)![1];
}

/** Waits for the import to reach one of `statuses` (polling the database, as the page's refresh would). */
async function until(server: BenchServer, id: string, statuses: string[]): Promise<string> {
  for (;;) {
    const [{ status }] = await server.db.query<{ status: string }[]>(
      'SELECT status FROM customer_import WHERE id = $1',
      [id],
    );
    if (statuses.includes(status)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits for the settling Kehu runs after an import's commit (settleAfterImport), so that it does not
 * weigh on what is measured next; returns when it ended, in ms after the import was done.
 */
async function settled(server: BenchServer, doneAt: number): Promise<number> {
  const running = async () => {
    const [{ n }] = await server.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()
          AND (query LIKE '%gin_clean_pending_list%' OR query LIKE 'ANALYZE customer%')`,
    );
    return n > 0;
  };
  // It starts right after the commit and runs two statements: done once neither has run for 0.5 s.
  let lastSeen = doneAt;
  while (performance.now() - lastSeen < 500) {
    if (await running()) lastSeen = performance.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  return lastSeen - doneAt;
}

async function importFile(server: BenchServer, cookie: string, path: string, name: string): Promise<void> {
  const page = (p: string) => fetch(server.url + p, { headers: { cookie } }).then((r) => r.text());
  const post = (p: string, body: URLSearchParams | FormData) =>
    fetch(server.url + p, { method: 'POST', redirect: 'manual', headers: { cookie }, body });

  server.resetPeakRss();
  const started = performance.now();
  const upload = new FormData();
  upload.set('_csrf', csrfOf(await page('/customers/import')));
  upload.set('file', new Blob([readFileSync(path)]), name);
  const uploaded = await post('/customers/import', upload);
  const id = /\/customers\/import\/([0-9a-f-]{36})$/.exec(uploaded.headers.get('location') ?? '')?.[1];
  if (!id) throw new Error(`upload refused: ${uploaded.status}`);
  const form = await page(`/customers/import/${id}`);
  const [{ mapping }] = await server.db.query<{ mapping: string[] }[]>(
    'SELECT mapping FROM customer_import WHERE id = $1',
    [id],
  );
  const mapped = new URLSearchParams({ _csrf: csrfOf(form) });
  mapping.forEach((field, i) => mapped.set(`mapping[${i}]`, field));
  const uploadedAt = performance.now();
  await post(`/customers/import/${id}/mapping`, mapped);
  await until(server, id, ['checked', 'failed']);
  const checkedAt = performance.now();
  const preview = await page(`/customers/import/${id}`);
  await post(
    `/customers/import/${id}/run`,
    new URLSearchParams({ _csrf: csrfOf(preview), duplicates: 'skip' }),
  );
  const status = await until(server, id, ['done', 'failed']);
  const doneAt = performance.now();
  const [{ counts }] = await server.db.query<{ counts: Record<string, number> }[]>(
    'SELECT counts FROM customer_import WHERE id = $1',
    [id],
  );
  const settling = await settled(server, doneAt);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `${name.padEnd(15)} ${COUNT} rows, ${(statSync(path).size / 1e6).toFixed(1)} MB: ${s(doneAt - started)} ` +
      `(upload ${s(uploadedAt - started)}, check ${s(checkedAt - uploadedAt)}, import ${s(doneAt - checkedAt)}), ` +
      `${Math.round(COUNT / ((doneAt - started) / 1000))} rows/s, server peak RSS ${Math.round(server.peakRssBytes() / 1e6)} MB; ` +
      `${status}: ${counts.created} created, ${counts.skipped} skipped; indexes and statistics settled ${s(settling)} later`,
  );
}

/**
 * The floor under the import's time on this machine: PostgreSQL alone writing the last `COUNT`
 * customers again, with their contacts and an audit entry each, by one INSERT … SELECT per table from
 * rows already in the database (no file, no check, no Kehu code), each customer with its search tokens
 * as an import writes them (and, like an import, saying so, so that the database does not compute its
 * contacts' again). Measured with the indexes as they are, without the search index, without it and the
 * trigram indexes, and with primary keys only; each run is rolled back, its dropped indexes with it.
 */
async function databaseFloor(server: BenchServer): Promise<void> {
  const tables = `'customer'::regclass, 'contact'::regclass, 'audit_entry'::regclass`;
  const search = `i.indexrelid::regclass::text = 'ix_customer_search'`;
  const variants: [string, string][] = [
    ['with its indexes', 'false'],
    ['without the search index', search],
    ['without the search and trigram indexes', `${search} OR i.indexrelid::regclass::text LIKE '%trgm'`],
    ['with primary keys only', 'NOT i.indisprimary'],
  ];
  for (const [label, dropped] of variants) {
    const runner = server.db.createQueryRunner();
    try {
      await runner.startTransaction();
      const indexes = (await runner.query(
        `SELECT i.indexrelid::regclass::text AS name FROM pg_index i WHERE i.indrelid IN (${tables}) AND ${dropped}`,
      )) as { name: string }[];
      for (const { name } of indexes) await runner.query(`DROP INDEX ${name}`);
      await runner.query(
        `CREATE TEMP TABLE floor_source ON COMMIT DROP AS
           SELECT nextval('customer_id_seq')::int AS new_id, c.* FROM (SELECT * FROM customer ORDER BY id DESC LIMIT $1) c`,
        [COUNT],
      );
      const started = performance.now();
      await runner.query(
        `WITH customers AS (
           INSERT INTO customer (id, kind, name, name_key, search_text, search_tokens, uscc, industry, size, province, city,
                                 district, address, website, tier, vip, credit_level, source, status, owner_id, owned_since, tags, version)
           SELECT new_id, kind, name, name_key, search_text, search_tokens, 'F' || uscc, industry, size, province, city, district,
                  address, website, tier, vip, credit_level, source, status, owner_id, owned_since, tags, 1
             FROM floor_source),
         contacts AS (
           INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, "primary", version)
           SELECT s.new_id, ct.name, ct.title, ct.mobile, ct.phone, ct.email, ct.wechat, ct."primary", 1
             FROM floor_source s JOIN contact ct ON ct.customer_id = s.id)
         INSERT INTO audit_entry (actor_id, actor_email, action, entity, entity_id, diff)
         SELECT NULL, 'bench', 'create', 'customer', new_id::text, '{}'
           FROM floor_source, (SELECT set_config('kehu.search_tokens_given', 'on', true)) given`,
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `PostgreSQL alone, ${COUNT} customers ${label} (${indexes.length} dropped): ${seconds.toFixed(1)} s`,
      );
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }
}

async function main(): Promise<void> {
  const server = await startBenchServer({
    seed: async (db) => void (await new SeedService(db).seedDemoOnce(0)),
  });
  try {
    const dir = server.dataDir;
    // The files, as a user would bring them: Chinese headers, mobiles, e-mails, tiers.
    // Different customers in each file, so each import creates all of its rows.
    const rowsFrom = (first: number) => {
      const r = rng(first);
      return Array.from({ length: COUNT }, (_, i) => {
        const c = generateCustomer(first + i, [1], 1, r);
        const p = c.contacts[0];
        return [
          c.name,
          c.kind,
          c.uscc ?? '',
          '',
          '',
          c.province,
          c.city,
          c.district,
          c.address,
          '',
          c.tier,
          c.vip ? 'Y' : 'N',
          '',
          c.source,
          c.status,
          '',
          c.tags.join(', '),
          '',
          p.name,
          p.title ?? '',
          p.mobile,
          '',
          p.email ?? '',
          '',
        ];
      });
    };
    const headers = sheetHeaders('zh-CN');
    const csvPath = join(dir, 'customers.csv');
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    writeFileSync(
      csvPath,
      '\ufeff' + [headers, ...rowsFrom(1_000_000)].map((row) => row.map(quote).join(',')).join('\r\n'),
    );
    const xlsxPath = join(dir, 'customers.xlsx');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: xlsxPath,
      useStyles: false,
      useSharedStrings: true,
    });
    const sheet = book.addWorksheet('客户');
    sheet.addRow(headers).commit();
    for (const row of rowsFrom(3_000_000)) sheet.addRow(row).commit();
    await book.commit();

    const cookie = await signIn(server.url, 'manager@demo.kehu');
    console.log(
      `server: pid ${server.pid}, its own process; peak RSS is the server's, reset before each import`,
    );
    await importFile(server, cookie, csvPath, 'customers.csv');
    await importFile(server, cookie, xlsxPath, 'customers.xlsx');
    await databaseFloor(server);
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
