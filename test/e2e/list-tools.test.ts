import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { decodeHtml, nextLink, visibleText } from '../helpers/client.js';
import {
  createCustomer,
  createTeam,
  createUser,
  settleNextSteps,
  type UserRow,
} from '../helpers/factories.js';

/**
 * The customer list's tools: exporting as a right per role, bulk assign/transfer/release, going back
 * a page, sortable headers; and a manager's team view on My day.
 */
let t: TestApp;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin' });
});
afterAll(() => t.close());

async function setExportRights(roles: string[]) {
  const client = await signedIn(t, admin);
  const page = await client.get('/admin/settings');
  const version = /action="\/admin\/settings\/customer_export"[\s\S]*?name="version" value="(\d*)"/.exec(
    page.text,
  )![1];
  const fields: Record<string, string> = { version };
  for (const role of roles) fields[role] = '1';
  const reply = await client.post('/admin/settings/customer_export', fields);
  expect(reply.status).toBe(303);
}

const exportRows = (csv: string) =>
  csv
    .replace(/^\ufeff/, '')
    .trim()
    .split('\n')
    .slice(1);

describe('exporting customers', () => {
  it('is refused to a service agent by default, and the list offers no export button', async () => {
    const agent = await createUser(t.db, { role: 'service' });
    const client = await signedIn(t, agent);
    const list = await client.get('/customers');
    expect(list.text).not.toContain('formaction="/customers/export"');
    expect((await client.get('/customers/export?format=csv')).status).toBe(403);
    const manager = await createUser(t.db, { role: 'manager', teamId: await createTeam(t.db) });
    const managers = await (await signedIn(t, manager)).get('/customers');
    expect(managers.text).toContain('formaction="/customers/export"');
  });

  it('lets a rep given the right export only their own customers, audited', async () => {
    const team = await createTeam(t.db);
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const colleague = await createUser(t.db, { role: 'sales', teamId: team });
    await createCustomer(t.db, { ownerId: rep.id, name: 'Rep Own Export Ltd' });
    await createCustomer(t.db, { ownerId: colleague.id, name: 'Colleague Export Ltd' });
    await createCustomer(t.db, { ownerId: null, name: 'Pool Export Ltd' });
    const client = await signedIn(t, rep);
    expect((await client.get('/customers/export?format=csv')).status).toBe(403);
    await setExportRights(['admin', 'manager', 'sales']);
    try {
      const settings = await (await signedIn(t, admin)).get('/admin/settings');
      expect(settings.text).toMatch(/name="sales" value="1" checked/);
      expect((await client.get('/customers')).text).toContain('formaction="/customers/export"');
      const csv = await client.get('/customers/export?format=csv');
      expect(csv.status).toBe(200);
      const rows = exportRows(csv.text);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toContain('Rep Own Export Ltd');
      // The entry is written once the file has been sent.
      const audited = async () =>
        (
          await t.db.query(
            `SELECT diff->'count'->>'to' AS count FROM audit_entry WHERE action = 'export' AND actor_id = $1`,
            [rep.id],
          )
        ).rows;
      await expect.poll(audited, { timeout: 3000 }).toEqual([{ count: '1' }]);
    } finally {
      await setExportRights(['admin', 'manager']);
    }
    expect((await client.get('/customers/export?format=csv')).status).toBe(403);
  });
});

