import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import {
  createContact,
  createCustomer,
  createTeam,
  createUser,
  settleNextSteps,
  type UserRow,
} from '../helpers/factories.js';
import { createSurvey, createTicket } from '../helpers/tickets.js';

let t: TestApp;
let team: number;
let rep: UserRow;
let otherRep: UserRow;
let manager: UserRow;
let service: UserRow;

beforeAll(async () => {
  t = await startApp();
  team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: '李明', region: '北京市' });
  otherRep = await createUser(t.db, { role: 'sales', teamId: team, name: '张伟' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: '陈静' });
  service = await createUser(t.db, { role: 'service', name: '赵敏' });
});
afterAll(() => t.close());

const listed = async (c: Client, query: string) => visibleText((await c.get(`/customers?${query}`)).text);

describe('finding customers', () => {
  it('finds a Chinese name by full pinyin and by initials, and by a contact’s mobile', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: '北京华信科技有限公司' });
    await t.db.query(
      `INSERT INTO contact (customer_id, name, mobile, version) VALUES ($1, '王芳', '13811112222', 1)`,
      [id],
    );
    const c = await signedIn(t, rep);
    for (const q of ['bjhx', 'beijinghuaxin', 'BJHX', '华信', '138 1111 2222']) {
      expect(await listed(c, `q=${encodeURIComponent(q)}`)).toContain('北京华信科技有限公司');
    }
    expect(await listed(c, 'q=shhx')).not.toContain('北京华信科技有限公司');
  });

  it('filters by tier, VIP and days without interaction, keeping the filters in the URL', async () => {
    const owner = await createUser(t.db, { role: 'sales' });
    const old = await createCustomer(t.db, {
      ownerId: owner.id,
      name: 'Dormant Ltd',
      lastInteractionAt: new Date(Date.now() - 60 * 86_400_000),
    });
    await createCustomer(t.db, { ownerId: owner.id, name: 'Recent Ltd', lastInteractionAt: new Date() });
    await t.db.query(`UPDATE customer SET tier = 'A', vip = true WHERE id = $1`, [old]);
    const c = await signedIn(t, owner);
    const idle = await listed(c, 'idle=30');
    expect(idle).toContain('Dormant Ltd');
    expect(idle).not.toContain('Recent Ltd');
    const vip = await listed(c, 'vip=1&tier=A');
    expect(vip).toContain('Dormant Ltd');
    expect(vip).not.toContain('Recent Ltd');
    const page = await c.get('/customers?idle=30&tier=A');
    expect(page.text).toMatch(/name="idle"[^>]*value="30"/);
  });

  it('answers a bad filter with a clear error in the user language, not a crash', async () => {
    for (const [lang, message] of [
      ['en', "This page's address holds values Kehu cannot read (tier)."],
      ['zh-CN', '页面地址中有无法识别的参数（tier）。'],
    ] as const) {
      const c = await signedIn(t, rep, lang);
      const bad = await c.get('/customers?tier=Z');
      expect(bad.status).toBe(422);
      expect(visibleText(bad.text)).toContain(message);
    }
    // A repeated parameter is ignored rather than crashing the page: the list is shown.
    const c = await signedIn(t, rep);
    const repeated = await c.get('/customers?q=a&q=b');
    expect(repeated.status).toBe(200);
    expect(repeated.text).toMatch(/<span class="count">\d+</);
  });
});

