import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { runAndWait, uploadAndCheck } from '../helpers/imports.js';

let t: TestApp;
let team: number;
let rep: UserRow;
let manager: UserRow;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: '李明' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: '陈静' });
});
afterAll(() => t.close());

const csv = (...lines: string[]) => Buffer.from(lines.join('\n'));

describe('an import that updates existing customers', () => {
  it('writes the file’s values into the stored customer, keeps what the file leaves empty, and adds the contact', async () => {
    const id = await createCustomer(t.db, {
      ownerId: rep.id,
      name: '温州瑞丰电子有限公司',
      province: '浙江省',
    });
    await t.db.query(`UPDATE customer SET website = 'https://ruifeng.example', tier = 'C' WHERE id = $1`, [
      id,
    ]);
    const c = await signedIn(t, rep, 'zh-CN');
    const importId = await uploadAndCheck(
      t.db,
      c,
      'update.csv',
      csv(
        '客户名称,客户级别,状态,城市,地址,官网,联系人,手机',
        '温州瑞丰电子有限公司,A 级,active,温州市,人民路 8 号,,周杰,13700002222',
      ),
    );
    const preview = visibleText((await c.get(`/customers/import/${importId}`)).text);
    expect(preview).toContain('温州瑞丰电子有限公司');
    expect(await runAndWait(t.db, c, importId, { duplicates: 'update' })).toBe('done');
    expect(visibleText((await c.get(`/customers/import/${importId}`)).text)).toContain(
      '新建 0 个，更新 1 个，未导入 0 行。',
    );
    const { rows } = await t.db.query(
      `SELECT tier, status, province, city, address, website, owner_id, version FROM customer WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({
      tier: 'A',
      status: 'active',
      province: '浙江省',
      city: '温州市',
      address: '人民路 8 号',
      website: 'https://ruifeng.example',
      owner_id: rep.id,
      version: 2,
    });
    const contacts = await t.db.query('SELECT name, mobile FROM contact WHERE customer_id = $1', [id]);
    expect(contacts.rows).toEqual([{ name: '周杰', mobile: '13700002222' }]);
    // Still one customer of that name, and the change is on its page and in the audit log.
    const { rows: same } = await t.db.query(
      `SELECT count(*)::int AS n FROM customer WHERE name = '温州瑞丰电子有限公司'`,
    );
    expect(same[0].n).toBe(1);
    const page = visibleText((await c.get(`/customers/${id}`)).text);
    expect(page).toContain('人民路 8 号');
    expect(page).toContain('周杰');
    const audit = await t.db.query(
      `SELECT actor_id, diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'update'`,
      [String(id)],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor_id).toBe(rep.id);
    expect(audit.rows[0].diff).toMatchObject({ tier: { to: 'A' }, address: { to: '人民路 8 号' } });
  });

  it('leaves the customer as it was when the user chose to skip it', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Skipped Update Ltd' });
    const c = await signedIn(t, rep);
    const importId = await uploadAndCheck(
      t.db,
      c,
      'skip.csv',
      csv('Name,Address', 'Skipped Update Ltd,New Road 1'),
    );
    expect(await runAndWait(t.db, c, importId, { duplicates: 'skip' })).toBe('done');
    const { rows } = await t.db.query('SELECT address, version FROM customer WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ address: null, version: 1 });
  });
});

describe('a manager importing with an owner column', () => {
  it('gives each customer the rep named by e-mail or name, the pool when none, and refuses a rep outside the team', async () => {
    const named = await createUser(t.db, { role: 'sales', teamId: team, name: '王芳' });
    const byEmail = await createUser(t.db, { role: 'sales', teamId: team, name: 'Mail Named' });
    const outsider = await createUser(t.db, {
      role: 'sales',
      teamId: await createTeam(t.db),
      name: '外队销售',
    });
    const c = await signedIn(t, manager, 'zh-CN');
    const importId = await uploadAndCheck(
      t.db,
      c,
      'owners.csv',
      csv(
        '客户名称,销售',
        '归属甲贸易有限公司,王芳',
        `归属乙科技有限公司,${byEmail.email.toUpperCase()}`,
        '归属丙物流有限公司,',
        `归属丁食品有限公司,${outsider.email}`,
      ),
    );
    const preview = visibleText((await c.get(`/customers/import/${importId}`)).text);
    expect(preview).toContain('没有可分配的用户使用此姓名或邮箱。');
    expect(await runAndWait(t.db, c, importId)).toBe('done');
    const { rows } = await t.db.query(
      `SELECT name, owner_id, owned_since IS NOT NULL AS dated FROM customer WHERE name LIKE '归属%' ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: '归属丙物流有限公司', owner_id: null, dated: false },
      { name: '归属乙科技有限公司', owner_id: byEmail.id, dated: true },
      { name: '归属甲贸易有限公司', owner_id: named.id, dated: true },
    ]);
    // The reps see their new customers in their own lists.
    const list = visibleText((await (await signedIn(t, named)).get('/customers?owner=me')).text);
    expect(list).toContain('归属甲贸易有限公司');
  });

  it('ignores the owner column in a rep’s import: the customers are the rep’s', async () => {
    const other = await createUser(t.db, { role: 'sales', teamId: team, name: 'Other Rep' });
    const c = await signedIn(t, rep);
    const importId = await uploadAndCheck(
      t.db,
      c,
      'mine.csv',
      csv('Name,Owner', `Rep Import Ltd,${other.email}`),
    );
    expect(await runAndWait(t.db, c, importId)).toBe('done');
    const { rows } = await t.db.query(`SELECT owner_id FROM customer WHERE name = 'Rep Import Ltd'`);
    expect(rows).toEqual([{ owner_id: rep.id }]);
  });
});

