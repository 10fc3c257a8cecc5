import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let rep: UserRow;
let otherRep: UserRow;
let manager: UserRow;
let service: UserRow;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: '李明' });
  otherRep = await createUser(t.db, { role: 'sales', teamId: team, name: '张伟' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: '陈静' });
  service = await createUser(t.db, { role: 'service', name: '赵敏' });
});
afterAll(() => t.close());

const contactRow = async (id: number) =>
  (
    await t.db.query(
      `SELECT name, title, mobile, email, "primary", version, deleted_at IS NOT NULL AS deleted FROM contact WHERE id = $1`,
      [id],
    )
  ).rows[0];

describe('editing a contact', () => {
  it('saves the edit, normalising the mobile, and shows it on the customer page', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id, name: 'Contact Edit Ltd' });
    const id = await createContact(t.db, customer, '王芳');
    const c = await signedIn(t, rep);
    const form = await c.get(`/customers/${customer}/contacts/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="王芳"');
    expect(form.text).toContain('name="version" value="1"');
    const reply = await c.post(`/customers/${customer}/contacts/${id}/edit`, {
      name: '王芳',
      title: '采购经理',
      mobile: '+86 138-0000-1234',
      email: 'Wang.Fang@Example.CN',
      primary: 'on',
      version: '1',
    });
    expect(reply.status).toBe(303);
    expect(reply.location).toBe(`/customers/${customer}`);
    expect(await contactRow(id)).toEqual({
      name: '王芳',
      title: '采购经理',
      mobile: '13800001234',
      email: 'wang.fang@example.cn',
      primary: true,
      version: 2,
      deleted: false,
    });
    const page = visibleText((await c.get(reply.location!)).text);
    expect(page).toContain('Contact 王芳 saved.');
    expect(page).toContain('采购经理');
    expect(page).toContain('13800001234');
  });

  it('makes the edited contact the only primary one', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const first = await createContact(t.db, customer, 'First Primary');
    await t.db.query('UPDATE contact SET "primary" = true WHERE id = $1', [first]);
    const second = await createContact(t.db, customer, 'Second');
    const c = await signedIn(t, rep);
    const reply = await c.submit(`/customers/${customer}/contacts/${second}/edit`, {
      name: 'Second',
      primary: 'on',
      version: '1',
    });
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query(
      'SELECT name, "primary" FROM contact WHERE customer_id = $1 ORDER BY id',
      [customer],
    );
    expect(rows).toEqual([
      { name: 'First Primary', primary: false },
      { name: 'Second', primary: true },
    ]);
  });

  it('refuses the second of two edits made on the same version, keeping its input on the form', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id, name: 'Two Editors Ltd' });
    const id = await createContact(t.db, customer, '刘洋');
    // The rep and their manager open the same contact.
    const mine = await signedIn(t, rep, 'zh-CN');
    const theirs = await signedIn(t, manager);
    await mine.get(`/customers/${customer}/contacts/${id}/edit`);
    await theirs.get(`/customers/${customer}/contacts/${id}/edit`);
    const first = await theirs.post(`/customers/${customer}/contacts/${id}/edit`, {
      name: '刘洋',
      title: '总经理',
      version: '1',
    });
    expect(first.status).toBe(303);

    const second = await mine.post(`/customers/${customer}/contacts/${id}/edit`, {
      name: '刘洋（财务）',
      title: '财务总监',
      mobile: '13912345678',
      version: '1',
    });
    expect(second.status).toBe(409);
    const text = visibleText(second.text);
    expect(text).toContain('在您打开之后，其他人已保存了这条记录');
    expect(text).toContain('对方已保存为：总经理');
    expect(second.text).toContain('value="刘洋（财务）"');
    expect(second.text).toContain('value="财务总监"');
    expect(second.text).toContain('value="13912345678"');
    // The first save stands.
    expect(await contactRow(id)).toMatchObject({ name: '刘洋', title: '总经理', mobile: null, version: 2 });

    // The refused form now carries the stored version: sending it again is a deliberate save.
    expect(second.text).toContain('name="version" value="2"');
    const again = await mine.post(`/customers/${customer}/contacts/${id}/edit`, {
      name: '刘洋（财务）',
      title: '财务总监',
      mobile: '13912345678',
      version: '2',
    });
    expect(again.status).toBe(303);
    expect(await contactRow(id)).toMatchObject({ name: '刘洋（财务）', title: '财务总监', version: 3 });
  });

  it('refuses an edit without a version, and a contact of another customer', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const other = await createCustomer(t.db, { ownerId: rep.id });
    const id = await createContact(t.db, customer, 'Versioned');
    const elsewhere = await createContact(t.db, other, 'Elsewhere');
    const c = await signedIn(t, rep);
    await c.get(`/customers/${customer}/contacts/${id}/edit`);
    const blind = await c.post(`/customers/${customer}/contacts/${id}/edit`, { name: 'Blind write' });
    expect(blind.status).toBe(422);
    expect((await c.get(`/customers/${customer}/contacts/${elsewhere}/edit`)).status).toBe(404);
    expect(
      (await c.post(`/customers/${customer}/contacts/${elsewhere}/edit`, { name: 'Moved', version: '1' }))
        .status,
    ).toBe(404);
    expect((await contactRow(id)).name).toBe('Versioned');
    expect((await contactRow(elsewhere)).name).toBe('Elsewhere');
  });

  it('lets neither another rep nor a service agent change a contact', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const id = await createContact(t.db, customer, 'Protected');
    const other = await signedIn(t, otherRep);
    expect((await other.get(`/customers/${customer}/contacts/${id}/edit`)).status).toBe(404);
    expect(
      (await other.post(`/customers/${customer}/contacts/${id}/edit`, { name: 'Hijacked', version: '1' }))
        .status,
    ).toBe(404);
    expect((await other.post(`/customers/${customer}/contacts/${id}/delete`)).status).toBe(404);
    const agent = await signedIn(t, service);
    expect((await agent.get(`/customers/${customer}/contacts/${id}/edit`)).status).toBe(403);
    expect(
      (await agent.post(`/customers/${customer}/contacts/${id}/edit`, { name: 'Hijacked', version: '1' }))
        .status,
    ).toBe(403);
    expect((await agent.post(`/customers/${customer}/contacts/${id}/delete`)).status).toBe(403);
    expect(await contactRow(id)).toMatchObject({ name: 'Protected', version: 1, deleted: false });
  });
});

describe('removing a contact', () => {
  it('takes it off the customer page and out of search, keeping the row', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id, name: 'Contact Delete Ltd' });
    const kept = await createContact(t.db, customer, 'Stays Here');
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO contact (customer_id, name, mobile, version) VALUES ($1, 'Leaves Soon', '13655556666', 1) RETURNING id`,
      [customer],
    );
    const gone = rows[0].id;
    const c = await signedIn(t, rep, 'zh-CN');
    expect(visibleText((await c.get('/customers?q=13655556666')).text)).toContain('Contact Delete Ltd');
    await c.get(`/customers/${customer}`);
    const reply = await c.post(`/customers/${customer}/contacts/${gone}/delete`);
    expect(reply.status).toBe(303);
    expect(reply.location).toBe(`/customers/${customer}`);
    const page = visibleText((await c.get(reply.location!)).text);
    expect(page).toContain('已删除联系人。');
    expect(page).toContain('Stays Here');
    expect(page).not.toContain('Leaves Soon');
    expect(visibleText((await c.get('/customers?q=13655556666')).text)).not.toContain('Contact Delete Ltd');
    expect((await c.get(`/customers/${customer}/contacts/${gone}/edit`)).status).toBe(404);
    expect(await contactRow(gone)).toMatchObject({ name: 'Leaves Soon', deleted: true });
    expect(await contactRow(kept)).toMatchObject({ deleted: false });
    // Removing it twice finds nothing the second time.
    expect((await c.post(`/customers/${customer}/contacts/${gone}/delete`)).status).toBe(404);
  });
});

