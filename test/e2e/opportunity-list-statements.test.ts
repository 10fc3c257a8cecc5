import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { type PlanNode, scansOf, type Statement, StatementRecorder } from '../helpers/statements.js';
import { Client, nextLink, visibleText } from '../helpers/client.js';

/**
 * The pipeline list follows the list pattern (README, How it scales), checked on 20,000 deals: a list
 * request runs the session, the bell's count, and the page with its capped count in one prepared
 * statement (each deal carries its customer's name); the page's
 * statement reads an index in the list's order, never the whole deal table, for every role and sort.
 * (A stage filter has no index of its own: like the customer list's tier, it reads the scope's deals in
 * the list's order until it has its page and its capped count.)
 */
const DEALS = 20_000;

let t: TestApp;
const recorder = new StatementRecorder();

beforeAll(async () => {
  t = await startApp();
  const seed = t.app.get(SeedService);
  await seed.seedDemoOnce(100);
  // Deals spread over the demo's reps and manager, stages and close dates (before the demo's year of
  // deals, so a list by close date opens on them).
  await t.db.query(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date,
                              last_activity_at, version)
     SELECT c.id, u.id, 'Deal ' || g, s.stage, (g % 500) * 1000, 10, date '2020-01-01' + (g % 365),
            now() - make_interval(days => g % 60), 1
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT id FROM customer ORDER BY id OFFSET (g % 100) LIMIT 1) c
       CROSS JOIN LATERAL (SELECT id FROM app_user WHERE role IN ('sales', 'manager') ORDER BY id OFFSET (g % 4) LIMIT 1) u
       CROSS JOIN LATERAL (SELECT (ARRAY['initial_contact','needs_analysis','proposal','negotiation'])[1 + (g / 4) % 4] AS stage) s`,
    [DEALS],
  );
  // A fifth of them closed, won or lost over the last three years: the board shows only the latest.
  await t.db.query(
    `UPDATE opportunity SET stage = CASE WHEN id % 2 = 0 THEN 'won' ELSE 'lost' END,
            probability = CASE WHEN id % 2 = 0 THEN 100 ELSE 0 END,
            lost_reason = CASE WHEN id % 2 = 0 THEN NULL ELSE 'price' END,
            closed_at = now() - make_interval(days => id % 1000, mins => id % 1440)
      WHERE title LIKE 'Deal %' AND id % 5 = 0`,
  );
  await t.db.query('VACUUM ANALYZE opportunity');
  recorder.install();
}, 180_000);

afterAll(async () => {
  recorder.uninstall();
  await t.close();
});

const dealScans = (s: Statement) => scansOf(t.db, s, 'opportunity');

describe.each(['admin@demo.kehu', 'manager@demo.kehu', 'sales1@demo.kehu'])(
  'the deal list of %s',
  (email) => {
    let c: Client;
    beforeAll(async () => {
      c = new Client(t.url);
      await c.login(email);
      await c.get('/opportunities?view=list'); // reference data loaded once, as after any change
    });

    it.each([
      '/opportunities?view=list',
      '/opportunities?view=list&sort=close',
      '/opportunities?view=list&sort=amount',
    ])('%s: one statement for the page and its count, reading no more deals than it needs', async (path) => {
      const { result: reply, statements } = await recorder.during(() => c.get(path));
      expect(reply.status).toBe(200);
      expect(visibleText(reply.text)).toContain('Deal ');
      // Session, the bell, the page with its count.
      expect(statements.length).toBeLessThanOrEqual(2);
      const lists = statements.filter((s) => s.text.includes('FROM opportunity o'));
      expect(lists).toHaveLength(1);
      const { seqScan, looked } = await dealScans(lists[0]);
      expect(seqScan).toBe(false);
      expect(looked).toBeLessThan(DEALS / 4);
    });

    it('pages on with the cursor, in the sort’s order', async () => {
      const first = await c.get('/opportunities?view=list&sort=amount');
      const next = nextLink(first.text);
      const second = await c.get(next!);
      expect(second.status, `${next} ${visibleText(second.text).slice(-200)}`).toBe(200);
      const amounts = (html: string) =>
        [...html.matchAll(/class="num">¥([\d,]+)\.\d\d</g)].map((m) => Number(m[1].replace(/,/g, '')));
      const all = [...amounts(first.text), ...amounts(second.text)];
      expect(all.length).toBe(50);
      expect([...all].sort((a, b) => b - a)).toEqual(all);
    });
  },
);

/**
 * The board's column figures come from the kept totals (a few rows per owner and stage), not from
 * the deals: no statement of the board reads more than its cards' entries of the deal table, and
 * those from the board's indexes alone.
 */
describe.each(['admin@demo.kehu', 'manager@demo.kehu', 'sales1@demo.kehu'])('the board of %s', (email) => {
  it('sums each column from the kept totals and reads only its first cards from the board’s index', async () => {
    const c = new Client(t.url);
    await c.login(email);
    await c.get('/opportunities');
    const { result: reply, statements } = await recorder.during(() => c.get('/opportunities'));
    expect(reply.status).toBe(200);
    expect(visibleText(reply.text)).toContain('Deal ');
    // Session, the bell, the board (its cards carry their customers' names).
    expect(statements.length).toBeLessThanOrEqual(2);
    const boards = statements.filter((s) => s.text.includes('FROM opportunity_stage_total k'));
    expect(boards).toHaveLength(1);
    const { rows } = await t.db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${boards[0].text}`,
      boards[0].values,
    );
    const scans: PlanNode[] = [];
    const totals: PlanNode[] = [];
    const walk = (node: PlanNode) => {
      if (node['Relation Name'] === 'opportunity') scans.push(node);
      if (node['Relation Name'] === 'opportunity_stage_total') totals.push(node);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    const looked = (n: PlanNode) =>
      ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0)) * (n['Actual Loops'] ?? 1);
    // The figures: at most a row per owner, stage and closing day (here about a thousand, the closed
    // deals spread over years; PostgreSQL may read this small table whole or by its index), not 20,000 deals.
    expect(totals.length).toBeGreaterThan(0);
    expect(totals.reduce((n, s) => n + looked(s), 0)).toBeLessThan(2_000);
    // The deals: the first entries of each open stage in a board index, the latest closed of won and
    // lost in the closed deals' index, the cards read from those indexes alone (they carry what a card
    // shows), no card's row looked up by id.
    expect(scans, JSON.stringify(scans.map((n) => n['Index Name']))).toHaveLength(2);
    const open = scans.find((n) => /stage_board$/.test(n['Index Name'] ?? ''));
    const closed = scans.find((n) => n['Index Name'] === 'ix_opportunity_closed_board');
    expect(open && closed, JSON.stringify(scans.map((n) => n['Index Name']))).toBeTruthy();
    for (const scan of [open!, closed!]) expect(scan['Node Type']).toBe('Index Only Scan');
    // Thirty cards a column: a few times that for a rep's quarter of the deals, not the 5,000 of a
    // stage, nor the ~2,000 closed deals of a stage over three years.
    expect(looked(open!)).toBeLessThan(4 * 200);
    expect(looked(closed!)).toBeLessThan(2 * 200);
  });
});

