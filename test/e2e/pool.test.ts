import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolService } from '../../src/customers/pool.service.js';
import { FollowUpsService } from '../../src/follow-ups/follow-ups.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import {
  createCustomer,
  createTeam,
  createUser,
  settleNextSteps,
  type UserRow,
} from '../helpers/factories.js';

let t: TestApp;
let team: number;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
  admin = await createUser(t.db, { role: 'admin' });
});
afterAll(() => t.close());

const DAY = 86_400_000;

describe('the public pool', () => {
  it('gives an unowned lead to the rep who claims it, and refuses a second claim', async () => {
    const a = await createUser(t.db, { role: 'sales', teamId: team, region: '浙江省' });
    const b = await createUser(t.db, { role: 'sales', teamId: team, region: '浙江省' });
    const id = await createCustomer(t.db, {
      ownerId: null,
      status: 'lead',
      province: '浙江省',
      name: 'Pool Lead Ltd',
    });
    const first = await signedIn(t, a, 'zh-CN');
    const page = await first.get(`/customers/${id}`);
    expect(page.text).toContain(`/customers/${id}/claim`);
    // A customer's page belongs to the customers menu item; the pool's list to its own.
    expect(page.text).toContain('<a href="/customers" aria-current="page">');
    // The pool page is named as such, and each of its customers can be claimed from the list.
    const pool = await first.get('/customers?owner=pool');
    // Only this test makes leads in 浙江省: the pool a rep there sees holds exactly this one.
    expect(pool.text).toMatch(/<h1>公海 <span class="count">1<\/span><\/h1>/);
    expect(visibleText(pool.text)).toContain('Pool Lead Ltd');
    expect(pool.text).toContain('<a href="/customers?owner=pool" aria-current="page">');
    expect(pool.text).toContain(`action="/customers/${id}/claim"`);
    // Every customer here is unowned: no owner column saying so on each row.
    expect(pool.text).not.toContain('data-label="负责人"');
    // Its filters stay folded, so on a phone the customers come first; a filter chosen in them opens them.
    expect(pool.text).toContain('<details class="more-filters" >');
    expect((await first.get('/customers?owner=pool&tier=A')).text).toContain(
      '<details class="more-filters" open>',
    );
    expect((await first.post(`/customers/${id}/claim`)).status).toBe(303);
    const { rows } = await t.db.query(
      'SELECT owner_id, owned_since IS NOT NULL AS dated FROM customer WHERE id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ owner_id: a.id, dated: true });
    const audit = await t.db.query(
      `SELECT actor_id FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'claim'`,
      [String(id)],
    );
    expect(audit.rows).toEqual([{ actor_id: a.id }]);
    // b can no longer see it (it left the pool), so the claim finds nothing.
    expect((await (await signedIn(t, b)).post(`/customers/${id}/claim`)).status).toBe(404);
  });

  it('gives a customer claimed by two reps at the same moment to exactly one', async () => {
    const reps = await Promise.all(
      [1, 2, 3].map(() => createUser(t.db, { role: 'sales', teamId: team, region: '江西省' })),
    );
    const id = await createCustomer(t.db, { ownerId: null, status: 'lead', province: '江西省' });
    const clients = await Promise.all(reps.map((r) => signedIn(t, r)));
    const replies = await Promise.all(clients.map((c) => c.post(`/customers/${id}/claim`)));
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id]);
    const winner = reps.findIndex((r) => r.id === rows[0].owner_id);
    expect(winner).toBeGreaterThanOrEqual(0);
    // The winner is back on the customer's page, told it is theirs.
    expect(replies[winner].status).toBe(303);
    expect(visibleText((await clients[winner].get(replies[winner].location!)).text)).toContain(
      'The customer is yours now.',
    );
    // The others lose the race inside the claim (back on the page, told it was claimed), or come
    // after it, when the customer has left the pool and their scope (404).
    for (const i of [0, 1, 2].filter((i) => i !== winner)) {
      if (replies[i].status === 404) continue;
      expect(replies[i].status).toBe(303);
      expect(visibleText((await clients[i].get(replies[i].location!)).text)).toContain(
        'Someone claimed this customer a moment ago.',
      );
    }
    const claims = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'claim'`,
      [String(id)],
    );
    expect(claims.rows[0].n).toBe(1);
  });

  it('stops a rep at the cap an admin sets', async () => {
    const adminClient = await signedIn(t, admin);
    /** The rules as the settings form shows them, with the row version it carries. */
    const shownRules = async () => {
      const page = (await adminClient.get('/admin/settings')).text;
      // The pool section's own form: every section carries a version of its own.
      const form = /<form[^>]*action="\/admin\/settings\/pool"[\s\S]*?<\/form>/.exec(page)![0];
      const field = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(form)![1];
      return Object.fromEntries(
        ['maxOwned', 'returnDaysA', 'returnDaysB', 'returnDaysC', 'warnDays', 'version'].map((n) => [
          n,
          field(n),
        ]),
      );
    };
    const original = await shownRules();
    try {
      const saved = await adminClient.post('/admin/settings/pool', { ...original, maxOwned: '1' });
      expect(saved.status).toBe(303);
      expect(await shownRules()).toMatchObject({ maxOwned: '1', returnDaysC: original.returnDaysC });
      const rep = await createUser(t.db, { role: 'sales', teamId: team, region: '湖南省' });
      await createCustomer(t.db, { ownerId: rep.id });
      const id = await createCustomer(t.db, { ownerId: null, status: 'lead', province: '湖南省' });
      await createCustomer(t.db, { ownerId: rep.id });
      const repClient = await signedIn(t, rep, 'zh-CN');
      const reply = await repClient.post(`/customers/${id}/claim`);
      expect(reply.status).toBe(303);
      expect(reply.location).toBe('/customers?owner=pool');
      expect(visibleText((await repClient.get(reply.location!)).text)).toContain(
        '您已拥有 2 个客户，每位销售最多可拥有 1 个',
      );
      const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id]);
      expect(rows[0].owner_id).toBeNull();
    } finally {
      // The rules are the whole company's: the other tests here run under the ones it had before.
      const current = await shownRules();
      const back = await adminClient.post('/admin/settings/pool', { ...original, version: current.version });
      expect(back.status).toBe(303);
      expect(await shownRules()).toEqual({ ...original, version: String(Number(current.version) + 1) });
    }
  });

  it('returns neglected customers to the pool and warns owners first', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const neglected = await createCustomer(t.db, {
      ownerId: rep.id,
      name: 'Neglected Ltd',
      lastInteractionAt: new Date(Date.now() - 40 * DAY),
    });
    const soon = await createCustomer(t.db, {
      ownerId: rep.id,
      name: 'Soon Ltd',
      lastInteractionAt: new Date(Date.now() - 25 * DAY),
    });
    const fine = await createCustomer(t.db, {
      ownerId: rep.id,
      name: 'Fine Ltd',
      lastInteractionAt: new Date(Date.now() - 2 * DAY),
    });
    await t.db.query(`UPDATE customer SET owned_since = now() - interval '100 days' WHERE id = ANY($1)`, [
      [neglected, soon, fine],
    ]);
    // First run: both owners are warned; nobody goes back before the warning period has passed.
    expect(await t.app.get(PoolService).sweep()).toMatchObject({ returned: 0 });
    const warned = await t.db.query(
      'SELECT name FROM customer WHERE id = ANY($1) AND pool_warned_at IS NOT NULL ORDER BY name',
      [[neglected, soon, fine]],
    );
    expect(warned.rows.map((r) => r.name)).toEqual(['Neglected Ltd', 'Soon Ltd']);
    // A week later (the warning period), the neglected one goes back; the other is still counting down.
    await t.db.query(`UPDATE customer SET pool_warned_at = now() - interval '8 days' WHERE id = $1`, [
      neglected,
    ]);
    expect(await t.app.get(PoolService).sweep()).toMatchObject({ returned: 1, warned: 0 });
    const { rows } = await t.db.query(
      'SELECT name, owner_id FROM customer WHERE id = ANY($1) ORDER BY name',
      [[neglected, soon, fine]],
    );
    expect(rows).toEqual([
      { name: 'Fine Ltd', owner_id: rep.id },
      { name: 'Neglected Ltd', owner_id: null },
      { name: 'Soon Ltd', owner_id: rep.id },
    ]);
    const notes = await t.db.query(`SELECT kind, params FROM notification WHERE user_id = $1 ORDER BY id`, [
      rep.id,
    ]);
    expect(notes.rows).toEqual([
      { kind: 'pool_warning', params: { name: 'Neglected Ltd', days: 0 } },
      { kind: 'pool_warning', params: { name: 'Soon Ltd', days: 5 } },
      { kind: 'pool_returned', params: { name: 'Neglected Ltd' } },
    ]);
  });

  it('lets the owner give a customer back', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const id = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    expect((await c.post(`/customers/${id}/release`)).status).toBe(303);
    expect(
      (await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id])).rows[0].owner_id,
    ).toBeNull();
  });
});

describe('hand-over when a rep leaves', () => {
  it('asks where the rep’s customers go, then moves them all in one step', async () => {
    const leaving = await createUser(t.db, { role: 'sales', teamId: team, name: 'Leaving Rep' });
    const successor = await createUser(t.db, { role: 'sales', teamId: team, name: 'Successor' });
    const ids = [
      await createCustomer(t.db, { ownerId: leaving.id }),
      await createCustomer(t.db, { ownerId: leaving.id }),
    ];
    const c = await signedIn(t, admin);
    const page = await c.get(`/admin/users/${leaving.id}/edit`);
    expect(visibleText(page.text)).toContain('Owns: 2 customers');
    const unchosen = await c.post(`/admin/users/${leaving.id}/deactivate`, {});
    expect(unchosen.status).toBe(422);
    expect(visibleText(unchosen.text)).toContain('Choose who takes over their records');
    // Refused, the page comes back scrolled to the section with the error (on a phone it is far down).
    expect(unchosen.text).toContain('<section class="card" id="access">');
    expect(unchosen.text).toContain(`action="/admin/users/${leaving.id}/deactivate#access"`);
    expect((await t.db.query('SELECT active FROM app_user WHERE id = $1', [leaving.id])).rows[0].active).toBe(
      true,
    );

    expect(
      (await c.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: String(successor.id) })).status,
    ).toBe(303);
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = ANY($1)', [ids]);
    expect(rows.map((r) => r.owner_id)).toEqual([successor.id, successor.id]);
    expect((await t.db.query('SELECT active FROM app_user WHERE id = $1', [leaving.id])).rows[0].active).toBe(
      false,
    );
    const note = await t.db.query(
      `SELECT params FROM notification WHERE user_id = $1 AND kind = 'handed_over'`,
      [successor.id],
    );
    expect(note.rows).toEqual([{ params: { name: 'Leaving Rep', count: 2 } }]);
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'user' AND entity_id = $1 AND action = 'hand_over'`,
      [String(leaving.id)],
    );
    expect(audit.rows[0].diff['hand_over.customers']).toEqual({ to: 2 });
  });

  it('counts one record in the singular in English, in the admin’s form and the successor’s notification', async () => {
    const leaving = await createUser(t.db, { role: 'sales', teamId: team, name: 'Single Leaver' });
    const successor = await createUser(t.db, { role: 'sales', teamId: team, name: 'Single Taker' });
    await createCustomer(t.db, { ownerId: leaving.id });
    const c = await signedIn(t, admin, 'en');
    expect(visibleText((await c.get(`/admin/users/${leaving.id}/edit`)).text)).toContain('Owns: 1 customer ');
    expect(
      (await c.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: String(successor.id) })).status,
    ).toBe(303);
    const en = visibleText((await (await signedIn(t, successor, 'en')).get('/notifications')).text);
    expect(en).toContain('1 record of Single Leaver was handed over to you.');
    expect(en).not.toContain('1 records');
    const zh = visibleText((await (await signedIn(t, successor, 'zh-CN')).get('/notifications')).text);
    expect(zh).toContain('Single Leaver 的 1 条记录已移交给您。');
  });

  it('can send the customers to the pool instead', async () => {
    const leaving = await createUser(t.db, { role: 'sales', teamId: team });
    const id = await createCustomer(t.db, { ownerId: leaving.id });
    const c = await signedIn(t, admin);
    await c.get(`/admin/users/${leaving.id}/edit`);
    expect((await c.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: 'pool' })).status).toBe(303);
    expect(
      (await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id])).rows[0].owner_id,
    ).toBeNull();
  });
});

