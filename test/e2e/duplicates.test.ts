import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let rep: UserRow;
let otherRep: UserRow;
let manager: UserRow;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: '李明' });
  otherRep = await createUser(t.db, { role: 'sales', teamId: team, name: '张伟' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: '陈静' });
});
afterAll(() => t.close());

const countNamed = async (name: string) =>
  (await t.db.query('SELECT count(*)::int AS n FROM customer WHERE name = $1', [name])).rows[0].n as number;

async function withContact(
  ownerId: number | null,
  name: string,
  contact: { mobile?: string; email?: string },
): Promise<number> {
  const id = await createCustomer(t.db, { ownerId, name });
  await t.db.query(
    `INSERT INTO contact (customer_id, name, mobile, email, version) VALUES ($1, '联系人', $2, $3, 1)`,
    [id, contact.mobile ?? null, contact.email ?? null],
  );
  return id;
}

describe('duplicates when creating', () => {
  it('stops a rep whose first contact’s e-mail belongs to another rep’s customer, in any case', async () => {
    await withContact(otherRep.id, 'Mailbox Owner Ltd', { email: 'buyer@mailbox.cn' });
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await c.submit(
      '/customers/new',
      customerForm({
        name: 'Totally Unrelated Name',
        contactName: '王五',
        contactEmail: 'Buyer@Mailbox.CN',
        confirmDuplicate: 'on',
      }),
    );
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('该客户已存在且归属其他销售');
    expect(text).toContain('Mailbox Owner Ltd · 负责人：张伟 联系方式相同');
    // Blocked: no box to tick to save anyway.
    expect(reply.text).not.toContain('name="confirmDuplicate"');
    expect(reply.text).toContain('value="Buyer@Mailbox.CN"');
    expect(await countNamed('Totally Unrelated Name')).toBe(0);
  });

  it('asks a manager to confirm a customer whose mobile another has, and then for a reason', async () => {
    await withContact(otherRep.id, 'Mobile Owner Ltd', { mobile: '13911112222' });
    const c = await signedIn(t, manager);
    const fields = customerForm({
      name: 'Different Name Trading',
      contactName: '赵六',
      contactMobile: '139-1111-2222',
    });
    const first = await c.submit('/customers/new', fields);
    expect(first.status).toBe(422);
    const text = visibleText(first.text);
    expect(text).toContain('Customers like this one exist.');
    expect(text).toContain('Mobile Owner Ltd · Owner: 张伟 same contact');
    expect(first.text).toContain('name="confirmDuplicate"');
    const unexplained = await c.post('/customers/new', { ...fields, confirmDuplicate: 'on' });
    expect(unexplained.status).toBe(422);
    expect(unexplained.text).toMatch(/id="f-duplicateReason"[^>]*aria-invalid="true"/);
    expect(await countNamed('Different Name Trading')).toBe(0);
    const saved = await c.post('/customers/new', {
      ...fields,
      confirmDuplicate: 'on',
      duplicateReason: 'The same buyer works for both',
    });
    expect(saved.status).toBe(303);
    expect(await countNamed('Different Name Trading')).toBe(1);
  });

  it('finds a similar name, not only the same one', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: 'Northwind Traders Ltd' });
    const c = await signedIn(t, rep);
    const reply = await c.submit('/customers/new', customerForm({ name: 'Northwind Trading Ltd' }));
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('This customer already exists and belongs to another rep.');
    expect(text).toContain('Northwind Traders Ltd · Owner: 张伟');
    expect(await countNamed('Northwind Trading Ltd')).toBe(0);
    // A name merely sharing a word is no duplicate.
    expect((await c.submit('/customers/new', customerForm({ name: 'Northwind Bakery' }))).status).toBe(303);
  });

  it('does not count a deleted customer as a duplicate', async () => {
    const gone = await withContact(otherRep.id, 'Deleted Mailbox Ltd', { email: 'old@deleted.cn' });
    await t.db.query('UPDATE customer SET deleted_at = now() WHERE id = $1', [gone]);
    const c = await signedIn(t, rep);
    const reply = await c.submit(
      '/customers/new',
      customerForm({ name: 'Deleted Mailbox Ltd', contactName: 'X', contactEmail: 'old@deleted.cn' }),
    );
    expect(reply.status).toBe(303);
  });
});

