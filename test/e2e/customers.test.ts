import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomersService } from '../../src/customers/customers.service.js';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { nextLink, visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let east: number;
let west: number;
let rep: UserRow;
let otherRep: UserRow;
let westRep: UserRow;
let manager: UserRow;
let service: UserRow;

beforeAll(async () => {
  t = await startApp();
  east = await createTeam(t.db);
  west = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: east, region: '北京市', name: 'Rep One' });
  otherRep = await createUser(t.db, { role: 'sales', teamId: east, name: 'Rep Two' });
  westRep = await createUser(t.db, { role: 'sales', teamId: west, name: 'Rep West' });
  manager = await createUser(t.db, { role: 'manager', teamId: east, name: 'East Manager' });
  service = await createUser(t.db, { role: 'service' });
});
afterAll(() => t.close());

/** The owner's field of a form page: the select with its errors, or the refusal where it would be. */
function ownerField(html: string): string {
  return (
    /<div class="field has-error">(?:(?!<div class="field)[\s\S])*?id="e-ownerId"[\s\S]*?<\/div>/.exec(
      html,
    )?.[0] ?? ''
  );
}

describe('creating a customer', () => {
  it('stores script and SQL as typed and shows them escaped', async () => {
    const c = await signedIn(t, rep);
    const name = `<script>alert(1)</script>'; DROP TABLE customer; --`;
    const reply = await c.submit('/customers/new', customerForm({ name }));
    expect(reply.status).toBe(303);
    const id = Number(/\/customers\/(\d+)$/.exec(reply.location!)![1]);
    const { rows } = await t.db.query('SELECT name, owner_id FROM customer WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ name, owner_id: rep.id });
    const page = await c.get(`/customers/${id}`);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(visibleText(page.text)).toContain(name);
    expect(visibleText(page.text)).toContain(`Customer ${name} created.`);
  });

  it('shows every field error in the user language and keeps what was typed', async () => {
    for (const [lang, message] of [
      ['en', 'Not a valid unified social credit code'],
      ['zh-CN', '统一社会信用代码无效'],
    ] as const) {
      const c = await signedIn(t, rep, lang);
      const reply = await c.submit(
        '/customers/new',
        customerForm({ name: '', uscc: '91110105ABCDEFGH12', website: 'not a url', address: '中山路 1 号' }),
      );
      expect(reply.status).toBe(422);
      const text = visibleText(reply.text);
      expect(text).toContain(message);
      expect(reply.text).toContain('value="中山路 1 号"');
      expect(reply.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);
    }
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM customer WHERE address = '中山路 1 号'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('accepts a valid USCC typed in lower case with spaces and refuses a second live customer with it', async () => {
    const c = await signedIn(t, rep);
    // A valid code: T is the GB 32100-2015 check character of the 17 before it.
    const uscc = '91110108772360001T';
    const typed = `${uscc.slice(0, 6)} ${uscc.slice(6, 12)} ${uscc.slice(12)}`.toLowerCase();
    const first = await c.submit(
      '/customers/new',
      customerForm({ name: '北京华信科技有限公司', uscc: typed }),
    );
    expect(first.status).toBe(303);
    const { rows } = await t.db.query(`SELECT uscc FROM customer WHERE name = '北京华信科技有限公司'`);
    expect(rows[0].uscc).toBe(uscc);
    const second = await c.submit('/customers/new', customerForm({ name: '华信科技（北京）有限公司', uscc }));
    expect(second.status).toBe(422);
    expect(visibleText(second.text)).toContain('This code belongs to 北京华信科技有限公司');
  });

  it('lets nobody in service create customers', async () => {
    const c = await signedIn(t, service);
    await c.get('/customers');
    const reply = await c.post('/customers/new', customerForm({ name: 'Service made Ltd' }));
    expect(reply.status).toBe(403);
  });
});

describe('who sees which customer', () => {
  it('gives a rep 404 for another rep’s customer, by page and by edit', async () => {
    const theirs = await createCustomer(t.db, { ownerId: otherRep.id, name: 'Not yours Ltd' });
    const c = await signedIn(t, rep);
    expect((await c.get(`/customers/${theirs}`)).status).toBe(404);
    expect((await c.get(`/customers/${theirs}/edit`)).status).toBe(404);
    await c.get('/customers');
    expect(
      (await c.post(`/customers/${theirs}/edit`, customerForm({ name: 'Taken over', version: '1' }))).status,
    ).toBe(404);
    expect((await c.post(`/customers/${theirs}/delete`)).status).toBe(404);
    const list = await c.get('/customers?q=Not%20yours');
    expect(visibleText(list.text)).not.toContain('Not yours Ltd');
    const { rows } = await t.db.query('SELECT name, deleted_at FROM customer WHERE id = $1', [theirs]);
    expect(rows[0]).toEqual({ name: 'Not yours Ltd', deleted_at: null });
  });

  // DESIGN: the public pool is every unowned customer, whatever its status and province.
  it('shows a rep every unowned customer, in their region and elsewhere', async () => {
    const here = await createCustomer(t.db, {
      ownerId: null,
      status: 'lead',
      province: '北京市',
      name: 'Pool lead Beijing',
    });
    const there = await createCustomer(t.db, {
      ownerId: null,
      status: 'lead',
      province: '上海市',
      name: 'Pool lead Shanghai',
    });
    const c = await signedIn(t, rep);
    expect((await c.get(`/customers/${here}`)).status).toBe(200);
    expect((await c.get(`/customers/${there}`)).status).toBe(200);
  });

  it('shows a manager their team’s customers only', async () => {
    const team = await createCustomer(t.db, { ownerId: otherRep.id, name: 'East account' });
    const other = await createCustomer(t.db, { ownerId: westRep.id, name: 'West account' });
    const c = await signedIn(t, manager);
    expect((await c.get(`/customers/${team}`)).status).toBe(200);
    expect((await c.get(`/customers/${other}`)).status).toBe(404);
    const list = visibleText((await c.get('/customers?q=account')).text);
    expect(list).toContain('East account');
    expect(list).not.toContain('West account');
  });

  it('lets service read every customer but change none', async () => {
    const id = await createCustomer(t.db, { ownerId: westRep.id, name: 'Read only Ltd' });
    const c = await signedIn(t, service);
    const page = await c.get(`/customers/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`/customers/${id}/edit`);
    expect(
      (await c.post(`/customers/${id}/edit`, customerForm({ name: 'Changed', version: '1' }))).status,
    ).toBe(403);
    const { rows } = await t.db.query('SELECT name FROM customer WHERE id = $1', [id]);
    expect(rows[0].name).toBe('Read only Ltd');
  });
});

describe('editing a customer', () => {
  it('saves an edit and records what changed', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Before Ltd' });
    const c = await signedIn(t, rep);
    const reply = await c.submit(
      `/customers/${id}/edit`,
      customerForm({ name: 'After Ltd', tier: 'A', vip: 'on', tags: '重点客户，expo', version: '1' }),
    );
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query('SELECT name, tier, vip, tags, version FROM customer WHERE id = $1', [
      id,
    ]);
    expect(rows[0]).toEqual({
      name: 'After Ltd',
      tier: 'A',
      vip: true,
      tags: ['重点客户', 'expo'],
      version: 2,
    });
    const audit = await t.db.query(
      `SELECT actor_id, diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'update'`,
      [String(id)],
    );
    expect(audit.rows[0].actor_id).toBe(rep.id);
    expect(audit.rows[0].diff.name).toEqual({ from: 'Before Ltd', to: 'After Ltd' });
    expect(audit.rows[0].diff.tier).toEqual({ from: 'C', to: 'A' });
  });

  it('gives a new customer to the manager who creates it unless they choose the pool', async () => {
    const c = await signedIn(t, manager);
    const form = await c.get('/customers/new');
    // The manager is chosen at first; the first choice of the list is the public pool.
    expect(form.text).toContain(`<option value="${manager.id}" selected>East Manager</option>`);
    expect(form.text).toMatch(
      /<select id="f-ownerId" name="ownerId">\s*<option value="">Public pool<\/option>/,
    );

    // Saved as the form comes: the manager's own.
    const kept = await c.post(
      '/customers/new',
      customerForm({ name: 'Manager Kept Ltd', ownerId: String(manager.id) }),
    );
    expect(kept.status).toBe(303);
    const mine = await t.db.query(`SELECT owner_id FROM customer WHERE name = 'Manager Kept Ltd'`);
    expect(mine.rows).toEqual([{ owner_id: manager.id }]);

    // Saved with the pool chosen: nobody's, and listed in the pool.
    await c.get('/customers/new');
    const pooled = await c.post('/customers/new', customerForm({ name: 'Manager Pooled Ltd', ownerId: '' }));
    expect(pooled.status).toBe(303);
    const id = Number(/\/customers\/(\d+)$/.exec(pooled.location!)![1]);
    const { rows } = await t.db.query('SELECT name, owner_id, owned_since FROM customer WHERE id = $1', [id]);
    expect(rows).toEqual([{ name: 'Manager Pooled Ltd', owner_id: null, owned_since: null }]);
    expect(visibleText((await c.get(pooled.location!)).text)).toContain('Owner: Public pool');
    const pool = visibleText((await c.get('/customers?owner=pool&q=Manager')).text);
    expect(pool).toContain('Manager Pooled Ltd');
    expect(pool).not.toContain('Manager Kept Ltd');
  });

  it('does not open the new-customer form for a service agent, who may not create customers', async () => {
    const reply = await (await signedIn(t, service)).get('/customers/new');
    expect(reply.status).toBe(403);
    expect(reply.text).not.toContain('name="name"');
  });

  it('rebuilds at start the keys of customers stored under an older rule', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO customer (kind, name, status, name_key, search_text, version)
       VALUES ('company', '衡远电气上海有限公司', 'lead', '衡远电气上海', '', 1) RETURNING id`,
    );
    await t.app.get(CustomersService).rebuildKeys();
    const stored = await t.db.query('SELECT name_key, search_text FROM customer WHERE id = $1', [rows[0].id]);
    expect(stored.rows[0].name_key).toBe('衡远电气');
    expect(stored.rows[0].search_text).toContain('hydqsh');
  });

  it('names the filters it cannot read when a list address was edited by hand', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await c.get('/customers?idle=abc&sort=bogus');
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toMatch(/页面地址中有无法识别的参数（(idle, sort|sort, idle)）/);
  });

  it('refuses a stale save with a clear message and keeps the typed values', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Shared Ltd' });
    const mine = await signedIn(t, rep, 'zh-CN');
    const page = await mine.get(`/customers/${id}/edit`);
    expect(page.text).toContain('name="version" value="1"');
    await t.db.query(
      `UPDATE customer SET name = 'Changed meanwhile', tier = 'B', version = version + 1 WHERE id = $1`,
      [id],
    );
    const reply = await mine.post(
      `/customers/${id}/edit`,
      customerForm({ name: 'My edit', address: '人民路 8 号', version: '1' }),
    );
    expect(reply.status).toBe(409);
    expect(visibleText(reply.text)).toContain('在您打开之后，其他人已保存了这条记录');
    // Under each field where the newer save differs, its value: the name they gave, no address.
    expect(visibleText(reply.text)).toContain('对方已保存为：Changed meanwhile');
    expect(visibleText(reply.text)).toContain('对方已保存为：—');
    expect(visibleText(reply.text)).toContain('对方已保存为：B 级');
    expect(reply.text).toContain('value="My edit"');
    expect(reply.text).toContain('value="人民路 8 号"');
    const { rows } = await t.db.query('SELECT name FROM customer WHERE id = $1', [id]);
    expect(rows[0].name).toBe('Changed meanwhile');

    // The refused form now carries the stored version: saving it again keeps the typed values.
    expect(reply.text).toContain('name="version" value="2"');
    const again = await mine.post(
      `/customers/${id}/edit`,
      customerForm({ name: 'My edit', address: '人民路 8 号', version: '2' }),
    );
    expect(again.status).toBe(303);
    const saved = await t.db.query('SELECT name, address, version FROM customer WHERE id = $1', [id]);
    expect(saved.rows[0]).toEqual({ name: 'My edit', address: '人民路 8 号', version: 3 });
  });

  it('refuses a save that was invalid first and then corrected after someone else saved', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Contested Ltd' });
    const mine = await signedIn(t, rep);
    await mine.get(`/customers/${id}/edit`);
    await t.db.query(`UPDATE customer SET name = 'Their save', version = version + 1 WHERE id = $1`, [id]);
    const invalid = await mine.post(`/customers/${id}/edit`, customerForm({ name: '', version: '1' }));
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('name="version" value="1"');
    const corrected = await mine.post(
      `/customers/${id}/edit`,
      customerForm({ name: 'My save', version: '1' }),
    );
    expect(corrected.status).toBe(409);
    const { rows } = await t.db.query('SELECT name FROM customer WHERE id = $1', [id]);
    expect(rows[0].name).toBe('Their save');
  });

  it('refuses an edit that does not say which version it was made on', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Versionless Ltd' });
    const c = await signedIn(t, rep);
    await c.get('/customers');
    expect((await c.post(`/customers/${id}/edit`, customerForm({ name: 'Blind write' }))).status).toBe(422);
  });

  it('shows on the Teams page who manages a team and its members, and gives that manager its customers', async () => {
    const admin = await createUser(t.db, { role: 'admin', name: 'Teams Admin' });
    const led = await createTeam(t.db, 'Harbour Sales');
    const unled = await createTeam(t.db, 'Inland Sales');
    await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, led]);
    const member = await createUser(t.db, { role: 'sales', teamId: led });
    await createUser(t.db, { role: 'service', teamId: led });
    // A member who left the company no longer counts.
    await createUser(t.db, { role: 'sales', teamId: led, active: false });
    await createUser(t.db, { role: 'sales', teamId: unled });

    const page = await (await signedIn(t, admin)).get('/admin/teams');
    expect(page.status).toBe(200);
    /** The visible text of the teams table's row that links to the team. */
    const row = (teamId: number) => {
      const tr = new RegExp(`<tr>\\s*<td[^>]*><a href="/admin/teams/${teamId}/edit">[\\s\\S]*?</tr>`).exec(
        page.text,
      );
      return tr ? visibleText(tr[0]) : null;
    };
    expect(row(led)).toBe('Harbour Sales East Manager 2');
    expect(row(unled)).toBe('Inland Sales 1');

    // The team's manager now sees the customers of its members.
    const id = await createCustomer(t.db, { ownerId: member.id, name: 'Managed team account' });
    const c = await signedIn(t, manager);
    expect((await c.get(`/customers/${id}`)).status).toBe(200);
  });

  it('lets a manager give a customer to a rep of the team, who is notified', async () => {
    // A rep of the team with nothing unread yet, so the bell counts this hand-over alone.
    const newcomer = await createUser(t.db, { role: 'sales', teamId: east, name: 'Rep Newcomer' });
    const before = await (await signedIn(t, newcomer)).get('/');
    expect(before.text).not.toContain('data-testid="unread"');
    const id = await createCustomer(t.db, { ownerId: null, name: 'Unassigned Ltd' });
    const c = await signedIn(t, manager);
    const reply = await c.submit(
      `/customers/${id}/edit`,
      customerForm({ name: 'Unassigned Ltd', ownerId: String(newcomer.id), version: '1' }),
    );
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT kind, params, link, read_at FROM notification WHERE user_id = $1`,
      [newcomer.id],
    );
    expect(rows).toEqual([
      {
        kind: 'customer_assigned',
        params: { name: 'Unassigned Ltd', by: 'East Manager' },
        link: `/customers/${id}`,
        read_at: null,
      },
    ]);
    const theirs = await signedIn(t, newcomer);
    const bell = await theirs.get('/');
    expect(bell.text).toContain('data-testid="unread">1</span>');
    expect(visibleText((await theirs.get('/notifications')).text)).toContain('Unassigned Ltd');
  });

  it('does not let a manager give a customer to another team, and says so on the owner field', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Stays East Ltd' });
    for (const [lang, message] of [
      ['zh-CN', '不是您可以选择的负责人。'],
      ['en', 'Not an owner you may choose.'],
    ] as const) {
      const c = await signedIn(t, manager, lang);
      const reply = await c.submit(
        `/customers/${id}/edit`,
        customerForm({
          name: 'Stays East Ltd',
          address: '东三环 9 号',
          ownerId: String(westRep.id),
          version: '1',
        }),
      );
      expect(reply.status).toBe(422);
      // The message sits beside the owner select, and what was typed elsewhere is kept.
      expect(visibleText(ownerField(reply.text))).toContain(message);
      expect(reply.text).toContain('value="东三环 9 号"');
    }
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = $1', [id]);
    expect(rows[0].owner_id).toBe(rep.id);
  });

  it('tells a rep, whose form offers no owner, why an owner sent by hand is refused', async () => {
    for (const [lang, message] of [
      ['zh-CN', '负责人 不是您可以选择的负责人。'],
      ['en', 'Owner Not an owner you may choose.'],
    ] as const) {
      const c = await signedIn(t, rep, lang);
      const reply = await c.submit(
        '/customers/new',
        customerForm({ name: 'Rep Crafted Owner Ltd', address: '中山路 8 号', ownerId: 'someone' }),
      );
      expect(reply.status).toBe(422);
      expect(reply.text).not.toContain('id="f-ownerId"');
      expect(visibleText(ownerField(reply.text))).toContain(message);
      expect(reply.text).toContain('value="中山路 8 号"');
    }
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM customer WHERE name = 'Rep Crafted Owner Ltd'`,
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('deleting', () => {
  it('moves a customer to the recycle bin: gone from pages, kept in the database', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Soon deleted Ltd' });
    await createContact(t.db, id, 'Stays with it');
    const c = await signedIn(t, rep);
    await c.get(`/customers/${id}`);
    const reply = await c.post(`/customers/${id}/delete`);
    expect(reply.status).toBe(303);
    // The browser's request for a missing icon, between the redirect and the list, leaves the message alone.
    expect((await c.get('/favicon.ico')).status).toBe(404);
    expect(visibleText((await c.get(reply.location!)).text)).toContain('Customer moved to the recycle bin.');
    expect((await c.get(`/customers/${id}`)).status).toBe(404);
    expect(visibleText((await c.get('/customers?q=Soon')).text)).not.toContain('Soon deleted Ltd');
    const { rows } = await t.db.query(
      'SELECT deleted_at IS NOT NULL AS deleted, (SELECT count(*)::int FROM contact WHERE customer_id = $1) AS contacts FROM customer WHERE id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ deleted: true, contacts: 1 });
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'delete'`,
      [String(id)],
    );
    expect(audit.rows).toEqual([{ diff: { name: { from: 'Soon deleted Ltd' } } }]);
  });

  it('restores a customer from the recycle bin for those who may edit it, unless its USCC was taken', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Deleted by mistake Ltd' });
    await createContact(t.db, id, 'Comes back too');
    const c = await signedIn(t, rep, 'zh-CN');
    await c.get(`/customers/${id}`);
    expect((await c.post(`/customers/${id}/delete`)).status).toBe(303);

    // Another rep neither sees it in their bin nor may restore it.
    const other = await signedIn(t, otherRep);
    expect(visibleText((await other.get('/customers/deleted')).text)).not.toContain('Deleted by mistake Ltd');
    expect((await other.post(`/customers/${id}/restore`)).status).toBe(404);

    const bin = visibleText((await c.get('/customers/deleted')).text);
    expect(bin).toContain('回收站');
    expect(bin).toContain('Deleted by mistake Ltd');
    const restored = await c.post(`/customers/${id}/restore`);
    expect(restored.location).toBe(`/customers/${id}`);
    const page = visibleText((await c.get(`/customers/${id}`)).text);
    expect(page).toContain('客户 Deleted by mistake Ltd 已恢复。');
    expect(page).toContain('Comes back too');
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'restore'`,
      [String(id)],
    );
    expect(audit.rows).toEqual([{ diff: { name: { to: 'Deleted by mistake Ltd' } } }]);

    // A code is one customer's: while another holds it, the deleted one stays in the bin.
    const code = '91110108MA01RTU00K';
    const gone = await createCustomer(t.db, { ownerId: rep.id, name: 'Old Code Ltd', uscc: code });
    await c.get(`/customers/${gone}`);
    expect((await c.post(`/customers/${gone}/delete`)).status).toBe(303);
    await createCustomer(t.db, { ownerId: otherRep.id, name: 'New Holder Ltd', uscc: code });
    const refused = await c.post(`/customers/${gone}/restore`);
    expect(refused.location).toBe('/customers/deleted');
    expect(visibleText((await c.get('/customers/deleted')).text)).toContain(
      '无法恢复 Old Code Ltd：其统一社会信用代码现属于 New Holder Ltd',
    );
    const { rows } = await t.db.query(
      'SELECT deleted_at IS NOT NULL AS deleted FROM customer WHERE id = $1',
      [gone],
    );
    expect(rows[0].deleted).toBe(true);
  });
});

describe('contacts', () => {
  it('normalises a Chinese mobile number and keeps one primary contact', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    expect(
      (
        await c.submit(`/customers/${id}/contacts/new`, {
          name: '王芳',
          mobile: '+86 138-1234-5678',
          phone: '010 12345678',
          primary: 'on',
        })
      ).status,
    ).toBe(303);
    expect(
      (
        await c.submit(`/customers/${id}/contacts/new`, {
          name: '李强',
          mobile: '0086 13912345678',
          primary: 'on',
        })
      ).status,
    ).toBe(303);
    const { rows } = await t.db.query(
      'SELECT name, mobile, phone, "primary" FROM contact WHERE customer_id = $1 ORDER BY id',
      [id],
    );
    expect(rows).toEqual([
      { name: '王芳', mobile: '13812345678', phone: '010-12345678', primary: false },
      { name: '李强', mobile: '13912345678', phone: null, primary: true },
    ]);
  });

  it('explains a bad mobile number and e-mail in the user language', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await c.submit(`/customers/${id}/contacts/new`, {
      name: '赵六',
      mobile: '12345',
      email: 'not-mail',
    });
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('请输入 11 位中国大陆手机号');
    expect(text).toContain('请输入有效的邮箱地址');
    expect(reply.text).toContain('value="12345"');
  });
});

