import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, fromNumeric } from '../../src/common/money.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createUser, type UserRow } from '../helpers/factories.js';

/**
 * The board's column figures come from totals the database keeps per owner, stage and closing day
 * (migration KeepOpportunityStageTotals). Whatever writes deals — inserts, edits of amount and
 * probability, stage moves, a hand-over, soft deletes and restores, hard deletes, many writers at
 * once — the kept totals equal a fresh sum over the deals, and the board shows those figures.
 */
let t: TestApp;
let admin: UserRow;
let reps: UserRow[];
let customerId: number;

beforeAll(async () => {
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin' });
  reps = [];
  for (let i = 0; i < 3; i++) reps.push(await createUser(t.db, { role: 'sales' }));
  customerId = await createCustomer(t.db, { ownerId: reps[0].id });
}, 60_000);
afterAll(() => t.close());

/** The live deals summed afresh, as the kept totals hold them: one line per owner, stage and closing day. */
async function fresh(): Promise<string[]> {
  const { rows } = await t.db.query<{ line: string }>(
    `SELECT concat_ws(' ', owner_id, stage, closed_on, count(*), sum(amount), sum(amount * probability)) AS line
       FROM (SELECT *, coalesce((closed_at AT TIME ZONE 'UTC')::date, 'infinity'::date) AS closed_on
               FROM opportunity WHERE deleted_at IS NULL) o
      GROUP BY owner_id, stage, closed_on ORDER BY 1`,
  );
  return rows.map((r) => r.line);
}

/** The kept totals, the same way (a total whose deals all left is a row of zeros, or none). */
async function kept(): Promise<string[]> {
  const { rows } = await t.db.query<{ line: string }>(
    `SELECT concat_ws(' ', owner_id, stage, closed_on, count, amount, weighted) AS line
       FROM opportunity_stage_total WHERE NOT (count = 0 AND amount = 0 AND weighted = 0) ORDER BY 1`,
  );
  return rows.map((r) => r.line);
}

