import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { scansOf, type Statement, StatementRecorder } from '../helpers/statements.js';
import { Client, visibleText } from '../helpers/client.js';

/**
 * The list pattern every list follows (README, How it scales), checked on 20,000 customers: a list
 * request runs at most two statements (the session with the bell's unread count, the page with its count), and the
 * page's statement reads an index in the list's order, never the whole customer table, for every role
 * and sort. A filter reads the scope's index entries until it has its matches, and from the table only
 * the page's rows (README, How it scales).
 */
const CUSTOMERS = 20_000;

let t: TestApp;
const recorder = new StatementRecorder();

beforeAll(async () => {
  t = await startApp();
  const seed = t.app.get(SeedService);
  await seed.seedDemoOnce();
  await seed.seedScale(CUSTOMERS);
  await t.db.query('VACUUM ANALYZE customer');
  await t.db.query('VACUUM ANALYZE contact');
  recorder.install();
}, 180_000);

afterAll(async () => {
  recorder.uninstall();
  await t.close();
});

const customerScans = (s: Statement) => scansOf(t.db, s, 'customer');

/**
 * The statements of a page as it is served again and again: asked once before, so users, teams and
 * settings changed meanwhile (a background job's write moves the reference version) are loaded
 * before the recording, as they would be by any earlier request.
 */
async function statementsOf(c: Client, path: string) {
  const referenceVersion = async () =>
    (await t.db.query<{ version: string }>('SELECT version FROM reference_version')).rows[0].version;
  for (let attempt = 1; ; attempt++) {
    const before = await referenceVersion();
    await c.get(path);
    const { result: reply, statements } = await recorder.during(() => c.get(path));
    expect(reply.status).toBe(200);
    // A change to users, teams or settings meanwhile (a background job's) reloads them once: ask again.
    if (attempt < 3 && (await referenceVersion()) !== before) continue;
    return { reply, statements };
  }
}

/** At most `most` statements, naming them when there are more. */
function expectAtMost(statements: Statement[], most: number) {
  const texts = statements.map((s) => s.text.replace(/\s+/g, ' ').slice(0, 120)).join('\n');
  expect(statements.length, texts).toBeLessThanOrEqual(most);
}

describe.each(['admin@demo.kehu', 'manager@demo.kehu', 'sales1@demo.kehu'])(
  'the customer list of %s',
  (email) => {
    let c: Client;
    beforeAll(async () => {
      c = new Client(t.url);
      const signedIn = await c.login(email);
      if (signedIn.status !== 303) throw new Error(`${email} could not sign in: ${signedIn.status}`);
      await c.get('/customers'); // reference data loaded once, as after any change
    });

    it.each(['/customers', '/customers?sort=name', '/customers?sort=idle', '/customers?owner=pool'])(
      '%s: three statements, and the page reads no more customers than it needs',
      async (path) => {
        const { reply, statements } = await statementsOf(c, path);
        expect(visibleText(reply.text)).toMatch(/\d/);
        expectAtMost(statements, 2);
        const list = statements.find((s) => s.text.includes('FROM customer c'));
        expect(list).toBeDefined();
        const { seqScan, looked } = await customerScans(list!);
        expect(seqScan).toBe(false);
        // The page (26 rows per owner and the pool), the count (1,001 rows per owner and the pool) and what
        // a filter passes over on the way: a small part of the table.
        expect(looked).toBeLessThan(CUSTOMERS / 4);
      },
    );

    it.each([
      '/customers?tier=A&idle=30',
      '/customers?status=active&vip=1&province=%E5%8C%97%E4%BA%AC%E5%B8%82',
    ])(
      '%s: the filters are checked on the index entries, and only the page is read from the table',
      async (path) => {
        // As autovacuum keeps a table in use: the pages no recent transaction changed are marked all
        // visible, which lets an index answer for them alone.
        await t.db.query('VACUUM customer');
        const { statements } = await statementsOf(c, path);
        expectAtMost(statements, 2);
        const { seqScan, looked, fromTable } = await customerScans(
          statements.find((s) => s.text.includes('FROM customer c'))!,
        );
        expect(seqScan).toBe(false);
        // The count passes over many entries to find its matches; the table gives the page's 25 rows
        // and the one that tells whether there is a next page.
        expect(looked).toBeGreaterThan(100);
        expect(fromTable).toBeLessThanOrEqual(26);
      },
    );

    it('finds a common word among thousands in three statements, reading only the matches', async () => {
      const { rows } = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM customer WHERE name LIKE '%华信%' AND deleted_at IS NULL`,
      );
      expect(rows[0].n).toBeGreaterThan(100);
      const { reply, statements } = await statementsOf(c, `/customers?q=${encodeURIComponent('华信')}`);
      expect(visibleText(reply.text)).toContain('华信');
      expectAtMost(statements, 2);
      const { seqScan, looked } = await customerScans(
        statements.find((s) => s.text.includes('FROM customer c'))!,
      );
      expect(seqScan).toBe(false);
      expect(looked).toBeLessThan(rows[0].n * 3);
    });

    it('finds pinyin initials and a mobile tail through the search index alone, contacts included', async () => {
      const { rows } = await t.db.query<{ tail: string }>(
        `SELECT right(mobile, 4) AS tail FROM contact WHERE mobile IS NOT NULL ORDER BY id LIMIT 1`,
      );
      for (const q of ['bjhx', rows[0].tail]) {
        const { statements } = await statementsOf(c, `/customers?q=${encodeURIComponent(q)}`);
        expectAtMost(statements, 2);
        const search = statements.find((s) => s.text.includes('FROM customer c'))!;
        // One table: a contact's name, phone, mail and mobile are among the customer's tokens.
        expect(search.text, q).not.toMatch(/\bcontact\b/);
        const { seqScan, looked } = await customerScans(search);
        expect(seqScan, q).toBe(false);
        expect(looked, q).toBeLessThan(1000);
        const plan = await t.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${search.text}`, search.values);
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), q).toContain('ix_customer_search');
      }
    });
  },
);

it('the demo users the list is checked for are the seed’s', () => {
  expect(DEMO_USERS.map((u) => u.role)).toEqual(expect.arrayContaining(['admin', 'manager', 'sales']));
});
