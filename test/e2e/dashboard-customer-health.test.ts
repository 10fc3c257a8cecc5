import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createUser } from '../helpers/factories.js';
import { type DashboardData, seedDashboard } from '../helpers/dashboard-data.js';
import { localDay } from '../../src/common/time.js';
import { CustomerHealthService } from '../../src/dashboard/customer-health.service.js';
import { DashboardService } from '../../src/dashboard/dashboard.service.js';
import { CustomerHealthQuery } from '../../src/dashboard/queries/customer-health.query.js';
import { CustomersQuery } from '../../src/dashboard/queries/customers.query.js';

/**
 * The at-risk list ranked from kept health scores (migration KeepCustomerHealth) is the list scored
 * from the records, at every moment: before the scores are kept, once kept, right after the facts of
 * a score change (those customers scored from the records), as time moves past the instants scores
 * change by themselves, and after the job has scored them again. Short lists (1, 2, 3 customers) make
 * the choice of candidates matter.
 */
let t: TestApp;
let d: DashboardData;
let dashboard: DashboardService;
let health: CustomerHealthService;
let kept: CustomersQuery;
let records: CustomersQuery;
const zone = 'Asia/Shanghai';
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startApp();
  d = await seedDashboard(t.db);
  dashboard = t.app.get(DashboardService);
  health = t.app.get(CustomerHealthService);
  kept = t.app.get(CustomersQuery);
  records = kept.fromRecordsOnly();
  cases = await seedOneChangeEach();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const clockAt = (now: Date) => ({ now, today: localDay(now, zone), zone });
/** From now to well past every rhythm, CSAT lookback and stale deal's turn. */
const LATER = [0, 1, 13, 31, 45, 75, 121, 250];

/** Each person's at-risk lists of 1, 2, 3 and 20 customers at `now`, as `q` ranks them. */
async function lists(q: CustomersQuery, now: Date) {
  const out: Record<string, unknown> = {};
  for (const who of ['manager', 'westManager', 'admin', 'r1', 'r3'] as const) {
    const scope = await dashboard.scopeOfUser(d[who].id);
    for (const limit of [1, 2, 3, 20])
      out[`${who} ${limit}`] = await q.healthFacts(scope, clockAt(now), limit);
  }
  return out;
}

/** The lists ranked from the kept scores are those scored from the records, now and later. */
async function expectTheRecords(days = LATER) {
  const start = Date.now();
  for (const later of days) {
    const now = new Date(start + later * DAY);
    expect(await lists(kept, now), `${later} days on`).toEqual(await lists(records, now));
  }
}

/**
 * For each kind of change that can lower a score, a rep of their own with two customers: a decoy
 * scored 90 (tier C, silent 70 days) and the one the change is made to, healthy when the scores are
 * kept (or, for a hand-over, at risk under another rep). Each rep's list of one is the decoy until the
 * change, then the other: a change the triggers missed would leave the decoy there.
 */
interface OneChange {
  rep: number;
  decoy: number;
  target: number;
  /** What the target's own records need (its deal, its contract). */
  deal?: number;
  contract?: number;
}
const CHANGES = [
  'silence',
  'complaint',
  'csat',
  'stale',
  'overdue',
  'signed',
  'handover',
  'activated',
] as const;
let cases: Record<(typeof CHANGES)[number], OneChange>;

async function seedOneChangeEach() {
  const out: Partial<typeof cases> = {};
  const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
  for (const change of CHANGES) {
    const rep = (await createUser(t.db, { role: 'sales', teamId: d.east, name: `Rep ${change}` })).id;
    const decoy = await createCustomer(t.db, {
      name: `Zz decoy ${change}`,
      ownerId: rep,
      lastInteractionAt: daysAgo(70),
    });
    await t.db.query(`UPDATE customer SET tier = 'C', status = 'active' WHERE id = $1`, [decoy]);
    const target = await createCustomer(t.db, {
      name: `Target ${change}`,
      ownerId: change === 'handover' ? d.r3.id : rep,
      lastInteractionAt: daysAgo(change === 'handover' || change === 'activated' ? 100 : 1),
    });
    await t.db.query(`UPDATE customer SET tier = 'A', status = $2 WHERE id = $1`, [
      target,
      change === 'activated' ? 'prospect' : 'active',
    ]);
    const c: OneChange = { rep, decoy, target };
    if (change === 'stale') {
      const { rows } = await t.db.query<{ id: number }>(
        `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date,
           last_activity_at, version)
         VALUES ($1, $2, 'Open deal', 'proposal', '1000.00', 50, current_date + 30, now() - interval '2 days', 1)
         RETURNING id`,
        [target, rep],
      );
      c.deal = rows[0].id;
    }
    if (change === 'overdue' || change === 'signed') {
      const { rows } = await t.db.query<{ id: number }>(
        `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, signed_on, status, version)
         SELECT 'HT-health-' || $3::text, id, name, $2, 'Contract', '1000.00', $4, $5, 1 FROM customer WHERE id = $1
         RETURNING id`,
        [
          target,
          rep,
          change,
          change === 'signed' ? null : '2026-01-05',
          change === 'signed' ? 'approved' : 'signed',
        ],
      );
      c.contract = rows[0].id;
      // Due a week ago (the signed case) or in a week (overdue once moved a fortnight back).
      await t.db.query(
        `INSERT INTO payment_installment (contract_id, position, due_on, amount, collected)
         VALUES ($1, 1, current_date + $2::int, '1000.00', '0.00')`,
        [c.contract, change === 'signed' ? -7 : 7],
      );
    }
    out[change] = c;
  }
  return out as typeof cases;
}

