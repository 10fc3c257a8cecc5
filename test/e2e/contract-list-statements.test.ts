import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, nextLink, visibleText } from '../helpers/client.js';
import { scansOf, type Statement, StatementRecorder } from '../helpers/statements.js';

/**
 * The contract list follows the list pattern (README, How it scales), checked on 20,000 contracts: a
 * list request runs the session, the bell's count and the page with its capped count in one prepared
 * statement (owners' names come from the directory in memory, the customer's name is the contract's
 * own); the page's statement reads an index in the list's order, never the whole table, for every
 * role, with and without the status filter.
 */
const CONTRACTS = 20_000;

let t: TestApp;
const recorder = new StatementRecorder();

beforeAll(async () => {
  t = await startApp();
  await t.app.get(SeedService).seedDemoOnce(100);
  // Contracts spread over the demo's reps and manager and over the statuses, created over a year.
  await t.db.query(
    `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on,
                           termination_reason, created_at, version)
     SELECT 'HT-2025-' || lpad(g::text, 5, '0'), c.id, c.name, u.id, 'Contract ' || g, (g % 500) * 1000, s.status,
            CASE WHEN s.status IN ('signed', 'completed', 'terminated') THEN date '2025-06-01' END,
            CASE WHEN s.status = 'terminated' THEN 'reason' END,
            now() - make_interval(mins => g), 1
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT id, name FROM customer ORDER BY id OFFSET (g % 100) LIMIT 1) c
       CROSS JOIN LATERAL (SELECT id FROM app_user WHERE role IN ('sales', 'manager') ORDER BY id OFFSET (g % 4) LIMIT 1) u
       CROSS JOIN LATERAL (SELECT (ARRAY['draft','pending_approval','approved','rejected','signed','completed','terminated'])[1 + (g / 4) % 7] AS status) s`,
    [CONTRACTS],
  );
  await t.db.query('VACUUM ANALYZE contract');
  recorder.install();
}, 180_000);

afterAll(async () => {
  recorder.uninstall();
  await t.close();
});

const contractScans = (s: Statement) => scansOf(t.db, s, 'contract');

/**
 * Each role's list, and a rep's and a manager's own. (An owner with no contracts at all, such as the
 * demo's admin filtering on their own, is read through the creation index until it runs out: the
 * planner cannot tell an owner's count from a prepared statement. Not measured here.)
 */
const LISTS = ['/contracts', '/contracts?status=signed'];
describe.each([
  ['admin@demo.kehu', LISTS],
  ['manager@demo.kehu', [...LISTS, '/contracts?owner=me']],
  ['sales1@demo.kehu', [...LISTS, '/contracts?owner=me']],
])('the contract list of %s', (email, paths) => {
  let c: Client;
  beforeAll(async () => {
    c = new Client(t.url);
    await c.login(email);
    await c.get('/contracts'); // reference data loaded once, as after any change
  });

  it.each(paths)(
    '%s: one statement for the page and its count, reading no more contracts than it needs',
    async (path) => {
      const { result: reply, statements } = await recorder.during(() => c.get(path));
      expect(reply.status).toBe(200);
      expect(visibleText(reply.text)).toContain('Contract ');
      // Session, the bell, the page with its count.
      expect(statements.length).toBeLessThanOrEqual(2);
      const lists = statements.filter((s) => s.text.includes('FROM contract o'));
      expect(lists).toHaveLength(1);
      const { seqScan, looked } = await contractScans(lists[0]);
      expect(seqScan).toBe(false);
      expect(looked).toBeLessThan(CONTRACTS / 4);
    },
  );

  it('pages on with the cursor, newest first, without repeating a contract', async () => {
    const first = await c.get('/contracts');
    const second = await c.get(nextLink(first.text)!);
    expect(second.status).toBe(200);
    const numbers = (html: string) => [...html.matchAll(/>(HT-2025-\d{5})</g)].map((m) => m[1]);
    const all = [...numbers(first.text), ...numbers(second.text)];
    expect(all).toHaveLength(50);
    expect(new Set(all).size).toBe(50);
    // Made a minute apart, each number before the next: newest first is the lower number first.
    expect([...all].sort()).toEqual(all);
  });
});