describe('searching by a contact', () => {
  const found = async (c: Awaited<ReturnType<typeof signedIn>>, q: string) =>
    visibleText((await c.get(`/customers?q=${encodeURIComponent(q)}`)).text).includes('Contact Search Ltd');

  it('finds the customer by what its contacts hold now, through adding, editing and removing them', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id, name: 'Contact Search Ltd' });
    const c = await signedIn(t, rep);
    const added = await c.submit(`/customers/${customer}/contacts/new`, {
      name: '欧阳娜娜',
      mobile: '13912342962',
      email: 'nana@ouyang.cn',
    });
    expect(added.status).toBe(303);
    for (const q of ['欧阳娜娜', '阳娜娜', '13912342962', '2962', '42962', 'Nana@Ouyang.CN'])
      expect(await found(c, q), q).toBe(true);
    // Not by digits from the middle of the mobile, nor by three characters the name does not hold in a row.
    for (const q of ['1234', '欧娜娜', '欧阳']) expect(await found(c, q), q).toBe(false);
    const [{ id }] = (
      await t.db.query<{ id: number }>('SELECT id FROM contact WHERE customer_id = $1', [customer])
    ).rows;
    const edited = await c.submit(`/customers/${customer}/contacts/${id}/edit`, {
      name: '李雷',
      mobile: '13700008198',
      version: '1',
    });
    expect(edited.status).toBe(303);
    for (const q of ['李雷', '8198', '13700008198']) expect(await found(c, q), q).toBe(true);
    for (const q of ['欧阳娜娜', '2962', 'nana@ouyang.cn']) expect(await found(c, q), q).toBe(false);
    expect((await c.post(`/customers/${customer}/contacts/${id}/delete`)).status).toBe(303);
    for (const q of ['李雷', '8198']) expect(await found(c, q), q).toBe(false);
    // The customer's own name still finds it.
    expect(await found(c, 'Contact Search')).toBe(true);
  });
});
