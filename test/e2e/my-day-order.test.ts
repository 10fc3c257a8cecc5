import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createUser, settleNextSteps } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

/** The customers a My day section links to, in the order shown. */
function linksIn(html: string, heading: string): number[] {
  const section = html.split(heading)[1]?.split('</section>')[0] ?? '';
  return [...section.matchAll(/<a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1]));
}

describe('My day', () => {
  it('lists next steps due at the same time in one order, by customer, on every load', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(await createCustomer(t.db, { ownerId: rep.id, name: `同时到期 ${i}` }));
    // Logged in an order unlike the customers' (the table's physical order differs from theirs).
    const shuffled = [...ids].sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
    for (const [k, id] of shuffled.entries()) {
      const overdue = k % 2 === 0;
      await t.db.query(
        `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, next_action, next_follow_up_at, version)
         VALUES ($1, $2, 'phone', now() - interval '3 days', 'x', $3,
                 CASE WHEN $4 THEN date_trunc('day', now()) - interval '2 days' + interval '10 hours'
                      ELSE date_trunc('day', now()) + interval '3 days' + interval '10 hours' END, 1)`,
        [id, rep.id, `step ${k}`, overdue],
      );
      // Another customer's statistics must not matter: touch the table between inserts.
      await t.db.query('UPDATE follow_up SET summary = summary WHERE customer_id = $1', [id]);
    }
    await settleNextSteps(t.db, ids);
    const c = await signedIn(t, rep);
    const loads: { overdue: number[]; upcoming: number[] }[] = [];
    for (let i = 0; i < 5; i++) {
      const html = (await c.get('/')).text;
      loads.push({ overdue: linksIn(html, 'Overdue'), upcoming: linksIn(html, 'Coming week') });
    }
    const expected = {
      overdue: shuffled.filter((_, k) => k % 2 === 0).sort((a, b) => a - b),
      upcoming: shuffled.filter((_, k) => k % 2 === 1).sort((a, b) => a - b),
    };
    expect(expected.overdue).toHaveLength(6);
    for (const load of loads) expect(load).toEqual(expected);
  });
});
