import { afterAll, beforeAll, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { seedDashboard } from '../helpers/dashboard-data.js';
import { createCustomer } from '../helpers/factories.js';
import { StatementRecorder } from '../helpers/statements.js';

/**
 * The dashboard's SQL is a fixed number of statements per page, whatever the number of figures, people
 * or records: each query class answers many figures in one statement.
 */
let t: TestApp;
const recorder = new StatementRecorder();

beforeAll(async () => {
  t = await startApp();
  recorder.install();
}, 120_000);
afterAll(async () => {
  recorder.uninstall();
  await t?.close();
});

it.each(['manager', 'admin', 'r1'] as const)(
  'the page of %s reads the same few statements with three times the records',
  async (who) => {
    const d = await seedDashboard(t.db);
    const c = await signedIn(t, d[who], 'en');
    // Read twice: new users reload the user directory once (reference data), which is not the page's.
    const page = async (q: string) => {
      await c.get(`/dashboard?${q}`);
      return recorder.during(() => c.get(`/dashboard?${q}`));
    };
    const before = await page('period=custom&from=2026-10-01&to=2026-10-31');
    expect(before.result.status).toBe(200);
    for (let i = 0; i < 15; i++) await createCustomer(t.db, { ownerId: d.r1.id, status: 'active' });
    await seedDashboard(t.db);
    await seedDashboard(t.db);
    const after = await page('period=custom&from=2026-10-01&to=2026-10-31');
    const year = await page('period=this_year');
    expect(after.statements.length).toBe(before.statements.length);
    expect(year.statements.length).toBe(before.statements.length);
    // the session's two, the figures of both periods, their groups, the trends, the customers at risk,
    // the team names (for those who may filter)
    expect(before.statements.length).toBeLessThanOrEqual(8);
  },
);

it('a drill-down reads its count and its rows in two statements', async () => {
  const d = await seedDashboard(t.db);
  const c = await signedIn(t, d.manager, 'en');
  const { statements, result } = await recorder.during(() =>
    c.get('/dashboard/drill/signed?period=custom&from=2026-10-01&to=2026-10-31'),
  );
  expect(result.status).toBe(200);
  expect(statements.filter((s) => /\bcontract k\b/.test(s.text))).toHaveLength(2);
});
