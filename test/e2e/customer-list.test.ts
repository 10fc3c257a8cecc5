import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, nextLink, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;

beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

const DAY = 86_400_000;

/** Ids in ascending order, for comparing sets of customers. */
const byId = (a: number, b: number) => a - b;

/** The customers a list page shows, in the order it shows them. */
const listedIds = (html: string) =>
  [...html.matchAll(/<td data-label="[^"]*"><a href="\/customers\/(\d+)">/g)].map((m) => Number(m[1]));

async function listed(c: Client, query: string): Promise<number[]> {
  const page = await c.get(`/customers?${query}`);
  expect(page.status).toBe(200);
  return listedIds(page.text);
}

/** A customer with the list's filterable fields set directly. */
async function customer(
  ownerId: number | null,
  fields: {
    name?: string;
    tier?: string;
    vip?: boolean;
    status?: string;
    industry?: string | null;
    province?: string | null;
    city?: string | null;
    tags?: string[];
    lastInteractionAt?: Date | null;
    updatedAt?: Date;
  } = {},
): Promise<number> {
  const id = await createCustomer(t.db, {
    ownerId,
    name: fields.name,
    status: fields.status ?? 'active',
    province: fields.province ?? null,
    lastInteractionAt: fields.lastInteractionAt ?? null,
  });
  await t.db.query(
    `UPDATE customer SET tier = $2, vip = $3, industry = $4, city = $5, tags = $6, updated_at = coalesce($7, updated_at)
      WHERE id = $1`,
    [
      id,
      fields.tier ?? 'C',
      fields.vip ?? false,
      fields.industry ?? null,
      fields.city ?? null,
      fields.tags ?? [],
      fields.updatedAt ?? null,
    ],
  );
  return id;
}

describe('filtering the customer list', () => {
  let rep: UserRow;
  let c: Client;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    rep = await createUser(t.db, { role: 'sales' });
    ids.plain = await customer(rep.id, { name: 'Plain Ltd' });
    ids.tierA = await customer(rep.id, { name: 'Tier A Ltd', tier: 'A' });
    ids.vipB = await customer(rep.id, { name: 'VIP B Ltd', tier: 'B', vip: true });
    ids.prospect = await customer(rep.id, { name: 'Prospect Ltd', status: 'prospect' });
    ids.churned = await customer(rep.id, { name: 'Churned Ltd', status: 'churned', tier: 'A' });
    ids.factory = await customer(rep.id, { name: 'Factory Ltd', industry: 'C' });
    ids.shenzhen = await customer(rep.id, { name: 'Shenzhen Ltd', province: '广东省', city: '深圳市' });
    ids.guangzhou = await customer(rep.id, { name: 'Guangzhou Ltd', province: '广东省', city: '广州市' });
    ids.tagged = await customer(rep.id, { name: 'Tagged Ltd', tags: ['展会', '重点客户'] });
    ids.recent = await customer(rep.id, {
      name: 'Recent Ltd',
      lastInteractionAt: new Date(Date.now() - 3 * DAY),
    });
    ids.dormant = await customer(rep.id, {
      name: 'Dormant Ltd',
      lastInteractionAt: new Date(Date.now() - 45 * DAY),
    });
    c = await signedIn(t, rep);
  });

  const sorted = (names: string[]) => names.map((n) => ids[n]).sort(byId);
  const got = async (query: string) => (await listed(c, query)).sort(byId);

  it('lists every customer of the rep without filters', async () => {
    expect(await got('')).toEqual(sorted(Object.keys(ids)));
  });

  it('filters by tier', async () => {
    expect(await got('tier=A')).toEqual(sorted(['tierA', 'churned']));
    expect(await got('tier=B')).toEqual(sorted(['vipB']));
  });

  it('filters VIPs', async () => {
    expect(await got('vip=1')).toEqual(sorted(['vipB']));
  });

  it('filters by status', async () => {
    expect(await got('status=prospect')).toEqual(sorted(['prospect']));
    expect(await got('status=churned')).toEqual(sorted(['churned']));
    expect(await got('status=lead')).toEqual([]);
  });

  it('filters by industry', async () => {
    expect(await got('industry=C')).toEqual(sorted(['factory']));
  });

  it('filters by province and by city', async () => {
    expect(await got(`province=${encodeURIComponent('广东省')}`)).toEqual(sorted(['shenzhen', 'guangzhou']));
    expect(
      await got(`province=${encodeURIComponent('广东省')}&city=${encodeURIComponent('深圳市')}`),
    ).toEqual(sorted(['shenzhen']));
  });

  it('filters by a tag, whole tags only', async () => {
    expect(await got(`tag=${encodeURIComponent('展会')}`)).toEqual(sorted(['tagged']));
    expect(await got(`tag=${encodeURIComponent('重点')}`)).toEqual([]);
  });

  it('filters by days without interaction, counting never as the longest', async () => {
    const idle = await got('idle=30');
    expect(idle).toContain(ids.dormant);
    expect(idle).toContain(ids.plain);
    expect(idle).not.toContain(ids.recent);
    expect(await got('idle=60')).not.toContain(ids.dormant);
  });

  it('combines filters, each narrowing the others', async () => {
    expect(await got('tier=A&status=churned')).toEqual(sorted(['churned']));
    expect(await got('tier=A&status=active')).toEqual(sorted(['tierA']));
    expect(await got('tier=B&vip=1&idle=1')).toEqual(sorted(['vipB']));
  });

  it('keeps the chosen filters in the form and says when nothing matches', async () => {
    const page = await c.get(`/customers?tier=B&status=churned&tag=${encodeURIComponent('展会')}&sort=name`);
    expect(listedIds(page.text)).toEqual([]);
    expect(visibleText(page.text)).toContain('No customer matches.');
    expect(page.text).toMatch(/<option value="B" selected>/);
    expect(page.text).toMatch(/<option value="churned" selected>/);
    expect(page.text).toMatch(/<option value="name" selected>/);
    expect(page.text).toContain('name="tag" value="展会"');
  });
});