/** Each case's rep's list of one. */
async function firstOfEach(q: CustomersQuery) {
  const out: Record<string, number | undefined> = {};
  for (const change of CHANGES) {
    const [first] = await q.healthFacts(
      await dashboard.scopeOfUser(cases[change].rep),
      clockAt(new Date()),
      1,
    );
    out[change] = first?.id;
  }
  return out;
}

const listed = async () => (await t.db.query('SELECT 1 FROM customer_health_dirty')).rowCount ?? 0;
const keptScore = async (customerId: number) =>
  (
    await t.db.query<{ score: number }>('SELECT score FROM customer_health WHERE customer_id = $1', [
      customerId,
    ])
  ).rows[0]?.score;

/** Runs `work` while the health job cannot score (its lock held, as a run in progress would). */
async function whileTheJobWaits(work: () => Promise<void>): Promise<void> {
  const client = await t.db.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('customer_health'))`);
    await work();
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext('customer_health'))`);
    client.release();
  }
}

describe('the kept health scores behind the at-risk list', () => {
  it('are not kept outside production until asked: the job clears the list of changes, pages score the records', async () => {
    await whileTheJobWaits(async () => expect(await listed()).toBeGreaterThan(0));
    expect(await health.run()).toBeNull();
    expect(await listed()).toBe(0);
    expect((await t.db.query('SELECT count(*)::int AS n FROM customer_health')).rows[0].n).toBe(0);
    await expectTheRecords([0, 45]);
    // c1: tier A, silent 90 days (≥ 4 rhythms: −40), an open complaint (−15), a CSAT of 1 (−15).
    const [worst] = await kept.healthFacts(await dashboard.scopeOfUser(d.admin.id), clockAt(new Date()), 1);
    expect(worst.id).toBe(d.customers.c1);
  });

  it('once kept, rank every scope’s list as the records do, now and as time passes', async () => {
    const { rows: active } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM customer WHERE status = 'active' AND deleted_at IS NULL AND merged_into_id IS NULL`,
    );
    expect(await health.build()).toEqual({ full: true, customers: active[0].n });
    // The scores change by themselves: some at a coming instant.
    const { rows: timed } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM customer_health WHERE changes_at > now()',
    );
    expect(timed[0].n).toBeGreaterThan(0);
    await expectTheRecords();
  });

  it('follow changed facts at once, scoring those customers from the records until the job scores them again', async () => {
    const c2Before = await keptScore(d.customers.c2);
    let newcomer = 0;
    await whileTheJobWaits(async () => {
      // c1 heard from today; c2 gets a complaint and a CSAT of 1; t4's complaint (c4) resolved; k1's
      // installments collected; c3 handed to West's rep and renamed; c5 churned; a new silent
      // customer of tier A; c6's open deals idle for 40 days.
      await t.db.query('UPDATE customer SET last_interaction_at = now() WHERE id = $1', [d.customers.c1]);
      await t.db.query(
        `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
           assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
           resolution_due_at, tracking_token, version)
         VALUES ('T-health-1', $1, 'Requester', 'phone', 'complaint', 'normal', 'open', 'Broken again', $2, $3, now(),
                 120, 1440, now() + interval '2 hours', now() + interval '1 day', 'tok-health-1', 1)`,
        [d.customers.c2, d.east, d.s1.id],
      );
      await t.db.query(
        `INSERT INTO survey_response (kind, ticket_id, customer_id, sent_to, token, sent_at, expires_at, answered_at, csat)
         VALUES ('ticket', $1, $2, 'a@example.com', 'tok-health-survey', now(), now() + interval '30 days', now(), 1)`,
        [d.tickets.t2, d.customers.c2],
      );
      await t.db.query(`UPDATE ticket SET status = 'resolved', resolved_at = now() WHERE id = $1`, [
        d.tickets.t4,
      ]);
      await t.db.query('UPDATE payment_installment SET collected = amount WHERE contract_id = $1', [
        d.contracts.k1,
      ]);
      await t.db.query(`UPDATE customer SET owner_id = $2, name = 'AAA 先来 ' || name WHERE id = $1`, [
        d.customers.c3,
        d.r3.id,
      ]);
      await t.db.query(`UPDATE customer SET status = 'churned' WHERE id = $1`, [d.customers.c5]);
      newcomer = await createCustomer(t.db, {
        name: `久未联系 ${d.east}`,
        ownerId: d.r1.id,
        lastInteractionAt: new Date(Date.now() - 200 * DAY),
      });
      await t.db.query(`UPDATE customer SET tier = 'A' WHERE id = $1`, [newcomer]);
      await t.db.query(
        `UPDATE opportunity SET last_activity_at = now() - interval '40 days'
          WHERE customer_id = $1 AND stage NOT IN ('won', 'lost')`,
        [d.customers.c6],
      );

      // Before the job: the customers are listed, the kept scores still hold what they held, the lists
      // are already the records'.
      expect(await listed()).toBeGreaterThan(0);
      expect(await keptScore(d.customers.c2)).toBe(c2Before);
      expect(await keptScore(newcomer)).toBeUndefined();
      await expectTheRecords();
    });

    // This run, or the schedule's if it came first (this one then finds nothing listed).
    expect(await health.run()).toMatchObject({ full: false });
    expect(await listed()).toBe(0);
    expect(await keptScore(d.customers.c2)).toBeLessThan(c2Before as number);
    expect(await keptScore(newcomer)).toBe(60);
    expect(await keptScore(d.customers.c5)).toBeUndefined();
    await expectTheRecords();
  });

  it('put a customer whose score a change lowered at once into its rep’s list, whatever the change', async () => {
    await health.build();
    const decoys = Object.fromEntries(CHANGES.map((c) => [c, cases[c].decoy]));
    expect(await firstOfEach(kept)).toEqual(decoys);
    await whileTheJobWaits(async () => {
      const c = cases;
      await t.db.query(
        `UPDATE customer SET last_interaction_at = now() - interval '100 days' WHERE id = $1`,
        [c.silence.target],
      );
      await t.db.query(
        `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
           received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
           resolution_due_at, tracking_token, version)
         VALUES ('T-health-2', $1, 'Requester', 'email', 'complaint', 'normal', 'new', 'Late delivery', $2, now(),
                 120, 1440, now() + interval '2 hours', now() + interval '1 day', 'tok-health-2', 1)`,
        [c.complaint.target, d.east],
      );
      await t.db.query(
        `INSERT INTO survey_response (kind, customer_id, sent_to, token, sent_at, expires_at, answered_at, csat)
         VALUES ('nps', $1, 'b@example.com', 'tok-health-csat', now(), now() + interval '30 days', now(), 2)`,
        [c.csat.target],
      );
      await t.db.query(`UPDATE opportunity SET last_activity_at = now() - interval '31 days' WHERE id = $1`, [
        c.stale.deal,
      ]);
      await t.db.query('UPDATE payment_installment SET due_on = due_on - 14 WHERE contract_id = $1', [
        c.overdue.contract,
      ]);
      await t.db.query(`UPDATE contract SET status = 'signed', signed_on = current_date WHERE id = $1`, [
        c.signed.contract,
      ]);
      await t.db.query('UPDATE customer SET owner_id = $2 WHERE id = $1', [
        c.handover.target,
        c.handover.rep,
      ]);
      await t.db.query(`UPDATE customer SET status = 'active' WHERE id = $1`, [c.activated.target]);

      const targets = Object.fromEntries(CHANGES.map((change) => [change, cases[change].target]));
      expect(await firstOfEach(records)).toEqual(targets);
      expect(await firstOfEach(kept)).toEqual(targets);
    });
    await health.run();
    expect(await firstOfEach(kept)).toEqual(await firstOfEach(records));
  });

  it('hold a kept score only until the instant it changes by itself: each step of silence, a deal going stale, an installment falling due', async () => {
    // Per rep, a customer whose score drops within the day, and a decoy (named to lose ties) at the
    // score it drops to, steady all day: the decoy leads the list of one until the drop, then the other.
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY);
    const steps: { rep: number; decoy: number; target: number }[] = [];
    const pair = async (
      label: string,
      target: { tier: string; silentDays: number },
      decoySilentDays: number,
    ) => {
      const rep = (await createUser(t.db, { role: 'sales', teamId: d.west, name: `Rep ${label}` })).id;
      const decoy = await createCustomer(t.db, {
        name: `Zz ${label}`,
        ownerId: rep,
        lastInteractionAt: ago(decoySilentDays),
      });
      const id = await createCustomer(t.db, {
        name: label,
        ownerId: rep,
        lastInteractionAt: ago(target.silentDays),
      });
      await t.db.query(`UPDATE customer SET tier = 'C', status = 'active' WHERE id = $1`, [decoy]);
      await t.db.query(`UPDATE customer SET tier = $2, status = 'active' WHERE id = $1`, [id, target.tier]);
      steps.push({ rep, decoy, target: id });
      return id;
    };
    // Tier A (rhythm 14): silence costs 10 from day 15, 20 from 28, 30 from 42, 40 from 56; six hours
    // short of each. The decoys (tier C, rhythm 60) are silent 70, 125, 185 and 245 days: 90, 80, 70, 60.
    const quarter = 0.25;
    await pair('Step 15', { tier: 'A', silentDays: 15 - quarter }, 70);
    await pair('Step 28', { tier: 'A', silentDays: 28 - quarter }, 125);
    await pair('Step 42', { tier: 'A', silentDays: 42 - quarter }, 185);
    await pair('Step 56', { tier: 'A', silentDays: 56 - quarter }, 245);
    const stale = await pair('Goes stale', { tier: 'C', silentDays: 1 }, 70);
    await t.db.query(
      `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date,
         last_activity_at, version)
       VALUES ($1, (SELECT owner_id FROM customer WHERE id = $1), 'Quiet deal', 'proposal', '500.00', 50,
               current_date + 30, $2, 1)`,
      [stale, ago(30 - quarter)],
    );
    const due = await pair('Falls due', { tier: 'C', silentDays: 1 }, 125);
    const { rows: k } = await t.db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, signed_on, status, version)
       SELECT 'HT-health-due', id, name, owner_id, 'Contract', '800.00', '2026-01-05', 'signed', 1 FROM customer
        WHERE id = $1 RETURNING id`,
      [due],
    );
    await t.db.query(
      `INSERT INTO payment_installment (contract_id, position, due_on, amount, collected) VALUES ($1, 1, $2, '800.00', '0.00')`,
      [k[0].id, localDay(new Date(now), zone)],
    );
    await health.build(new Date(now));

    const firstOf = async (q: CustomersQuery, at: number) => {
      const out: number[] = [];
      for (const s of steps) {
        const [first] = await q.healthFacts(await dashboard.scopeOfUser(s.rep), clockAt(new Date(at)), 1);
        out.push(first.id);
      }
      return out;
    };
    expect(await firstOf(kept, now)).toEqual(steps.map((s) => s.decoy));
    const nextDay = now + DAY + 3_600_000;
    expect(await firstOf(records, nextDay)).toEqual(steps.map((s) => s.target));
    expect(await firstOf(kept, nextDay)).toEqual(steps.map((s) => s.target));
    await health.run(new Date(nextDay));
    expect(await firstOf(kept, nextDay)).toEqual(steps.map((s) => s.target));
    await health.build();
  });

  it('score again those whose instant has come when the job runs later', async () => {
    const later = new Date(Date.now() + 45 * DAY);
    const { rows: due } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM customer_health WHERE changes_at <= $1',
      [later],
    );
    expect(due[0].n).toBeGreaterThan(0);
    expect(await health.run(later)).toEqual({ full: false, customers: due[0].n });
    const { rows: left } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM customer_health WHERE changes_at <= $1',
      [later],
    );
    expect(left[0].n).toBe(0);
    const atLater = async (q: CustomersQuery) => lists(q, later);
    expect(await atLater(kept)).toEqual(await atLater(records));
    await health.build();
  });

  it('score a change once when two instances’ jobs run at the same moment', async () => {
    await whileTheJobWaits(async () => {
      await t.db.query('UPDATE customer SET last_interaction_at = now() - $2::interval WHERE id = $1', [
        d.customers.c2,
        '70 days',
      ]);
    });
    const query = t.app.get(CustomerHealthQuery);
    const runs = await Promise.all([query.refresh(clockAt(new Date())), query.refresh(clockAt(new Date()))]);
    expect(runs.map((r) => r?.customers ?? 0).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
    await expectTheRecords([0, 31]);
  });

  it('are read as not kept after a table they read is emptied, until kept again', async () => {
    await t.db.query('TRUNCATE survey_response');
    const { rows: state } = await t.db.query('SELECT zone, built_at FROM customer_health_state');
    expect(state[0]).toEqual({ zone: null, built_at: null });
    await expectTheRecords([0]);
    await health.build();
    await expectTheRecords([0, 75]);
  });
});