describe('duplicate customers', () => {
  it('stops a rep from creating a copy of another rep’s customer, whatever its spelling', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: '上海蓝海贸易有限公司' });
    const c = await signedIn(t, rep, 'zh-CN');
    const reply = await c.submit(
      '/customers/new',
      customerForm({ name: '蓝海贸易（上海）股份有限公司', confirmDuplicate: 'on' }),
    );
    expect(reply.status).toBe(422);
    const text = visibleText(reply.text);
    expect(text).toContain('该客户已存在且归属其他销售');
    expect(text).toContain('上海蓝海贸易有限公司');
    expect(text).toContain('张伟');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM customer WHERE name LIKE '%蓝海贸易%'`);
    expect(rows[0].n).toBe(1);
  });

  it('finds a duplicate by the first contact’s mobile too', async () => {
    const other = await createCustomer(t.db, { ownerId: otherRep.id, name: 'Mobile Holder Ltd' });
    await t.db.query(
      `INSERT INTO contact (customer_id, name, mobile, version) VALUES ($1, '周杰', '13900001111', 1)`,
      [other],
    );
    const c = await signedIn(t, rep);
    const reply = await c.submit(
      '/customers/new',
      customerForm({
        name: 'Completely Different Name',
        contactName: '周杰',
        contactMobile: '+86 139 0000 1111',
      }),
    );
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('Mobile Holder Ltd');
  });

  it('finds the same company with its place in brackets or written after the name', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: '衡远科技（北京）有限公司' });
    const c = await signedIn(t, rep);
    const reply = await c.submit('/customers/new', customerForm({ name: '衡远科技北京有限公司' }));
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('衡远科技（北京）有限公司');
    const { rows } = await t.db.query(`SELECT 1 FROM customer WHERE name = '衡远科技北京有限公司'`);
    expect(rows).toHaveLength(0);
  });

  it('lets a rep save a look-alike of their own or a pool customer once they confirm', async () => {
    await createCustomer(t.db, { ownerId: rep.id, name: '杭州启明电子有限公司' });
    const c = await signedIn(t, rep);
    const first = await c.submit(
      '/customers/new',
      customerForm({ name: '启明电子（杭州）有限公司', contactName: '孙丽', contactMobile: '13600002222' }),
    );
    expect(first.status).toBe(422);
    expect(first.text).toContain('name="confirmDuplicate"');
    expect(first.text).toContain('value="孙丽"');
    const second = await c.post(
      '/customers/new',
      customerForm({
        name: '启明电子（杭州）有限公司',
        contactName: '孙丽',
        contactMobile: '13600002222',
        confirmDuplicate: 'on',
      }),
    );
    expect(second.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT c.owner_id, ct.name, ct.mobile, ct."primary" FROM customer c JOIN contact ct ON ct.customer_id = c.id WHERE c.name = '启明电子（杭州）有限公司'`,
    );
    expect(rows).toEqual([{ owner_id: rep.id, name: '孙丽', mobile: '13600002222', primary: true }]);
  });

  it('lets a manager save a duplicate only with a reason, which is audited', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: '成都天成物流有限公司' });
    const c = await signedIn(t, manager);
    const noReason = await c.submit(
      '/customers/new',
      customerForm({ name: '天成物流（成都）有限公司', confirmDuplicate: 'on' }),
    );
    expect(noReason.status).toBe(422);
    expect(noReason.text).toMatch(/id="f-duplicateReason"[^>]*aria-invalid="true"/);
    // The box the manager ticked stays ticked; only the reason is missing.
    expect(noReason.text).toContain('name="confirmDuplicate" value="on" checked');
    const ok = await c.post(
      '/customers/new',
      customerForm({
        name: '天成物流（成都）有限公司',
        confirmDuplicate: 'on',
        duplicateReason: 'Separate branch, separate contract',
      }),
    );
    expect(ok.status).toBe(303);
    const id = Number(ok.location!.split('/').pop());
    const audit = await t.db.query(
      `SELECT diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'create'`,
      [String(id)],
    );
    expect(audit.rows[0].diff.duplicateReason).toEqual({ to: 'Separate branch, separate contract' });
  });
});

