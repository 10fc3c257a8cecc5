import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let rep: UserRow;

beforeAll(async () => {
  t = await startApp();
  rep = await createUser(t.db, { role: 'sales', name: '李明' });
});
afterAll(() => t.close());

const count = (text: string, part: string) => text.split(part).length - 1;

describe('what the customer and contact forms say', () => {
  it('says once that a USCC is taken', async () => {
    const uscc = '91110108772360001T';
    await createCustomer(t.db, { ownerId: rep.id, name: '北京华信科技有限公司', uscc });
    for (const lang of ['en', 'zh-CN'] as const) {
      const c = await signedIn(t, rep, lang);
      const reply = await c.submit('/customers/new', customerForm({ name: '远达物流有限公司', uscc }));
      expect(reply.status).toBe(422);
      const page = visibleText(reply.text);
      const taken =
        lang === 'en' ? 'This code belongs to 北京华信科技有限公司' : '该代码已属于 北京华信科技有限公司';
      expect(count(page, taken)).toBe(1);
    }
  });

  it('labels a customer with a similar name "similar name", and one with the same name "same name"', async () => {
    await createCustomer(t.db, { ownerId: rep.id, name: '杭州远达物流股份有限公司' });
    const c = await signedIn(t, rep);
    const similar = visibleText(
      (await c.submit('/customers/new', customerForm({ name: '杭州远达物流有限公司' }))).text,
    );
    expect(similar).toContain('Possible duplicates');
    expect(similar).toContain('similar name');
    expect(similar).not.toContain('same name');
    const same = visibleText(
      (await c.submit('/customers/new', customerForm({ name: '杭州远达物流股份有限公司' }))).text,
    );
    expect(same).toContain('same name');
    expect(same).not.toContain('similar name');

    const zh = await signedIn(t, rep, 'zh-CN');
    const similarZh = visibleText(
      (await zh.submit('/customers/new', customerForm({ name: '杭州远达物流有限公司' }))).text,
    );
    expect(similarZh).toContain('名称相似');
    expect(similarZh).not.toContain('名称相同');
  });

  it('refuses a second contact with the same mobile at one customer, beside the mobile field', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const first = await c.submit(`/customers/${customer}/contacts/new`, {
      name: '王芳',
      mobile: '13800001234',
    });
    expect(first.status).toBe(303);
    const second = await c.submit(`/customers/${customer}/contacts/new`, {
      name: '王芳 (2)',
      mobile: '+86 138 0000 1234',
    });
    expect(second.status).toBe(422);
    expect(second.text).toMatch(
      /id="e-mobile"[^>]*>\s*<p class="error">Another contact of this customer has this mobile already\./,
    );
    expect(second.text).toContain('value="王芳 (2)"');

    // Correcting another contact to that mobile is refused the same way; the contact keeping it is not.
    const other = await createContact(t.db, customer, '赵敏');
    const edit = await c.submit(`/customers/${customer}/contacts/${other}/edit`, {
      name: '赵敏',
      mobile: '13800001234',
      version: '1',
    });
    expect(edit.status).toBe(422);
    const { rows } = await t.db.query(
      'SELECT name FROM contact WHERE customer_id = $1 AND mobile = $2 ORDER BY id',
      [customer, '13800001234'],
    );
    expect(rows).toEqual([{ name: '王芳' }]);

    // Another customer may have a contact with that mobile (the duplicate check speaks of that).
    const elsewhere = await createCustomer(t.db, { ownerId: rep.id });
    const zh = await signedIn(t, rep, 'zh-CN');
    expect(
      (await zh.submit(`/customers/${elsewhere}/contacts/new`, { name: '王芳', mobile: '13800001234' }))
        .status,
    ).toBe(303);
    const refused = await zh.submit(`/customers/${elsewhere}/contacts/new`, {
      name: '王芳二',
      mobile: '13800001234',
    });
    expect(visibleText(refused.text)).toContain('该客户已有联系人使用这个手机号。');
  });
});

describe('the 360° timeline', () => {
  it('shows where a follow-up happened and says a next step was "followed up since then"', async () => {
    const customer = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    const log = (summary: string, location: string) =>
      c.submit(
        `/follow-ups/new?customer=${customer}`,
        {
          customerId: String(customer),
          method: 'visit',
          happenedAt: '2026-01-05T10:00',
          summary,
          nextAction: 'Send the quote',
          location,
        },
        '/follow-ups',
      );
    expect((await log('First visit', '成都市高新区天府大道 100 号')).status).toBe(303);
    await t.db.query(
      `UPDATE follow_up SET happened_at = happened_at - interval '1 day' WHERE summary = 'First visit'`,
    );
    expect((await log('Second visit', '30.57280, 104.06680 (±20 m)')).status).toBe(303);
    const page = visibleText((await c.get(`/customers/${customer}`)).text);
    expect(page).toContain('Where: 成都市高新区天府大道 100 号');
    expect(page).toContain('Where: 30.57280, 104.06680 (±20 m)');
    expect(page).toContain('followed up since then');

    const zh = visibleText((await (await signedIn(t, rep, 'zh-CN')).get(`/customers/${customer}`)).text);
    expect(zh).toContain('地点：成都市高新区天府大道 100 号');
  });
});
