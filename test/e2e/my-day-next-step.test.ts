import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, parseLocalDateTime, toLocalInput } from '../../src/common/time.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, settleNextSteps } from '../helpers/factories.js';

/**
 * A customer carries its next step (the one its latest live follow-up set): logging, correcting and
 * deleting follow-ups, merging customers and handing a book over keep it right, and My day lists
 * from it exactly what the follow-ups say.
 */
let t: TestApp;
const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

/** The customers a My day section links to, in the order shown. */
function linksIn(html: string, heading: string): number[] {
  const section = html.split(`${heading} <span`)[1]?.split('</section>')[0] ?? '';
  return [...section.matchAll(/<a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1]));
}

async function myDay(c: Client) {
  const html = (await c.get('/')).text;
  return {
    overdue: linksIn(html, 'Overdue'),
    today: linksIn(html, 'Due today'),
    upcoming: linksIn(html, 'Coming week'),
    text: visibleText(html),
  };
}

const nextStepOf = async (id: number) =>
  (
    await t.db.query<{ next_step: string | null; next_step_at: Date | null }>(
      'SELECT next_step, next_step_at FROM customer WHERE id = $1',
      [id],
    )
  ).rows[0];

const local = (at: Date) => toLocalInput(at, ZONE);

/** Logs a follow-up through the form; returns its id. */
async function log(
  c: Client,
  customer: number,
  summary: string,
  happenedAt: Date,
  next?: { action: string; at: Date },
): Promise<number> {
  const reply = await c.submit(
    `/follow-ups/new?customer=${customer}`,
    {
      customerId: String(customer),
      method: 'phone',
      happenedAt: local(happenedAt),
      summary,
      nextAction: next?.action ?? '',
      nextFollowUpAt: next ? local(next.at) : '',
    },
    '/follow-ups',
  );
  expect(reply.status).toBe(303);
  const { rows } = await t.db.query<{ id: number }>(
    'SELECT id FROM follow_up WHERE customer_id = $1 AND summary = $2',
    [customer, summary],
  );
  return rows[0].id;
}