/** Inserts `n` deals, spread over the reps and the open stages; returns their ids. */
async function insertDeals(n: number, title = 'Deal'): Promise<number[]> {
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
     SELECT $1, ($2::int[])[1 + g % 3], $3 || ' ' || g,
            (ARRAY['initial_contact','needs_analysis','proposal','negotiation'])[1 + g % 4],
            (g * 1234.57) % 100000, (ARRAY[10, 25, 50, 75])[1 + g % 4], date '2027-06-01' + g, 1
       FROM generate_series(1, $4) g RETURNING id`,
    [customerId, reps.map((r) => r.id), title, n],
  );
  return rows.map((r) => r.id);
}

describe('the kept board totals', () => {
  it('equal a fresh sum over the deals after every kind of write', async () => {
    const ids = await insertDeals(40);
    expect(await kept()).toEqual(await fresh());
    expect((await kept()).length).toBeGreaterThan(0);

    // Amount and probability edits, one deal and several at once.
    await t.db.query('UPDATE opportunity SET amount = amount + 0.01, probability = 33 WHERE id = $1', [
      ids[0],
    ]);
    await t.db.query('UPDATE opportunity SET amount = amount * 2 WHERE id = ANY($1)', [ids.slice(1, 10)]);
    expect(await kept()).toEqual(await fresh());

    // Stage moves, won and lost included (closed today and long ago), and a reopening.
    await t.db.query(`UPDATE opportunity SET stage = 'proposal', probability = 50 WHERE id = ANY($1)`, [
      ids.slice(10, 14),
    ]);
    await t.db.query(
      `UPDATE opportunity SET stage = 'won', probability = 100, closed_at = now() WHERE id = ANY($1)`,
      [ids.slice(14, 18)],
    );
    await t.db.query(
      `UPDATE opportunity SET stage = 'lost', probability = 0, lost_reason = 'price',
              closed_at = now() - interval '200 days' WHERE id = ANY($1)`,
      [ids.slice(18, 20)],
    );
    await t.db.query(
      `UPDATE opportunity SET stage = 'negotiation', probability = 75, closed_at = NULL WHERE id = $1`,
      [ids[14]],
    );
    expect(await kept()).toEqual(await fresh());

    // A hand-over: every deal of one rep to another (as the hand-over moves them).
    await t.db.query(
      'UPDATE opportunity SET owner_id = $2, version = version + 1, updated_at = now() WHERE owner_id = $1',
      [reps[1].id, reps[2].id],
    );
    expect(await kept()).toEqual(await fresh());

    // Soft delete and restore; a follow-up's touch changes nothing counted.
    await t.db.query('UPDATE opportunity SET deleted_at = now() WHERE id = ANY($1)', [ids.slice(20, 25)]);
    expect(await kept()).toEqual(await fresh());
    await t.db.query('UPDATE opportunity SET deleted_at = NULL WHERE id = ANY($1)', [ids.slice(20, 23)]);
    await t.db.query('UPDATE opportunity SET last_activity_at = now() WHERE id = ANY($1)', [ids]);
    expect(await kept()).toEqual(await fresh());

    // Hard deletes.
    await t.db.query('DELETE FROM opportunity WHERE id = ANY($1)', [ids.slice(25, 30)]);
    expect(await kept()).toEqual(await fresh());
  });

  it('stay exact with many writers at once', async () => {
    const ids = await insertDeals(60, 'Busy');
    const stages = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation'];
    const writers = Array.from(
      { length: 6 },
      () => new pg.Client({ connectionString: t.config.databaseUrl }),
    );
    await Promise.all(writers.map((w) => w.connect()));
    try {
      // Each writer its own deals, the totals they land in shared: moves between the same stages in
      // opposite directions, owners swapped, amounts changed, all at once.
      await Promise.all(
        writers.map(async (w, i) => {
          const mine = ids.filter((_, j) => j % writers.length === i);
          for (let round = 0; round < 15; round++) {
            const some = mine.filter((_, j) => (j + round) % 2 === 0);
            await w.query(
              `UPDATE opportunity SET stage = $2, owner_id = ($3::int[])[1 + (id + $4) % 3],
                      amount = amount + $4 + 0.25, probability = $5 WHERE id = ANY($1)`,
              [some, stages[(i + round) % 4], reps.map((r) => r.id), round, (i * 7 + round) % 101],
            );
          }
        }),
      );
    } finally {
      await Promise.all(writers.map((w) => w.end()));
    }
    expect(await kept()).toEqual(await fresh());
  });

  it('are what the board shows, closed deals of the last 90 days only; a filtered board sums its deals', async () => {
    await t.db.query(`DELETE FROM opportunity`);
    const ids = await insertDeals(12, 'Board');
    await t.db.query(
      `UPDATE opportunity SET stage = 'won', probability = 100, closed_at = now() WHERE id = ANY($1)`,
      [ids.slice(0, 2)],
    );
    await t.db.query(
      `UPDATE opportunity SET stage = 'won', probability = 100, closed_at = now() - interval '120 days' WHERE id = $1`,
      [ids[2]],
    );
    await t.db.query(`UPDATE opportunity SET title = 'Special ' || id WHERE id = ANY($1)`, [ids.slice(3, 6)]);
    const c = await signedIn(t, admin);
    const figures = (html: string, stage: string) => ({
      count: new RegExp(`data-testid="count-${stage}">(\\d+)<`).exec(html)?.[1] ?? '',
      sum: new RegExp(`data-testid="sum-${stage}">([^<]+)<`).exec(html)?.[1] ?? '',
      weighted: new RegExp(`data-testid="weighted-${stage}">([^<]+)<`).exec(html)?.[1] ?? '',
    });
    const expected = async (where: string) => {
      const { rows } = await t.db.query<{ stage: string; count: string; sum: string; weighted: string }>(
        `SELECT stage, count(*)::text AS count, sum(amount)::text AS sum,
                round(sum(amount * probability) / 100, 2)::text AS weighted
           FROM opportunity WHERE deleted_at IS NULL AND (closed_at IS NULL OR closed_at > now() - interval '90 days')
            AND ${where} GROUP BY stage`,
      );
      return Object.fromEntries(
        rows.map((r) => [
          r.stage,
          {
            count: r.count,
            sum: formatMoney(fromNumeric(r.sum)),
            weighted: formatMoney(fromNumeric(r.weighted)),
          },
        ]),
      );
    };
    const board = (await c.get('/opportunities')).text;
    const all = await expected('true');
    expect(all.won.count).toBe('2'); // the deal won 120 days ago is not among them
    for (const stage of Object.keys(all)) expect(figures(board, stage), stage).toEqual(all[stage]);

    const filtered = (await c.get('/opportunities?q=Special')).text;
    const special = await expected(`title LIKE 'Special %'`);
    expect(Object.values(special).reduce((n, s) => n + Number(s.count), 0)).toBe(3);
    for (const stage of Object.keys(special)) expect(figures(filtered, stage), stage).toEqual(special[stage]);
  });
});