describe('duplicates when editing', () => {
  it('stops a rep renaming their customer into another rep’s, and changes nothing', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: '上海恒通物流有限公司' });
    const mine = await createCustomer(t.db, { ownerId: rep.id, name: 'Renamed Soon Ltd' });
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await c.submit(
      `/customers/${mine}/edit`,
      customerForm({ name: '恒通物流（上海）有限公司', version: '1', confirmDuplicate: 'on' }),
    );
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('该客户已存在且归属其他销售');
    expect(text).toContain('上海恒通物流有限公司 · 负责人：张伟');
    expect(reply.text).toContain('value="恒通物流（上海）有限公司"');
    const { rows } = await t.db.query('SELECT name, version FROM customer WHERE id = $1', [mine]);
    expect(rows[0]).toEqual({ name: 'Renamed Soon Ltd', version: 1 });
  });

  it('lets a rep rename into a look-alike of their own once they confirm', async () => {
    await createCustomer(t.db, { ownerId: rep.id, name: 'Northwind Freight Ltd' });
    const mine = await createCustomer(t.db, { ownerId: rep.id, name: 'Temporary Name Ltd' });
    const c = await signedIn(t, rep);
    const fields = customerForm({ name: 'Northwind Freight Co., Ltd.', version: '1' });
    const asked = await c.submit(`/customers/${mine}/edit`, fields);
    expect(asked.status).toBe(422);
    expect(visibleText(asked.text)).toContain('Customers like this one exist.');
    expect(visibleText(asked.text)).toContain('Northwind Freight Ltd · Owner: 李明 similar name');
    const saved = await c.post(`/customers/${mine}/edit`, { ...fields, confirmDuplicate: 'on' });
    expect(saved.status).toBe(303);
    const { rows } = await t.db.query('SELECT name FROM customer WHERE id = $1', [mine]);
    expect(rows[0].name).toBe('Northwind Freight Co., Ltd.');
  });

  it('asks a manager for a reason to rename into a similar name, and audits it', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: 'Harbor Freight Systems' });
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Old Harbor Name' });
    const c = await signedIn(t, manager);
    const fields = customerForm({ name: 'Harbor Freight System', version: '1', confirmDuplicate: 'on' });
    const noReason = await c.submit(`/customers/${id}/edit`, fields);
    expect(noReason.status).toBe(422);
    expect(visibleText(noReason.text)).toContain('Harbor Freight Systems · Owner: 张伟');
    expect(noReason.text).toMatch(/id="f-duplicateReason"[^>]*aria-invalid="true"/);
    const ok = await c.post(`/customers/${id}/edit`, { ...fields, duplicateReason: 'Their subsidiary' });
    expect(ok.status).toBe(303);
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'update'`,
      [String(id)],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].diff.name).toEqual({ from: 'Old Harbor Name', to: 'Harbor Freight System' });
    expect(audit.rows[0].diff.duplicateReason).toEqual({ to: 'Their subsidiary' });
  });

  it('does not ask again about an existing look-alike when the name is left as it is', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: 'Twin Peaks Trading Ltd' });
    const mine = await createCustomer(t.db, { ownerId: rep.id, name: 'Twin Peaks Trading Co., Ltd.' });
    const c = await signedIn(t, rep);
    const reply = await c.submit(
      `/customers/${mine}/edit`,
      customerForm({ name: 'Twin Peaks Trading Co., Ltd.', tier: 'A', version: '1' }),
    );
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query('SELECT tier FROM customer WHERE id = $1', [mine]);
    expect(rows[0].tier).toBe('A');
  });

  it('refuses a USCC another customer holds, naming it', async () => {
    await t.db.query(`UPDATE customer SET uscc = '91350100M000100Y43' WHERE id = $1`, [
      await createCustomer(t.db, { ownerId: otherRep.id, name: 'Code Keeper Ltd' }),
    ]);
    const mine = await createCustomer(t.db, { ownerId: rep.id, name: 'Code Seeker Ltd' });
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await c.submit(
      `/customers/${mine}/edit`,
      customerForm({ name: 'Code Seeker Ltd', uscc: '91350100M000100Y43', version: '1' }),
    );
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('Code Keeper Ltd');
    expect(reply.text).toMatch(/id="f-uscc"[^>]*aria-invalid="true"/);
    const { rows } = await t.db.query('SELECT uscc FROM customer WHERE id = $1', [mine]);
    expect(rows[0].uscc).toBeNull();
  });
});