describe('a manager filtering by owner', () => {
  it('shows one rep’s customers, their own, or the pool', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const a = await createUser(t.db, { role: 'sales', teamId: team, name: 'Owner Filter A' });
    const b = await createUser(t.db, { role: 'sales', teamId: team, name: 'Owner Filter B' });
    const ofA = await customer(a.id, { name: 'Owner Filter Ltd 1' });
    const ofB = await customer(b.id, { name: 'Owner Filter Ltd 2' });
    const ofManager = await customer(manager.id, { name: 'Owner Filter Ltd 3' });
    const unowned = await customer(null, { name: 'Owner Filter Ltd 4' });
    const c = await signedIn(t, manager);
    const q = 'q=Owner+Filter+Ltd';
    expect((await listed(c, q)).sort(byId)).toEqual([ofA, ofB, ofManager, unowned].sort(byId));
    expect(await listed(c, `${q}&owner=${a.id}`)).toEqual([ofA]);
    expect(await listed(c, `${q}&owner=me`)).toEqual([ofManager]);
    expect(await listed(c, `${q}&owner=pool`)).toEqual([unowned]);
    // The owner list offers the team's reps by name, the chosen one selected.
    const page = await c.get(`/customers?${q}&owner=${b.id}`);
    expect(page.text).toContain(`<option value="${b.id}" selected>Owner Filter B</option>`);
    expect(listedIds(page.text)).toEqual([ofB]);
  });
});

describe('sorting the customer list', () => {
  // Each rep's own customers (owner=me): the public pool every rep also sees holds other tests' customers.
  it('puts the most recently changed first by default', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const now = Date.now();
    const old = await customer(rep.id, { name: 'Changed Long Ago', updatedAt: new Date(now - 10 * DAY) });
    const newest = await customer(rep.id, { name: 'Changed Just Now', updatedAt: new Date(now - 60_000) });
    const middle = await customer(rep.id, { name: 'Changed Yesterday', updatedAt: new Date(now - DAY) });
    const c = await signedIn(t, rep);
    expect(await listed(c, 'owner=me')).toEqual([newest, middle, old]);
    expect(await listed(c, 'owner=me&sort=updated')).toEqual([newest, middle, old]);
  });

  it('sorts by name', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const charlie = await customer(rep.id, { name: 'Charlie Trading' });
    const alpha = await customer(rep.id, { name: 'Alpha Trading' });
    const bravo = await customer(rep.id, { name: 'Bravo Trading' });
    const c = await signedIn(t, rep);
    expect(await listed(c, 'owner=me&sort=name')).toEqual([alpha, bravo, charlie]);
  });

  it('sorts the longest without contact first, never-contacted before all', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const now = Date.now();
    const week = await customer(rep.id, { name: 'Week', lastInteractionAt: new Date(now - 7 * DAY) });
    const never = await customer(rep.id, { name: 'Never', lastInteractionAt: null });
    const today = await customer(rep.id, { name: 'Today', lastInteractionAt: new Date(now - 3_600_000) });
    const year = await customer(rep.id, { name: 'Year', lastInteractionAt: new Date(now - 365 * DAY) });
    const c = await signedIn(t, rep);
    expect(await listed(c, 'owner=me&sort=idle')).toEqual([never, year, week, today]);
  });

  it('pages through a sort with ties without losing or repeating a customer', async () => {
    const rep = await createUser(t.db, { role: 'sales' });
    const at = new Date(Date.now() - 20 * DAY);
    const made: number[] = [];
    // 30 customers: ten never contacted, twenty sharing one last interaction.
    for (let i = 0; i < 30; i++)
      made.push(await customer(rep.id, { name: `Tie ${i}`, lastInteractionAt: i < 10 ? null : at }));
    const c = await signedIn(t, rep);
    const first = await c.get('/customers?owner=me&sort=idle');
    const firstIds = listedIds(first.text);
    expect(firstIds).toHaveLength(25);
    // Ties are broken by id, so the order is the same on every load.
    expect(firstIds).toEqual(made.slice(0, 25));
    const second = await c.get(nextLink(first.text)!);
    expect(listedIds(second.text)).toEqual(made.slice(25));
    expect(nextLink(second.text)).toBeNull();
  });
});