describe('the customer list', () => {
  it('searches by name, contact and mobile, and pages through results', async () => {
    const owner = await createUser(t.db, { role: 'sales' });
    for (let i = 0; i < 30; i++)
      await createCustomer(t.db, { ownerId: owner.id, name: `深圳蓝海贸易 ${String(i).padStart(2, '0')}` });
    const withContact = await createCustomer(t.db, { ownerId: owner.id, name: 'Contact holder' });
    await t.db.query(
      `INSERT INTO contact (customer_id, name, mobile, version) VALUES ($1, '周杰', '13700001111', 1)`,
      [withContact],
    );
    const c = await signedIn(t, owner);
    const first = await c.get('/customers?q=%E8%93%9D%E6%B5%B7&sort=name');
    // A search counts no further than its page: more than a page of matches reads "25+".
    expect(first.text).toMatch(/<span class="count">25\+</);
    expect(visibleText(first.text)).toContain('深圳蓝海贸易 24');
    expect(visibleText(first.text)).not.toContain('深圳蓝海贸易 25');
    const next = nextLink(first.text)!;
    const secondPage = await c.get(next);
    expect(secondPage.text).toMatch(/<span class="count">25\+</);
    const second = visibleText(secondPage.text);
    expect(second).toContain('深圳蓝海贸易 25');
    expect(second).toContain('深圳蓝海贸易 29');
    expect(second).not.toContain('深圳蓝海贸易 24');
    const byMobile = await c.get('/customers?q=13700001111');
    expect(byMobile.text).toMatch(/<span class="count">1</);
    expect(visibleText(byMobile.text)).toContain('Contact holder');
    expect(visibleText((await c.get('/customers?q=%E5%91%A8%E6%9D%B0')).text)).toContain('Contact holder');
    // By the mobile's last digits (尾号), as reps ask; not by digits from its middle.
    const byTail = await c.get('/customers?q=1111');
    expect(byTail.text).toMatch(/<span class="count">1</);
    expect(visibleText(byTail.text)).toContain('Contact holder');
    expect((await c.get('/customers?q=0000')).text).toMatch(/<span class="count">0</);
    // Every word must match, whichever way: 深圳 蓝海 and "shenzhen lanhai 07" find the same.
    const words = await c.get(`/customers?q=${encodeURIComponent('深圳 蓝海 07')}`);
    expect(words.text).toMatch(/<span class="count">1</);
    expect(visibleText(words.text)).toContain('深圳蓝海贸易 07');
    expect((await c.get('/customers?q=shenzhen+lanhai')).text).toMatch(/<span class="count">25\+</);
    expect((await c.get('/customers?q=shenzhen+beijing')).text).toMatch(/<span class="count">0</);
    // Pinyin and initials from any character of the name, not only from its start.
    for (const q of ['maoyi', 'lhmy', 'hmy', 'haimao', '海贸'])
      expect((await c.get(`/customers?q=${encodeURIComponent(q)}`)).text, q).toMatch(
        /<span class="count">25\+</,
      );
    const none = await c.get('/customers?q=nothing-like-this');
    expect(none.text).toMatch(/<span class="count">0</);
    expect(visibleText(none.text)).toContain('No customer matches.');
  });
});