describe('an import and the webhooks', () => {
  it('tells an endpoint of each customer it created and each it updated, as the API returns them', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    await t.db.query(
      `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version, created_by_id)
       VALUES ('http://127.0.0.1:9/hooks', '{customer.created,customer.updated}', 'secret', true, true, 1, $1)`,
      [admin.id],
    );
    const existing = await createCustomer(t.db, { ownerId: rep.id, name: '嘉兴恒通纺织有限公司' });
    const c = await signedIn(t, rep, 'zh-CN');
    const importId = await uploadAndCheck(
      t.db,
      c,
      'hooks.csv',
      csv(
        '客户名称,城市,联系人,手机',
        '嘉兴恒通纺织有限公司,嘉兴市,,',
        '湖州安吉竹业有限公司,湖州市,沈丽,13900003333',
        '绍兴柯桥印染有限公司,绍兴市,,',
      ),
    );
    const since = (await t.db.query<{ now: Date }>('SELECT now()')).rows[0].now;
    expect(await runAndWait(t.db, c, importId, { duplicates: 'update' })).toBe('done');
    const { rows } = await t.db.query<{ type: string; data: Record<string, unknown>; deliveries: number }>(
      `SELECT e.type, e.data, (SELECT count(*)::int FROM webhook_delivery d WHERE d.event_id = e.id) AS deliveries
         FROM webhook_event e WHERE e.occurred_at >= $1 ORDER BY e.type, e.data->>'name'`,
      [since],
    );
    expect(rows.map((r) => [r.type, r.data.name, r.data.city, r.deliveries])).toEqual([
      ['customer.created', '湖州安吉竹业有限公司', '湖州市', 1],
      ['customer.created', '绍兴柯桥印染有限公司', '绍兴市', 1],
      ['customer.updated', '嘉兴恒通纺织有限公司', '嘉兴市', 1],
    ]);
    expect(rows[2].data.id).toBe(existing);
    expect(rows[0].data).toMatchObject({ ownerId: rep.id, ownerName: '李明' });
    expect(rows[0].data.contacts).toMatchObject([{ name: '沈丽', mobile: '13900003333' }]);
  });
});