describe('follow-ups', () => {
  it('logs a visit: the timeline shows it with its promise and the last interaction moves', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Visited Ltd' });
    const contact = await createContact(t.db, id, '王经理');
    await createContact(t.db, id, '赵助理');
    await t.db.query('UPDATE contact SET "primary" = true WHERE id = $1', [contact]);
    const c = await signedIn(t, rep, 'zh-CN');
    // The primary contact is the one chosen at first.
    const form = await c.get(`/follow-ups/new?customer=${id}`);
    expect(form.text).toContain(`<option value="${contact}" selected>王经理</option>`);
    const reply = await c.submit(
      `/follow-ups/new?customer=${id}`,
      {
        customerId: String(id),
        contactId: String(contact),
        method: 'visit',
        happenedAt: '2026-01-15T10:30',
        summary: '演示了新版本，客户很感兴趣。',
        promises: '下单后两周内完成培训。',
        nextAction: '发送正式报价',
        nextFollowUpAt: '2099-01-20T09:00',
        location: '客户办公室',
      },
      '/follow-ups',
    );
    expect(reply.status).toBe(303);
    expect(reply.location).toBe(`/customers/${id}`);
    const { rows } = await t.db.query(`SELECT last_interaction_at FROM customer WHERE id = $1`, [id]);
    // 10:30 in Asia/Shanghai is 02:30 UTC.
    expect(rows[0].last_interaction_at.toISOString()).toBe('2026-01-15T02:30:00.000Z');
    const page = visibleText((await c.get(`/customers/${id}`)).text);
    expect(page).toContain('2026-01-15 10:30 · 拜访 · 李明 → 王经理');
    expect(page).toContain('演示了新版本，客户很感兴趣。');
    expect(page).toContain('下单后两周内完成培训。');

    const serviceView = visibleText(
      (await (await signedIn(t, service, 'zh-CN')).get(`/customers/${id}`)).text,
    );
    expect(serviceView).toContain('已做出的承诺');
    expect(serviceView).toContain('下单后两周内完成培训。');
  });

  it('lists the timeline newest first, without deleted follow-ups or the names of removed contacts', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id, name: 'Timeline Ltd' });
    const kept = await createContact(t.db, id, '钱经理');
    const removed = await createContact(t.db, id, '孙经理');
    await t.db.query('UPDATE contact SET deleted_at = now() WHERE id = $1', [removed]);
    await t.db.query(
      `INSERT INTO follow_up (customer_id, contact_id, author_id, method, happened_at, summary, deleted_at, version) VALUES
         ($1, $2, $4, 'phone', '2026-01-10T02:00Z', 'First call', NULL, 1),
         ($1, $3, $4, 'visit', '2026-01-12T02:00Z', 'Second visit', NULL, 1),
         ($1, $2, $4, 'email', '2026-01-11T02:00Z', 'Withdrawn mail', now(), 1)`,
      [id, kept, removed, otherRep.id],
    );
    const page = visibleText((await (await signedIn(t, rep)).get(`/customers/${id}`)).text);
    expect(page).toContain('2026-01-10 10:00 · Call · 张伟 → 钱经理 First call');
    expect(page).toMatch(/2026-01-12 10:00 · Visit · 张伟 Second visit[\s\S]*First call/);
    expect(page).not.toContain('孙经理');
    expect(page).not.toContain('Withdrawn mail');

    // Only the newest follow-up's next step is still open; an older one shows as followed up.
    await t.db.query(
      `UPDATE follow_up SET next_action = summary || ' next', next_follow_up_at = happened_at + interval '1 day'
        WHERE customer_id = $1`,
      [id],
    );
    const steps = visibleText((await (await signedIn(t, rep)).get(`/customers/${id}`)).text);
    expect(steps).toContain('Next: Second visit next (2026-01-13) 2026-01-10');
    expect(steps).toContain('Next: First call next (2026-01-11) · followed up since');
  });

  it('refuses a follow-up in the future, a contact of another customer, and one by service', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id });
    const elsewhere = await createContact(t.db, await createCustomer(t.db, { ownerId: rep.id }));
    const c = await signedIn(t, rep);
    const base = {
      customerId: String(id),
      method: 'phone',
      happenedAt: '2026-01-15T10:30',
      summary: 'Called.',
    };
    const future = await c.submit(
      `/follow-ups/new?customer=${id}`,
      { ...base, happenedAt: '2099-01-01T10:00' },
      '/follow-ups',
    );
    expect(future.status).toBe(422);
    expect(visibleText(future.text)).toContain('A follow-up cannot happen in the future.');
    const pastNext = await c.post('/follow-ups', {
      ...base,
      nextAction: 'Call back',
      nextFollowUpAt: '2026-01-16T10:00',
    });
    expect(pastNext.status).toBe(422);
    expect(visibleText(pastNext.text)).toContain('The next follow-up cannot be in the past.');
    const wrongContact = await c.post('/follow-ups', { ...base, contactId: String(elsewhere) });
    expect(wrongContact.status).toBe(422);
    const s = await signedIn(t, service);
    await s.get('/');
    expect((await s.post('/follow-ups', base)).status).toBe(403);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM follow_up WHERE customer_id = $1`, [
      id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('does not let a rep log on another rep’s customer', async () => {
    const id = await createCustomer(t.db, { ownerId: otherRep.id });
    const c = await signedIn(t, rep);
    await c.get('/');
    const reply = await c.post('/follow-ups', {
      customerId: String(id),
      method: 'phone',
      happenedAt: '2026-01-15T10:30',
      summary: 'x',
    });
    expect(reply.status).toBe(404);
  });

  it('shows due follow-ups on my day, with one tap to log the next one', async () => {
    const owner = await createUser(t.db, { role: 'sales', name: 'Due Rep' });
    const overdue = await createCustomer(t.db, { ownerId: owner.id, name: 'Overdue Ltd' });
    const today = await createCustomer(t.db, { ownerId: owner.id, name: 'Today Ltd' });
    await t.db.query(
      `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, next_action, next_follow_up_at, version) VALUES
       ($1, $3, 'phone', now() - interval '10 days', 'a', 'Send quote', now() - interval '3 days', 1),
       ($2, $3, 'phone', now() - interval '1 day', 'b', 'Call back', now(), 1)`,
      [overdue, today, owner.id],
    );
    await settleNextSteps(t.db, [overdue, today]);
    const c = await signedIn(t, owner);
    const home = await c.get('/');
    const text = visibleText(home.text);
    expect(text).toMatch(/Overdue 1 .*Overdue Ltd.*Send quote/);
    expect(text).toMatch(/Due today 1 .*Today Ltd.*Call back/);
    expect(home.text).toContain(`/follow-ups/new?customer=${overdue}&amp;returnTo=%2F`);
  });
});

describe('the customer form', () => {
  it('offers the cities of the chosen province, with and without JavaScript', async () => {
    const c = await signedIn(t, rep);
    const json = JSON.parse(
      (
        await c.get(
          '/customers/regions?province=%E5%B9%BF%E4%B8%9C%E7%9C%81&city=%E6%B7%B1%E5%9C%B3%E5%B8%82',
        )
      ).text,
    );
    expect(json.cities).toContain('深圳市');
    expect(json.districts).toContain('南山区');
    const refreshed = await c.submit(
      '/customers/new',
      customerForm({ name: 'Refresh Ltd', province: '广东省', _refresh: '1' }),
    );
    expect(refreshed.status).toBe(200);
    // The page comes back with Guangdong chosen, its cities listed (and no other province's), the
    // name typed so far kept.
    expect(refreshed.text).toContain('<option selected>广东省</option>');
    const cities = /<select id="f-city"[^>]*>([\s\S]*?)<\/select>/.exec(refreshed.text)![1];
    expect(cities).toContain('<option >深圳市</option>');
    expect(cities).toContain('<option >广州市</option>');
    expect(cities).not.toContain('杭州市');
    expect(refreshed.text).toContain('value="Refresh Ltd"');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM customer WHERE name = 'Refresh Ltd'`);
    expect(rows[0].n).toBe(0);
  });

  it('does not open the edit form for someone who cannot save it', async () => {
    const id = await createCustomer(t.db, { ownerId: rep.id });
    const s = await signedIn(t, service);
    expect((await s.get(`/customers/${id}/edit`)).status).toBe(403);
  });

  it('keeps the current owner when a manager edits a customer of a deactivated rep', async () => {
    const gone = await createUser(t.db, { role: 'sales', teamId: team, active: false, name: 'Left Company' });
    const id = await createCustomer(t.db, { ownerId: gone.id, name: 'Inherited Ltd' });
    const c = await signedIn(t, manager);
    const page = await c.get(`/customers/${id}/edit`);
    expect(page.text).toMatch(new RegExp(`<option value="${gone.id}" selected>Left Company</option>`));
  });
});