describe('searching', () => {
  let rep: UserRow;
  let c: Client;
  let withPhone: number;
  let withEmail: number;
  let withCode: number;

  beforeAll(async () => {
    rep = await createUser(t.db, { role: 'sales' });
    withPhone = await customer(rep.id, { name: 'Landline Holder Ltd' });
    withEmail = await customer(rep.id, { name: 'Mail Holder Ltd' });
    withCode = await customer(rep.id, { name: 'Code Holder Ltd' });
    await t.db.query(
      `INSERT INTO contact (customer_id, name, mobile, phone, email, version) VALUES
         ($1, '座机联系人', '13566667777', '010-85264435', NULL, 1),
         ($2, '邮箱联系人', NULL, NULL, 'buyer@huaxin.cn', 1)`,
      [withPhone, withEmail],
    );
    await t.db.query(`UPDATE customer SET uscc = '91350100M000100Y43' WHERE id = $1`, [withCode]);
    c = await signedIn(t, rep);
  });

  it('finds a customer by a contact’s landline as it is shown', async () => {
    expect(await listed(c, `q=${encodeURIComponent('010-85264435')}`)).toEqual([withPhone]);
  });

  it('finds a customer by a contact’s mobile however it is written', async () => {
    for (const q of ['13566667777', '+86 135 6666 7777', '135-6666-7777'])
      expect(await listed(c, `q=${encodeURIComponent(q)}`)).toEqual([withPhone]);
  });

  it('finds a customer by a contact’s e-mail, in any case', async () => {
    expect(await listed(c, `q=${encodeURIComponent('buyer@huaxin.cn')}`)).toEqual([withEmail]);
    expect(await listed(c, `q=${encodeURIComponent('Buyer@HuaXin.CN')}`)).toEqual([withEmail]);
  });

  it('finds a customer by its USCC, in either case', async () => {
    expect(await listed(c, 'q=91350100M000100Y43')).toEqual([withCode]);
    expect(await listed(c, 'q=91350100m000100y43')).toEqual([withCode]);
    expect(await listed(c, 'q=91350100M000100Y44')).toEqual([]);
  });

  it('finds nothing by the number, e-mail or code of another rep’s customer', async () => {
    const other = await createUser(t.db, { role: 'sales' });
    const theirs = await customer(other.id, { name: 'Hidden Holder Ltd' });
    await t.db.query(
      `INSERT INTO contact (customer_id, name, mobile, phone, email, version)
       VALUES ($1, '别人', '13288889999', '021-44082075', 'hidden@elsewhere.cn', 1)`,
      [theirs],
    );
    await t.db.query(`UPDATE customer SET uscc = '91310000MA1FL0AB1X' WHERE id = $1`, [theirs]);
    for (const q of ['13288889999', '021-44082075', 'hidden@elsewhere.cn', '91310000MA1FL0AB1X']) {
      const page = await c.get(`/customers?q=${encodeURIComponent(q)}`);
      expect(listedIds(page.text)).toEqual([]);
      expect(visibleText(page.text)).not.toContain('Hidden Holder Ltd');
    }
    // Its owner finds it the same ways.
    const owner = await signedIn(t, other);
    for (const q of ['13288889999', '021-44082075', 'hidden@elsewhere.cn', '91310000MA1FL0AB1X'])
      expect(await listed(owner, `q=${encodeURIComponent(q)}`)).toEqual([theirs]);
  });
});