describe('the next step a customer carries', () => {
  it('follows the latest follow-up as it is logged, corrected and deleted', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const customer = await createCustomer(t.db, { ownerId: rep.id, name: 'Next Step Ltd' });
    const c = await signedIn(t, rep);
    const now = Date.now();
    await log(c, customer, 'First call', new Date(now - 2 * DAY), {
      action: 'Send brochure',
      at: new Date(now + 3 * DAY),
    });
    expect(await nextStepOf(customer)).toMatchObject({ next_step: 'Send brochure' });
    // A follow-up logged after the fact, earlier than the latest, leaves the next step alone.
    await log(c, customer, 'Earlier visit', new Date(now - 5 * DAY), {
      action: 'Old promise',
      at: new Date(now + 1 * DAY),
    });
    expect(await nextStepOf(customer)).toMatchObject({ next_step: 'Send brochure' });
    const latest = await log(c, customer, 'Second call', new Date(now - HOUR), {
      action: 'Visit the plant',
      at: new Date(now + 5 * DAY),
    });
    let day = await myDay(c);
    expect(day.upcoming).toEqual([customer]);
    expect(day.text).toContain('Visit the plant');
    expect(day.text).not.toContain('Send brochure');

    // Corrected: the new action and date.
    await c.get(`/follow-ups/${latest}/edit`);
    const edited = await c.post(`/follow-ups/${latest}/edit`, {
      method: 'phone',
      happenedAt: local(new Date(now - HOUR)),
      summary: 'Second call',
      nextAction: 'Call the buyer',
      nextFollowUpAt: local(new Date(now + 2 * DAY)),
      version: '1',
    });
    expect(edited.status).toBe(303);
    const step = await nextStepOf(customer);
    expect(step.next_step).toBe('Call the buyer');
    expect(local(step.next_step_at!)).toBe(local(new Date(now + 2 * DAY)));
    day = await myDay(c);
    expect(day.upcoming).toEqual([customer]);
    expect(day.text).toContain('Call the buyer');

    // Corrected to set no next step: the customer has none (the earlier ones are done).
    await c.get(`/follow-ups/${latest}/edit`);
    await c.post(`/follow-ups/${latest}/edit`, {
      method: 'phone',
      happenedAt: local(new Date(now - HOUR)),
      summary: 'Second call',
      nextAction: '',
      nextFollowUpAt: '',
      version: '2',
    });
    expect(await nextStepOf(customer)).toEqual({ next_step: null, next_step_at: null });
    day = await myDay(c);
    expect([...day.overdue, ...day.today, ...day.upcoming]).toEqual([]);

    // Deleted: the one before it is the latest again, and its next step is open again.
    await c.get(`/customers/${customer}`);
    expect((await c.post(`/follow-ups/${latest}/delete`)).status).toBe(303);
    expect(await nextStepOf(customer)).toMatchObject({ next_step: 'Send brochure' });
    day = await myDay(c);
    expect(day.upcoming).toEqual([customer]);
    expect(day.text).toContain('Send brochure');
  });

  it('leaves My day with its customer in the recycle bin and comes back when it is restored', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const customer = await createCustomer(t.db, { ownerId: rep.id, name: 'Binned And Back Ltd' });
    const c = await signedIn(t, rep);
    await log(c, customer, 'Met them', new Date(Date.now() - DAY), {
      action: 'Quote',
      at: new Date(Date.now() + 2 * DAY),
    });
    expect((await myDay(c)).upcoming).toEqual([customer]);
    await c.get(`/customers/${customer}`);
    expect((await c.post(`/customers/${customer}/delete`)).status).toBe(303);
    expect((await myDay(c)).upcoming).toEqual([]);
    await c.get('/customers/deleted');
    expect((await c.post(`/customers/${customer}/restore`)).status).toBe(303);
    const day = await myDay(c);
    expect(day.upcoming).toEqual([customer]);
    expect(day.text).toContain('Quote');
  });

  it('is the latest of both sides after a merge, on the survivor only', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const rep = await createUser(t.db, { role: 'sales' });
    const survivor = await createCustomer(t.db, { ownerId: rep.id, name: '杭州远景电子有限公司' });
    const other = await createCustomer(t.db, { ownerId: rep.id, name: '远景电子（杭州）有限公司' });
    const c = await signedIn(t, rep);
    const now = Date.now();
    await log(c, survivor, 'Older talk', new Date(now - 3 * DAY), {
      action: 'Survivor step',
      at: new Date(now + 4 * DAY),
    });
    await log(c, other, 'Newer talk', new Date(now - DAY), {
      action: 'Other step',
      at: new Date(now + 6 * DAY),
    });
    expect((await myDay(c)).upcoming).toEqual([survivor, other]);
    const a = await signedIn(t, admin);
    await a.get(`/customers/${survivor}/merge?with=${other}`);
    expect((await a.post(`/customers/${survivor}/merge`, { otherId: String(other) })).status).toBe(303);
    expect(await nextStepOf(survivor)).toMatchObject({ next_step: 'Other step' });
    expect(await nextStepOf(other)).toEqual({ next_step: null, next_step_at: null });
    const day = await myDay(c);
    expect(day.upcoming).toEqual([survivor]);
    expect(day.text).toContain('Other step');
    expect(day.text).not.toContain('Survivor step');
  });

  it('moves with the customer when a leaving rep hands their book over', async () => {
    const team = await createTeam(t.db);
    const admin = await createUser(t.db, { role: 'admin' });
    const leaving = await createUser(t.db, { role: 'sales', teamId: team });
    const taking = await createUser(t.db, { role: 'sales', teamId: team });
    const customer = await createCustomer(t.db, { ownerId: leaving.id, name: 'Handed Over Step Ltd' });
    await log(await signedIn(t, leaving), customer, 'Last visit', new Date(Date.now() - DAY), {
      action: 'Deliver samples',
      at: new Date(Date.now() + 3 * DAY),
    });
    const a = await signedIn(t, admin);
    await a.get(`/admin/users/${leaving.id}/edit`);
    const reply = await a.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: String(taking.id) });
    expect(reply.status).toBe(303);
    const day = await myDay(await signedIn(t, taking));
    expect(day.upcoming).toEqual([customer]);
    expect(day.text).toContain('Deliver samples');
  });
});