describe('merging customers', () => {
  it('moves everything of the duplicate to the survivor and keeps the duplicate, closed as merged', async () => {
    const survivor = await createCustomer(t.db, { ownerId: rep.id, name: '温州瑞丰电子有限公司' });
    const duplicate = await createCustomer(t.db, {
      ownerId: otherRep.id,
      name: '瑞丰电子（温州）有限公司',
      uscc: '91350100M000100Y43',
    });
    await t.db.query(`UPDATE customer SET tags = '{老客户}' WHERE id = $1`, [survivor]);
    await t.db.query(`UPDATE customer SET tags = '{展会,老客户}', address = '人民路 8 号' WHERE id = $1`, [
      duplicate,
    ]);
    await createContact(t.db, survivor, '甲');
    await t.db.query(
      `INSERT INTO contact (customer_id, name, "primary", version) VALUES ($1, '乙', true, 1)`,
      [duplicate],
    );
    await t.db.query(
      `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version) VALUES ($1, $2, 'visit', now(), 'Met them', 1)`,
      [duplicate, otherRep.id],
    );
    const c = await signedIn(t, manager);
    const picker = await c.get(`/customers/${survivor}/merge?q=%E7%91%9E%E4%B8%B0`);
    expect(picker.text).toContain(`/customers/${survivor}/merge?with=${duplicate}`);
    const confirm = await c.get(`/customers/${survivor}/merge?with=${duplicate}`);
    expect(visibleText(confirm.text)).toContain('Merge 瑞丰电子（温州）有限公司 into 温州瑞丰电子有限公司');
    expect((await c.post(`/customers/${survivor}/merge`, { otherId: String(duplicate) })).status).toBe(303);

    const { rows } = await t.db.query('SELECT uscc, address, tags FROM customer WHERE id = $1', [survivor]);
    expect(rows[0]).toEqual({ uscc: '91350100M000100Y43', address: '人民路 8 号', tags: ['老客户', '展会'] });
    const gone = await t.db.query(
      'SELECT deleted_at IS NOT NULL AS deleted, merged_into_id, uscc FROM customer WHERE id = $1',
      [duplicate],
    );
    expect(gone.rows[0]).toEqual({ deleted: true, merged_into_id: survivor, uscc: null });
    const contacts = await t.db.query('SELECT name FROM contact WHERE customer_id = $1 ORDER BY name', [
      survivor,
    ]);
    expect(contacts.rows.map((r) => r.name)).toEqual(['乙', '甲']);
    const followUps = await t.db.query('SELECT count(*)::int AS n FROM follow_up WHERE customer_id = $1', [
      survivor,
    ]);
    expect(followUps.rows[0].n).toBe(1);
    const audit = await t.db.query(
      `SELECT action, entity_id FROM audit_entry WHERE action IN ('merge', 'merged_into') ORDER BY id`,
    );
    expect(audit.rows).toEqual([
      { action: 'merge', entity_id: String(survivor) },
      { action: 'merged_into', entity_id: String(duplicate) },
    ]);
    // The duplicate's old address leads to the survivor (DESIGN: a merged-away customer's page).
    const old = await c.get(`/customers/${duplicate}`);
    expect(old.status).toBe(303);
    expect(old.location).toBe(`/customers/${survivor}`);
  });

  it('is for managers and admins only', async () => {
    const a = await createCustomer(t.db, { ownerId: rep.id });
    const b = await createCustomer(t.db, { ownerId: rep.id });
    const c = await signedIn(t, rep);
    expect((await c.get(`/customers/${a}/merge`)).status).toBe(403);
    expect((await c.post(`/customers/${a}/merge`, { otherId: String(b) })).status).toBe(403);
  });
});

