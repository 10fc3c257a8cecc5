import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, visibleText } from '../helpers/client.js';
import { createCustomer, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let rep: UserRow;

beforeAll(async () => {
  t = await startApp();
  rep = await createUser(t.db, { role: 'sales', name: '李明' });
});
afterAll(() => t.close());

/** The one-time token of the form on the page just read. */
async function formToken(c: Client, path: string): Promise<string> {
  const page = await c.get(path);
  const token = /name="_once" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error(`no one-time token on ${path}`);
  return token;
}

const countRows = async (sql: string, params: unknown[]) => (await t.db.query(sql, params)).rows.length;

describe('a form sent twice creates one record', () => {
  it('logs one follow-up when the same follow-up form is sent again, and leads to it with a message', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const fields = {
      _once: await formToken(c, `/follow-ups/new?customer=${customer}`),
      customerId: String(customer),
      method: 'phone',
      happenedAt: '2026-01-05T10:00',
      summary: 'Called about the renewal',
    };
    const first = await c.post('/follow-ups', fields);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/customers/${customer}`);
    expect(visibleText((await c.get(first.location!)).text)).toContain('Follow-up logged.');

    // Back, Save again: the same token.
    const again = await c.post('/follow-ups', fields);
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/customers/${customer}`);
    const page = visibleText((await c.get(again.location!)).text);
    expect(page).toContain('This form was sent before: here is what it saved.');
    expect(page).not.toContain('Follow-up logged.');
    expect(await countRows('SELECT id FROM follow_up WHERE customer_id = $1', [customer])).toBe(1);

    // A new form is a new follow-up.
    const next = await c.post('/follow-ups', {
      ...fields,
      _once: await formToken(c, `/follow-ups/new?customer=${customer}`),
    });
    expect(next.status).toBe(303);
    expect(await countRows('SELECT id FROM follow_up WHERE customer_id = $1', [customer])).toBe(2);
  });

  it('logs one follow-up when both sends arrive at once (a double tap)', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const fields = {
      _once: await formToken(c, `/follow-ups/new?customer=${customer}`),
      customerId: String(customer),
      method: 'visit',
      happenedAt: '2026-01-05T10:00',
      summary: 'Visited the plant',
    };
    const replies = await Promise.all([c.post('/follow-ups', fields), c.post('/follow-ups', fields)]);
    expect(replies.map((r) => [r.status, r.location])).toEqual([
      [303, `/customers/${customer}`],
      [303, `/customers/${customer}`],
    ]);
    expect(await countRows('SELECT id FROM follow_up WHERE customer_id = $1', [customer])).toBe(1);
  });

  it('creates one customer, landing the second send on the customer created the first time', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const fields = {
      ...customerForm({ name: '成都远达物流有限公司' }),
      _once: await formToken(c, '/customers/new'),
    };
    const first = await c.post('/customers/new', fields);
    expect(first.status).toBe(303);
    await c.get(first.location!);
    const again = await c.post('/customers/new', fields);
    expect(again.status).toBe(303);
    expect(again.location).toBe(first.location);
    expect(visibleText((await c.get(again.location!)).text)).toContain(
      '该表单之前已经提交过，这里是当时保存的内容。',
    );
    expect(await countRows(`SELECT id FROM customer WHERE name = '成都远达物流有限公司'`, [])).toBe(1);
  });

  it('adds one contact', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const fields = {
      name: '王芳',
      title: '采购经理',
      _once: await formToken(c, `/customers/${customer}/contacts/new`),
    };
    expect((await c.post(`/customers/${customer}/contacts/new`, fields)).status).toBe(303);
    const again = await c.post(`/customers/${customer}/contacts/new`, fields);
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/customers/${customer}`);
    expect(await countRows('SELECT id FROM contact WHERE customer_id = $1', [customer])).toBe(1);
  });

  it('still shows the form again when the first send was refused, and saves the corrected one', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const _once = await formToken(c, `/follow-ups/new?customer=${customer}`);
    const base = { _once, customerId: String(customer), method: 'phone', happenedAt: '2026-01-05T10:00' };
    expect((await c.post('/follow-ups', { ...base, summary: '' })).status).toBe(422);
    expect((await c.post('/follow-ups', { ...base, summary: 'Called back' })).status).toBe(303);
    expect(await countRows('SELECT id FROM follow_up WHERE customer_id = $1', [customer])).toBe(1);
  });
});