describe('the morning digest', () => {
  it('mails each rep their overdue follow-ups, in their language, and notifies them', async () => {
    const rep = await createUser(t.db, { role: 'sales', locale: 'zh-CN', name: '吴磊' });
    const id = await createCustomer(t.db, { ownerId: rep.id, name: '宁波嘉禾食品有限公司' });
    await t.db.query(
      `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, next_action, next_follow_up_at, version)
       VALUES ($1, $2, 'phone', now() - interval '5 days', 'x', '发送报价', now() - interval '2 days', 1)`,
      [id, rep.id],
    );
    await settleNextSteps(t.db, [id]);
    await t.app.get(FollowUpsService).sendOverdueDigests();
    const { rows } = await t.db.query(`SELECT subject, text FROM outbox_mail WHERE "to" = $1`, [rep.email]);
    expect(rows).toHaveLength(1);
    expect(rows[0].subject).toBe('您有 1 个逾期跟进');
    expect(rows[0].text).toContain('宁波嘉禾食品有限公司');
    expect(rows[0].text).toContain('发送报价');
    const notes = await t.db.query(
      `SELECT params FROM notification WHERE user_id = $1 AND kind = 'overdue_follow_ups'`,
      [rep.id],
    );
    expect(notes.rows).toEqual([{ params: { count: 1 } }]);
  });
});