describe('the figures at the top of the 360° page', () => {
  it('sum the open deals, the money still owed with what is overdue, and the open tickets, as the viewer sees them', async () => {
    const owner = await createUser(t.db, { role: 'sales', teamId: team, name: '孙磊' });
    const id = await createCustomer(t.db, { ownerId: owner.id, name: '宁波甬江模具有限公司' });
    const deal = (title: string, stage: string, amount: string) =>
      t.db.query(
        `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
         VALUES ($1, $2, $3, $4, $5, 50, current_date + 30, 1)`,
        [id, owner.id, title, stage, amount],
      );
    await deal('模具管理系统', 'proposal', '80000.00');
    await deal('车间看板', 'negotiation', '37000.50');
    await deal('旧系统维护', 'won', '12000.00');
    const contract = async (number: string, amount: string, status: string) =>
      (
        await t.db.query<{ id: number }>(
          `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on,
             start_on, end_on, approval_rounds, version)
           VALUES ($1, $2, '宁波甬江模具有限公司', $3, '模具管理系统', $4, $5,
             CASE WHEN $5 = 'signed' THEN current_date - 60 END, current_date - 60, current_date + 300, 1, 1)
           RETURNING id`,
          [number, id, owner.id, amount, status],
        )
      ).rows[0].id;
    // Signed for ¥100,000.00: ¥30,000.00 due 20 days ago with ¥10,000.00 collected, ¥70,000.00 next month.
    const signed = await contract('HT-2099-3601', '100000.00', 'signed');
    await t.db.query(`INSERT INTO payment_plan (contract_id, version) VALUES ($1, 1)`, [signed]);
    await t.db.query(
      `INSERT INTO payment_installment (contract_id, position, due_on, amount, collected)
       VALUES ($1, 1, current_date - 20, 30000, 10000), ($1, 2, current_date + 30, 70000, 0)`,
      [signed],
    );
    // Signed without a plan: owed whole, overdue on no day. A draft owes nothing yet.
    await contract('HT-2099-3602', '5000.00', 'signed');
    await contract('HT-2099-3603', '9999.00', 'draft');
    await createTicket(t.db, { customerId: id, status: 'open' });
    const resolved = await createTicket(t.db, { customerId: id, status: 'resolved' });
    await createSurvey(t.db, { id: resolved.id, customerId: id }, { answered: true });

    const page = await (await signedIn(t, owner)).get(`/customers/${id}`);
    const figures = visibleText(
      /<div class="figures business-figures">[\s\S]*?\n<\/div>/.exec(page.text)![0],
    );
    expect(figures).toBe(
      'Open deals ¥117,000.50 2 deals in the pipeline ' +
        'Contracted ¥105,000.00 2 signed contracts ' +
        'Outstanding ¥95,000.00 ¥20,000.00 overdue ' +
        'Open tickets 1 Satisfaction 4.0 / 5 from 1 survey this past year',
    );
    // Each money figure leads to the customer's contracts (Handlebars writes = as &#x3D;), the open deals
    // to the board narrowed to the customer, named, with the way back to all customers.
    expect(page.text).toContain(`href="/contracts?customer&#x3D;${id}"`);
    expect(page.text).toContain(`href="/opportunities?customer&#x3D;${id}"`);
    const ownerClient = await signedIn(t, owner);
    const board = visibleText((await ownerClient.get(`/opportunities?customer=${id}`)).text);
    expect(board).toContain('Customer: 宁波甬江模具有限公司 All customers');
    expect(board).toContain('模具管理系统');
    expect(board).toContain('2 open deals');
    const contracts = visibleText((await ownerClient.get(`/contracts?customer=${id}`)).text);
    expect(contracts).toContain('Customer: 宁波甬江模具有限公司');
    expect(contracts).toContain('HT-2099-3603');

    // In the pool, a rep sees the customer but not another rep's deals and contracts: no such figures.
    await t.db.query('UPDATE customer SET owner_id = NULL WHERE id = $1', [id]);
    const other = visibleText((await (await signedIn(t, otherRep)).get(`/customers/${id}`)).text);
    expect(other).toContain('宁波甬江模具有限公司');
    expect(other).not.toContain('Open deals');
    expect(other).not.toContain('Outstanding');
  });
});
