import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * DESIGN.md "Who sees what": the public pool is every unowned customer, seen by every rep whatever its
 * status and province; an admin may split it by region. Releasing, claiming and merging leave a trace
 * on the customer's timeline.
 */
let t: TestApp;
let team: number;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
  admin = await createUser(t.db, { role: 'admin' });
});
afterAll(() => t.close());

async function setPool(fields: Record<string, string>) {
  const client = await signedIn(t, admin);
  const page = await client.get('/admin/settings');
  const version = /action="\/admin\/settings\/pool"[\s\S]*?name="version" value="(\d*)"/.exec(page.text)![1];
  return client.post('/admin/settings/pool', {
    maxOwned: '300',
    warnDays: '7',
    returnDaysA: '90',
    returnDaysB: '60',
    returnDaysC: '30',
    version,
    ...fields,
  });
}

describe('the public pool for every rep', () => {
  it('shows a rep every unowned customer, whatever its status and province, and lets them claim it', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team, region: '浙江省' });
    const churnedElsewhere = await createCustomer(t.db, {
      ownerId: null,
      status: 'churned',
      province: '广东省',
      name: 'Far Away Churned Ltd',
    });
    const noProvince = await createCustomer(t.db, {
      ownerId: null,
      status: 'active',
      province: null,
      name: 'Released Without Province Ltd',
    });
    const client = await signedIn(t, rep);
    const pool = visibleText((await client.get('/customers?owner=pool')).text);
    expect(pool).toContain('Far Away Churned Ltd');
    expect(pool).toContain('Released Without Province Ltd');
    expect((await client.get(`/customers/${noProvince}`)).status).toBe(200);
    expect((await client.post(`/customers/${churnedElsewhere}/claim`)).status).toBe(303);
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [churnedElsewhere]);
    expect(rows[0].owner_id).toBe(rep.id);
  });

  it('splits the pool by region when the admin ticks it: the rep’s region and customers without one', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team, region: '四川省' });
    await createCustomer(t.db, { ownerId: null, province: '四川省', name: 'Chengdu Split Ltd' });
    await createCustomer(t.db, { ownerId: null, province: '云南省', name: 'Kunming Split Ltd' });
    await createCustomer(t.db, { ownerId: null, province: null, name: 'Nowhere Split Ltd' });
    expect((await setPool({ byRegion: '1' })).status).toBe(303);
    try {
      const settings = await (await signedIn(t, admin)).get('/admin/settings');
      expect(settings.text).toMatch(/name="byRegion" value="1" checked/);
      const pool = visibleText((await (await signedIn(t, rep)).get('/customers?owner=pool')).text);
      expect(pool).toContain('Chengdu Split Ltd');
      expect(pool).toContain('Nowhere Split Ltd');
      expect(pool).not.toContain('Kunming Split Ltd');
      // A manager still sees the whole pool.
      const manager = await createUser(t.db, { role: 'manager', teamId: team });
      const all = visibleText((await (await signedIn(t, manager)).get('/customers?owner=pool')).text);
      expect(all).toContain('Kunming Split Ltd');
    } finally {
      expect((await setPool({})).status).toBe(303);
    }
    const whole = visibleText((await (await signedIn(t, rep)).get('/customers?owner=pool')).text);
    expect(whole).toContain('Kunming Split Ltd');
  });

  it('refuses a return warning as long as the shortest return period, beside its field', async () => {
    const reply = await setPool({ warnDays: '30', returnDaysC: '30' });
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain(
      'The warning must come before the shortest return period: fewer than 30 days.',
    );
    expect(reply.text).toMatch(/id="e-warnDays"/);
    const zh = await signedIn(t, admin, 'zh-CN');
    const page = await zh.get('/admin/settings');
    const version = /action="\/admin\/settings\/pool"[\s\S]*?name="version" value="(\d*)"/.exec(
      page.text,
    )![1];
    const refused = await zh.post('/admin/settings/pool', {
      maxOwned: '300',
      warnDays: '20',
      returnDaysA: '90',
      returnDaysB: '15',
      returnDaysC: '30',
      version,
    });
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('提醒必须早于最短的退回期限：应少于 15 天。');
    // One day shorter is accepted.
    expect((await setPool({ warnDays: '29' })).status).toBe(303);
    expect((await setPool({})).status).toBe(303);
  });

  it('takes a rep who released a customer back to the list, told so, instead of a 404', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: team, region: '浙江省' });
    const other = await createUser(t.db, { role: 'sales', teamId: team, region: '浙江省' });
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Given Back Ltd' });
    const client = await signedIn(t, rep, 'zh-CN');
    await client.get(`/customers/${id}`);
    const reply = await client.post(`/customers/${id}/release`);
    expect(reply.status).toBe(303);
    expect(reply.location).toBe('/customers');
    const list = await client.get(reply.location!);
    expect(list.status).toBe(200);
    expect(visibleText(list.text)).toContain('Given Back Ltd 已退回公海。');
    // The timeline tells who took it and who gave it back, in either language.
    const taker = await signedIn(t, other, 'zh-CN');
    expect((await taker.post(`/customers/${id}/claim`)).status).toBe(303);
    const zh = visibleText((await taker.get(`/customers/${id}`)).text);
    expect(zh).toContain('从公海领取');
    expect(zh).toContain('退回公海');
    const en = visibleText((await (await signedIn(t, admin)).get(`/customers/${id}`)).text);
    expect(en).toMatch(/Claimed from the pool · User .* Returned to the pool · User/);
    // Follow-ups are counted apart from these entries.
    expect(en).toContain('Follow-ups 0');
  });

  it('leads a merged-away customer’s address to the survivor, whose timeline tells of the merge', async () => {
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const survivor = await createCustomer(t.db, { ownerId: manager.id, name: 'Survivor Trading Ltd' });
    const other = await createCustomer(t.db, { ownerId: manager.id, name: 'Merged Away Trading Ltd' });
    const client = await signedIn(t, manager);
    await client.get(`/customers/${survivor}/merge?with=${other}`);
    expect((await client.post(`/customers/${survivor}/merge`, { otherId: String(other) })).status).toBe(303);
    const old = await client.get(`/customers/${other}`);
    expect(old.status).toBe(303);
    expect(old.location).toBe(`/customers/${survivor}`);
    const page = visibleText((await client.get(old.location!)).text);
    expect(page).toContain('Survivor Trading Ltd now holds this customer: it was merged into it.');
    expect(page).toContain('Duplicate merged in');
    expect(page).toContain('Merged Away Trading Ltd');
    // Someone who could not see the survivor still gets a 404, not a hint of it.
    const stranger = await createUser(t.db, { role: 'sales', region: '浙江省' });
    expect((await (await signedIn(t, stranger)).get(`/customers/${other}`)).status).toBe(404);
  });
});