describe('My day read from the customers’ next steps', () => {
  /**
   * What My day showed when it read every customer's latest follow-up: the reference the next steps
   * on the customer must give again, item for item.
   */
  async function fromFollowUps(ownerIds: number[]) {
    const { rows } = await t.db.query<{ id: number; owner_id: number; at: Date }>(
      `SELECT c.id, c.owner_id, l.next_follow_up_at AS at FROM (
         SELECT DISTINCT ON (f.customer_id) f.customer_id, f.next_follow_up_at FROM follow_up f
          WHERE f.deleted_at IS NULL ORDER BY f.customer_id, f.happened_at DESC, f.id DESC) l
         JOIN customer c ON c.id = l.customer_id AND c.deleted_at IS NULL
        WHERE l.next_follow_up_at IS NOT NULL AND c.owner_id = ANY($1)
        ORDER BY l.next_follow_up_at, c.id`,
      [ownerIds],
    );
    const today = localDay(new Date(), ZONE);
    return rows.map((r) => ({ ...r, day: localDay(r.at, ZONE), today }));
  }

  it('gives a manager the same team view, rep by rep, as the follow-ups say', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Team Boss' });
    await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
    const busy = await createUser(t.db, { role: 'sales', teamId: team, name: 'Busy Rep' });
    const calm = await createUser(t.db, { role: 'sales', teamId: team, name: 'Calm Rep' });
    const clear = await createUser(t.db, { role: 'sales', teamId: team, name: 'Clear Rep' });
    const outsider = await createUser(t.db, { role: 'sales', teamId: await createTeam(t.db) });
    const now = Date.now();
    const startOfToday = parseLocalDateTime(localDay(new Date(now), ZONE), ZONE)!.getTime();
    const customers: number[] = [];
    /** A customer of `owner` with follow-ups [happened ms ago, next step at (ms since epoch) or null, deleted?]. */
    const scene = async (
      owner: number,
      name: string,
      followUps: [number, number | null, boolean?][],
      opts: { deleted?: boolean } = {},
    ) => {
      const id = await createCustomer(t.db, { ownerId: owner, name });
      customers.push(id);
      for (const [ago, next, gone] of followUps)
        await t.db.query(
          `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, next_action, next_follow_up_at, deleted_at, version)
           VALUES ($1, $2, 'phone', $3, 'x', $4, $5, $6, 1)`,
          [
            id,
            owner,
            new Date(now - ago),
            `Step for ${name}`,
            next === null ? null : new Date(next),
            gone ? new Date() : null,
          ],
        );
      if (opts.deleted) await t.db.query('UPDATE customer SET deleted_at = now() WHERE id = $1', [id]);
      return id;
    };
    // Thirteen overdue for the busy rep, some due at the same moment.
    for (let i = 0; i < 13; i++) await scene(busy.id, `Busy ${i}`, [[DAY, now - (2 + (i % 4)) * DAY]]);
    // Just before the start of the manager's today: overdue; just after: not yet.
    await scene(calm.id, 'Calm just overdue', [[DAY, startOfToday - 60_000]]);
    await scene(calm.id, 'Calm due today', [[DAY, startOfToday + 60_000]]);
    await scene(calm.id, 'Calm next week', [[DAY, now + 4 * DAY]]);
    // The latest follow-up set no next step: the overdue one before it is done.
    await scene(calm.id, 'Calm done', [
      [5 * DAY, now - 3 * DAY],
      [DAY, null],
    ]);
    // The latest was deleted: the overdue one before it is open again.
    await scene(calm.id, 'Calm reopened', [
      [5 * DAY, now - 4 * DAY],
      [DAY, now + 2 * DAY, true],
    ]);
    await scene(calm.id, 'Calm in the bin', [[DAY, now - 2 * DAY]], { deleted: true });
    await scene(clear.id, 'Clear upcoming', [[DAY, now + DAY]]);
    await scene(manager.id, 'Boss own overdue', [[DAY, now - 2 * DAY]]);
    await scene(outsider.id, 'Outsider overdue', [[DAY, now - 2 * DAY]]);
    await settleNextSteps(t.db, customers);

    const reference = await fromFollowUps([busy.id, calm.id, clear.id]);
    const expected = [
      { id: busy.id, name: 'Busy Rep' },
      { id: calm.id, name: 'Calm Rep' },
      { id: clear.id, name: 'Clear Rep' },
    ]
      .map((r) => {
        const overdue = reference.filter((s) => s.owner_id === r.id && s.day < s.today);
        return {
          name: r.name,
          ids: overdue.slice(0, 10).map((s) => s.id),
          more: Math.max(0, overdue.length - 10),
        };
      })
      .filter((r) => r.ids.length)
      .sort((a, b) => b.ids.length + b.more - (a.ids.length + a.more) || a.name.localeCompare(b.name));
    // The scene is what it means to be: the busy rep has more than a page, the calm one a few.
    expect(expected.map((r) => [r.name, r.ids.length, r.more])).toEqual([
      ['Busy Rep', 10, 3],
      ['Calm Rep', 2, 0],
    ]);

    const html = (await (await signedIn(t, manager)).get('/')).text;
    const shown = html
      .split('<details class="team-rep"')
      .slice(1)
      .map((block) => {
        const section = block.split('</details>')[0];
        return {
          name: /<strong>([^<]*)<\/strong>/.exec(section)![1],
          ids: [...section.matchAll(/<a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1])),
          count: /<span class="count overdue">([^<]*)<\/span>/.exec(section)![1],
        };
      });
    expect(shown).toEqual(
      expected.map((r) => ({
        name: r.name,
        ids: r.ids,
        count: r.more ? `${r.ids.length} + ${r.more}` : String(r.ids.length),
      })),
    );
    // The rep's own My day, from the same next steps: overdue, today and the coming week.
    const calmDay = await myDay(await signedIn(t, calm));
    const calmSteps = reference.filter((s) => s.owner_id === calm.id);
    expect(calmDay.overdue).toEqual(calmSteps.filter((s) => s.day < s.today).map((s) => s.id));
    expect(calmDay.today).toEqual(calmSteps.filter((s) => s.day === s.today).map((s) => s.id));
    expect(calmDay.upcoming).toEqual(calmSteps.filter((s) => s.day > s.today).map((s) => s.id));
    expect(calmDay.overdue).toHaveLength(2);
    expect(calmDay.today).toHaveLength(1);
  });
});
