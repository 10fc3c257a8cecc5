import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../src/common/session-user.js';
import { CustomersService } from '../../src/customers/customers.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Who a service request comes from: CustomersService.findOrCreateRequester against the real database,
 * as the ticket intake (mail, portal, agents) calls it.
 */
let t: TestApp;
let customers: CustomersService;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  customers = t.app.get(CustomersService);
  admin = await createUser(t.db, { role: 'admin', name: 'Requester Admin' });
});
afterAll(() => t.close());

/** A contact with an e-mail and a mobile as the contact form stores them (mobile as 11 digits). */
async function contactAt(
  customerId: number,
  fields: { email?: string | null; mobile?: string | null; deleted?: boolean },
): Promise<number> {
  const id = await createContact(t.db, customerId, '王芳');
  await t.db.query(
    `UPDATE contact SET email = $2, mobile = $3, deleted_at = CASE WHEN $4 THEN now() END WHERE id = $1`,
    [id, fields.email ?? null, fields.mobile ?? null, fields.deleted ?? false],
  );
  return id;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.db.query<{ n: string }>(sql, params)).rows[0].n);

describe('CustomersService.findOrCreateRequester', () => {
  it('matches a contact by e-mail written in another case', async () => {
    const customer = await createCustomer(t.db, { name: '华信科技有限公司' });
    const contact = await contactAt(customer, { email: 'wangfang@huaxin-tech.cn' });
    const before = await count('SELECT count(*) AS n FROM customer');
    expect(
      await customers.findOrCreateRequester(
        { name: 'Wang Fang', email: 'WangFang@Huaxin-Tech.CN', locale: 'zh-CN' },
        'system',
      ),
    ).toEqual({ customerId: customer, contactId: contact, matched: true });
    expect(await count('SELECT count(*) AS n FROM customer')).toBe(before);
  });

  it('matches a contact by a mobile written with +86 and spaces', async () => {
    const customer = await createCustomer(t.db, { name: '远景贸易有限公司' });
    const contact = await contactAt(customer, { mobile: '13911112222' });
    expect(
      await customers.findOrCreateRequester(
        { name: '李娜', mobile: '+86 139 1111 2222', locale: 'zh-CN' },
        'system',
      ),
    ).toEqual({ customerId: customer, contactId: contact, matched: true });
  });

  it("prefers an active customer's contact to a lead's with the same e-mail", async () => {
    const lead = await createCustomer(t.db, { name: '云杉网络（旧）', status: 'lead' });
    await contactAt(lead, { email: 'chenjie_hz@163.com' });
    const active = await createCustomer(t.db, { name: '杭州云杉网络科技有限公司', status: 'active' });
    const contact = await contactAt(active, { email: 'chenjie_hz@163.com' });
    expect(
      await customers.findOrCreateRequester(
        { name: '陈杰', email: 'chenjie_hz@163.com', locale: 'zh-CN' },
        'system',
      ),
    ).toEqual({ customerId: active, contactId: contact, matched: true });
  });

  it('does not match deleted contacts, nor contacts of customers in the recycle bin', async () => {
    const customer = await createCustomer(t.db, { name: '金源食品有限公司' });
    await contactAt(customer, { email: 'zhaomin@jinyuan-food.cn', mobile: '13700001111', deleted: true });
    const binned = await createCustomer(t.db, { name: '金源食品（已删除）' });
    await contactAt(binned, { email: 'zhaomin@jinyuan-food.cn' });
    await t.db.query('UPDATE customer SET deleted_at = now() WHERE id = $1', [binned]);

    const r = await customers.findOrCreateRequester(
      {
        name: '赵敏',
        // Another company's name: the one of the deleted contact would take them in by name alone.
        company: '赵敏食品商行',
        email: 'zhaomin@jinyuan-food.cn',
        mobile: '137 0000 1111',
        locale: 'zh-CN',
      },
      'system',
    );
    expect(r.matched).toBe(false);
    expect(r.customerId).not.toBe(customer);
    expect(r.customerId).not.toBe(binned);
  });

  it('adds someone new who names a company Kehu knows to it, unless two customers have that name', async () => {
    const known = await createCustomer(t.db, { name: '宁波港通物流有限公司' });
    const r = await customers.findOrCreateRequester(
      { name: '吴涛', company: '宁波港通物流有限公司', email: 'wutao@gangtong.cn', locale: 'zh-CN' },
      'system',
    );
    expect(r).toMatchObject({ customerId: known, matched: false });
    const { rows: contact } = await t.db.query(
      'SELECT customer_id, name, email, "primary" FROM contact WHERE id = $1',
      [r.contactId],
    );
    expect(contact).toEqual([
      { customer_id: known, name: '吴涛', email: 'wutao@gangtong.cn', primary: false },
    ]);
    const { rows: audit } = await t.db.query(
      `SELECT action, diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1`,
      [String(known)],
    );
    expect(audit).toEqual([
      { action: 'contact_from_request', diff: { contacts: { to: '吴涛 wutao@gangtong.cn' } } },
    ]);

    // Two customers of that name: which one is unknown, so a lead of its own waits for an agent.
    await createCustomer(t.db, { name: '温州华丰电器有限公司' });
    await createCustomer(t.db, { name: '温州华丰电器有限公司' });
    const twice = await customers.findOrCreateRequester(
      { name: '林峰', company: '温州华丰电器有限公司', mobile: '13900002222', locale: 'zh-CN' },
      'system',
    );
    const { rows: lead } = await t.db.query('SELECT status, owner_id FROM customer WHERE id = $1', [
      twice.customerId,
    ]);
    expect(lead).toEqual([{ status: 'lead', owner_id: null }]);
  });

  it('makes an unknown sender a lead in the pool with them as its contact, audited as from a service request', async () => {
    const r = await customers.findOrCreateRequester(
      {
        name: '周杰',
        company: '  星河物流有限公司 ',
        email: 'ZhouJie@Xinghe-Logistics.cn',
        mobile: '+86 135-0000-9999',
        locale: 'zh-CN',
      },
      'system',
    );
    expect(r.matched).toBe(false);
    const { rows: made } = await t.db.query(
      `SELECT c.kind, c.name, c.status, c.owner_id, c.name_key <> '' AS keyed, k.id AS contact_id, k.name AS contact,
              k.email, k.mobile, k.primary
         FROM customer c JOIN contact k ON k.customer_id = c.id WHERE c.id = $1`,
      [r.customerId],
    );
    expect(made).toEqual([
      {
        kind: 'company',
        name: '星河物流有限公司',
        status: 'lead',
        owner_id: null,
        keyed: true,
        contact_id: r.contactId,
        contact: '周杰',
        email: 'zhoujie@xinghe-logistics.cn',
        mobile: '13500009999',
        primary: true,
      },
    ]);
    const { rows: audit } = await t.db.query(
      `SELECT actor_id, action, diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1`,
      [String(r.customerId)],
    );
    expect(audit).toEqual([
      {
        actor_id: null,
        action: 'create_from_request',
        diff: {
          kind: { to: 'company' },
          name: { to: '星河物流有限公司' },
          status: { to: 'lead' },
          tier: { to: 'C' },
          contacts: { to: '周杰 zhoujie@xinghe-logistics.cn 13500009999' },
        },
      },
    ]);

    // The same person writing again is now known: no second lead.
    expect(
      await customers.findOrCreateRequester(
        { name: '周杰', mobile: '13500009999', locale: 'zh-CN' },
        'system',
      ),
    ).toEqual({ ...r, matched: true });

    for (const [lang, label] of [
      ['en', 'Created from a service request'],
      ['zh-CN', '由服务请求创建'],
    ] as const) {
      const c = await signedIn(t, admin, lang);
      const page = visibleText((await c.get(`/audit?entity=customer&entityId=${r.customerId}`)).text);
      expect(page).toContain(label);
    }
  });

  it('makes a person customer of someone who named no company, recording the agent who logged the call', async () => {
    const agent = await createUser(t.db, { role: 'service', name: '客服小刘' });
    const user = { id: agent.id, email: agent.email } as SessionUser;
    const r = await customers.findOrCreateRequester(
      { name: '孙丽', mobile: '186 0000 7777', locale: 'zh-CN' },
      user,
    );
    const { rows } = await t.db.query(
      `SELECT c.kind, c.name, c.owner_id, a.actor_id FROM customer c
         JOIN audit_entry a ON a.entity = 'customer' AND a.entity_id = c.id::text WHERE c.id = $1`,
      [r.customerId],
    );
    expect(rows).toEqual([{ kind: 'person', name: '孙丽', owner_id: null, actor_id: agent.id }]);
  });

  it('makes one lead of the same unknown sender writing several times at once', async () => {
    // Warm the connection pool first, so the calls below really run side by side.
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        customers.findOrCreateRequester(
          { name: `预热${n}`, email: `warm${n}@example.cn`, locale: 'en' },
          'system',
        ),
      ),
    );
    const input = { name: '吴敏', email: 'wumin@example.cn', locale: 'zh-CN' as const };
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => customers.findOrCreateRequester(input, 'system')),
    );
    expect(results.filter((r) => !r.matched)).toHaveLength(1);
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM contact WHERE email = 'wumin@example.cn'`)).toBe(1);
  });
});