describe('bulk actions on the list', () => {
  it('releases the ticked customers in one go and says how many were skipped and why', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const rep = await createUser(t.db, { role: 'sales', teamId: team });
    const outsider = await createUser(t.db, { role: 'sales', teamId: await createTeam(t.db) });
    const mine = await Promise.all(
      [1, 2, 3].map((i) => createCustomer(t.db, { ownerId: rep.id, name: `Bulk Release ${i} Ltd` })),
    );
    const notMine = await createCustomer(t.db, { ownerId: outsider.id, name: 'Outsider Bulk Ltd' });
    const client = await signedIn(t, manager);
    const list = await client.get('/customers');
    expect(list.text).toContain('form="bulk"');
    const reply = await client.post('/customers/bulk', {
      action: 'release',
      ids: [...mine, notMine].map(String),
      returnTo: '/customers?sort=name',
    });
    expect(reply.status).toBe(303);
    expect(reply.location).toBe('/customers?sort=name');
    const page = visibleText((await client.get(reply.location!)).text);
    expect(page).toContain('Customers returned to the pool: 3.');
    expect(page).toContain('Skipped 1: not yours to change.');
    const { rows } = await t.db.query('SELECT id, owner_id FROM customer WHERE id = ANY($1) ORDER BY id', [
      [...mine, notMine],
    ]);
    expect(rows.map((r) => r.owner_id)).toEqual([null, null, null, outsider.id]);
    const { rows: audit } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'release' AND entity_id = ANY($1)`,
      [mine.map(String)],
    );
    expect(audit[0].n).toBe(3);
  });

  it('assigns pool customers and transfers a rep’s to another rep, in Chinese too', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const from = await createUser(t.db, { role: 'sales', teamId: team });
    const to = await createUser(t.db, { role: 'sales', teamId: team, name: '李四' });
    const pooled = await createCustomer(t.db, { ownerId: null });
    const owned = await createCustomer(t.db, { ownerId: from.id });
    const already = await createCustomer(t.db, { ownerId: to.id });
    const client = await signedIn(t, manager, 'zh-CN');
    await client.get('/customers');
    const reply = await client.post('/customers/bulk', {
      action: 'assign',
      ownerId: String(to.id),
      ids: [pooled, owned, already].map(String),
    });
    expect(reply.status).toBe(303);
    const page = visibleText((await client.get(reply.location!)).text);
    expect(page).toContain('已分配给 李四 的客户：2 个。');
    expect(page).toContain('跳过 1 个：已归其所有。');
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = ANY($1)', [[pooled, owned]]);
    expect(rows.map((r) => r.owner_id)).toEqual([to.id, to.id]);
    // Assigning without an owner, or with no customer ticked, changes nothing and says why.
    const none = await client.post('/customers/bulk', { action: 'assign', ids: [String(pooled)] });
    expect(visibleText((await client.get(none.location!)).text)).toContain('请选择新负责人。');
  });

  it('is not offered to, nor accepted from, a sales rep', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: await createTeam(t.db) });
    const own = await createCustomer(t.db, { ownerId: rep.id });
    const client = await signedIn(t, rep);
    expect((await client.get('/customers')).text).not.toContain('form="bulk"');
    expect((await client.post('/customers/bulk', { action: 'release', ids: [String(own)] })).status).toBe(
      403,
    );
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [own]);
    expect(rows[0].owner_id).toBe(rep.id);
  });
});

describe('paging and sorting the list', () => {
  it('goes back a page with the previous link, and sorts by a column header keeping the filters', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: await createTeam(t.db) });
    for (let i = 0; i < 60; i++)
      await createCustomer(t.db, { ownerId: rep.id, name: `Paging ${String(i).padStart(2, '0')} Ltd` });
    const client = await signedIn(t, rep);
    const first = await client.get('/customers?owner=me&sort=name');
    const names = (html: string) => [...html.matchAll(/>(Paging \d\d Ltd)</g)].map((m) => m[1]);
    expect(names(first.text)[0]).toBe('Paging 00 Ltd');
    expect(first.text).not.toContain('rel="prev"');
    const second = await client.get(nextLink(first.text)!);
    const third = await client.get(nextLink(second.text)!);
    expect(names(third.text)[0]).toBe('Paging 50 Ltd');
    const prev = /href="([^"]+)" rel="prev"/.exec(third.text)![1];
    const back = await client.get(decodeHtml(prev));
    expect(names(back.text)).toEqual(names(second.text));
    const backAgain = await client.get(decodeHtml(/href="([^"]+)" rel="prev"/.exec(back.text)![1]));
    expect(names(backAgain.text)).toEqual(names(first.text));
    expect(backAgain.text).not.toContain('rel="prev"');
    // The "last interaction" header sorts by it and keeps the owner filter.
    const header = /<th[^>]*><a href="([^"]+)"[^>]*>Last interaction<\/a>/.exec(first.text)![1];
    expect(decodeHtml(header)).toBe('/customers?owner=me&sort=idle');
  });
});

describe('My day for a manager', () => {
  it('lists their reps’ overdue follow-ups by rep', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team });
    const rep = await createUser(t.db, { role: 'sales', teamId: team, name: '王五' });
    const outsider = await createUser(t.db, { role: 'sales', teamId: await createTeam(t.db) });
    const late = await createCustomer(t.db, { ownerId: rep.id, name: 'Team Overdue Ltd' });
    const fine = await createCustomer(t.db, { ownerId: rep.id, name: 'Team Later Ltd' });
    const foreign = await createCustomer(t.db, { ownerId: outsider.id, name: 'Other Team Overdue Ltd' });
    const insert = (customer: number, author: number, due: string) =>
      t.db.query(
        `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, next_action, next_follow_up_at, version)
         VALUES ($1, $2, 'phone', now() - interval '10 days', 'Called', 'Send the quote', now() + $3::interval, 1)`,
        [customer, author, due],
      );
    await insert(late, rep.id, '-3 days');
    await insert(fine, rep.id, '5 days');
    await insert(foreign, outsider.id, '-3 days');
    await settleNextSteps(t.db, [late, fine, foreign]);
    const page = visibleText((await (await signedIn(t, manager, 'zh-CN')).get('/')).text);
    expect(page).toContain('我的团队：逾期跟进');
    expect(page).toContain('王五');
    expect(page).toContain('Team Overdue Ltd');
    expect(page).not.toContain('Team Later Ltd');
    expect(page).not.toContain('Other Team Overdue Ltd');
    // A rep has no team view.
    expect(visibleText((await (await signedIn(t, rep)).get('/')).text)).not.toContain(
      'My team: overdue follow-ups',
    );
  });
});