describe('the won and lost columns', () => {
  it('show the deals closed last first, none closed before the 90 days', async () => {
    const c = new Client(t.url);
    await c.login('admin@demo.kehu');
    const board = (await c.get('/opportunities')).text;
    for (const stage of ['won', 'lost']) {
      const column = board.slice(board.indexOf(`data-stage="${stage}"`));
      const shown = [...column.slice(0, column.indexOf('</section>')).matchAll(/data-id="(\d+)"/g)].map((m) =>
        Number(m[1]),
      );
      const { rows } = await t.db.query<{ id: number }>(
        `SELECT id FROM opportunity WHERE stage = $1 AND deleted_at IS NULL AND closed_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '90 days'
          ORDER BY closed_at DESC, id DESC LIMIT 30`,
        [stage],
      );
      expect(rows.length).toBe(30);
      expect(shown, stage).toEqual(rows.map((r) => r.id));
    }
  });
});

/**
 * The list's capped count: where the kept board totals' open deals of the scope already pass the cap,
 * the count reads those few rows and walks no index; otherwise it counts the deals, as before. Either
 * way the heading shows what the deals hold.
 */
describe('the deal list’s capped count', () => {
  const heading = (html: string) => /<span class="count">([^<]+)<\/span>/.exec(html)?.[1];
  /** The count the heading should show for the live deals matching `where`. */
  const expected = async (where: string, values: unknown[] = []) => {
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM opportunity o WHERE o.deleted_at IS NULL AND ${where}`,
      values,
    );
    return rows[0].n > 1000 ? '1000+' : String(rows[0].n);
  };

  it.each(['admin@demo.kehu', 'manager@demo.kehu', 'sales1@demo.kehu'])(
    '%s: past the cap from the kept totals, without walking the deals',
    async (email) => {
      const c = new Client(t.url);
      await c.login(email);
      await c.get('/opportunities?view=list');
      const { result: reply, statements } = await recorder.during(() => c.get('/opportunities?view=list'));
      expect(heading(reply.text)).toBe('1000+');
      const [list] = statements.filter((s) => s.text.includes('FROM opportunity o'));
      // The page: 26 entries of an index per owner in scope (four at most here) and its 26 rows by id;
      // the count no further entry (walking, it read 1,001).
      const { looked } = await dealScans(list);
      expect(looked).toBeLessThan(5 * 26 + 26);
    },
  );

  it('counts the deals where the open ones do not pass the cap: closed, filtered or few', async () => {
    const c = new Client(t.url);
    await c.login('admin@demo.kehu');
    const { rows } = await t.db.query<{ id: number }>(
      `SELECT id FROM app_user WHERE email = 'sales1@demo.kehu'`,
    );
    const rep = rows[0].id;
    // A rep with ~4,000 open deals and ~1,000 closed: all closed but 900 of the open ones, so that
    // the open ones alone no longer pass the cap while all of them still do.
    await t.db.query(
      `UPDATE opportunity SET stage = 'won', probability = 100, closed_at = now() - interval '400 days'
        WHERE id IN (SELECT id FROM opportunity WHERE owner_id = $1 AND closed_at IS NULL AND deleted_at IS NULL
                      ORDER BY id OFFSET 900)`,
      [rep],
    );
    try {
      const list = async (query: string) => heading((await c.get(`/opportunities?view=list&${query}`)).text);
      expect(await list(`owner=${rep}`)).toBe(await expected('o.owner_id = $1', [rep]));
      expect(await list(`owner=${rep}&stage=won`)).toBe(
        await expected(`o.owner_id = $1 AND o.stage = 'won'`, [rep]),
      );
      expect(await list(`owner=${rep}&stage=proposal`)).toBe(
        await expected(`o.owner_id = $1 AND o.stage = 'proposal'`, [rep]),
      );
      // Soft-deleting all but 10 of the rep's deals: the exact count.
      await t.db.query(
        `UPDATE opportunity SET deleted_at = now()
          WHERE id IN (SELECT id FROM opportunity WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY id OFFSET 10)`,
        [rep],
      );
      expect(await list(`owner=${rep}`)).toBe('10');
    } finally {
      // The other tests of this file see the deals as seeded.
      await t.db.query(`UPDATE opportunity SET deleted_at = NULL WHERE owner_id = $1`, [rep]);
    }
  });
});
