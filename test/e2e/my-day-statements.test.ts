import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpsService } from '../../src/follow-ups/follow-ups.service.js';
import { SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { scansOf, type Statement, StatementRecorder } from '../helpers/statements.js';
import { Client } from '../helpers/client.js';

/**
 * My day at scale (README, How it scales), on 20,000 seeded customers: a manager's or a rep's My day
 * runs a handful of statements, none reads the follow-ups, and the ones on customers walk the next
 * step index per owner, reading the due customers they list or count and no others. The morning
 * digest reads every rep's overdue steps in one statement.
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
  await t.db.query('VACUUM ANALYZE follow_up');
  recorder.install();
}, 180_000);

afterAll(async () => {
  recorder.uninstall();
  await t.close();
});

const customerScans = (s: Statement) => scansOf(t.db, s, 'customer');

const recording = <T>(run: () => Promise<T>) => recorder.during(run);

/** How many live customers of these owners have a next step before `before`. */
async function dueOf(owners: string[], before: Date): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM customer c JOIN app_user u ON u.id = c.owner_id
      WHERE u.email = ANY($1) AND c.deleted_at IS NULL AND c.next_step_at < $2`,
    [owners, before],
  );
  return rows[0].n;
}

describe.each([
  { email: 'manager@demo.kehu', team: ['sales1@demo.kehu', 'sales2@demo.kehu'] },
  { email: 'sales1@demo.kehu', team: [] },
])('My day of $email', ({ email, team }) => {
  let c: Client;
  beforeAll(async () => {
    c = new Client(t.url);
    await c.login(email);
    await c.get('/'); // reference data loaded once, as after any change
  });

  it('runs a handful of statements; none reads the follow-ups or every customer', async () => {
    const { result: reply, statements } = await recording(() => c.get('/'));
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('class="count overdue">100<');
    // Session, bell, own steps, the team's, stale deals and their customers' names (by id); for a
    // manager (whom approvals are routed to) the approvals waiting for them; the user's contracts'
    // overdue installments (one statement on contracts and installments), their open tasks (one
    // on tasks) and, for a manager (who works tickets too), the tickets assigned to them and their
    // team's queue counts (one on tickets each).
    expect(statements.length).toBeLessThanOrEqual(team.length ? 10 : 7);
    expect(statements.filter((s) => /\bfollow_up\b/.test(s.text))).toEqual([]);
    // (The tickets' statement reads its rows' customer names by id: it is not a walk over customers.)
    const onCustomers = statements.filter(
      (s) =>
        /\bFROM customer\b/.test(s.text) &&
        !/^SELECT id, name FROM customer WHERE id = ANY/.test(s.text) &&
        !/\bFROM ticket\b/.test(s.text),
    );
    expect(onCustomers).toHaveLength(team.length ? 2 : 1);
    // The team's steps due by now: its overdue ones (due before the start of today) and a few more.
    const teamDue = team.length ? await dueOf(team, new Date()) : 0;
    expect(reply.text.match(/<details class="team-rep"/g)?.length ?? 0).toBe(team.length);
    expect(teamDue >= (team.length ? 100 : 0)).toBe(true);
    for (const s of onCustomers) {
      const { seqScan, looked, indexes } = await customerScans(s);
      expect(seqScan).toBe(false);
      expect(indexes).toEqual(['ix_customer_owner_next_step']);
      // The rep's own: at most 100 of each kind (and ties); the team's: its overdue steps, each counted once
      // from the index and ten per rep read in order. Far from the 20,000 customers or the team's book.
      expect(looked).toBeLessThan(teamDue + 400);
      expect(looked).toBeLessThan(CUSTOMERS / 4);
    }
  });
});

it('sends the morning digest from one statement on customers, none on follow-ups', async () => {
  const { result: told, statements } = await recording(() =>
    t.app.get(FollowUpsService).sendOverdueDigests(),
  );
  expect(told).toBeGreaterThanOrEqual(3);
  expect(statements.filter((s) => /\bfollow_up\b/.test(s.text))).toEqual([]);
  const reads = statements.filter((s) => /\bFROM customer\b/.test(s.text));
  expect(reads).toHaveLength(1);
  const { seqScan, indexes } = await customerScans(reads[0]);
  expect(seqScan).toBe(false);
  expect(indexes).toEqual(['ix_customer_owner_next_step']);
  const { rows } = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notification WHERE kind = 'overdue_follow_ups'`,
  );
  expect(rows[0].n).toBe(told);
});
