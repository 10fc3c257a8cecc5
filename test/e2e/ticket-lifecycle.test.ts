import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Tickets in the customer's life: on the 360° timeline with their survey scores (for those who may
 * see them), moved with their surveys when customers merge, back to the team's queue when their
 * agent leaves (tickets are the team's), and named in the audit log in the reader's language.
 */
let t: TestApp;
let desk: number;
let manager: UserRow;
let agent: UserRow;
let owner: UserRow;
let admin: UserRow;
let deskApi: ApiClient;

beforeAll(async () => {
  t = await startApp();
  desk = await createTeam(t.db, '客服一组');
  const tech = await createTeam(t.db, '技术支持');
  manager = await createUser(t.db, { role: 'manager', teamId: desk, name: '孙丽' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, desk]);
  agent = await createUser(t.db, { role: 'service', teamId: desk, name: '赵敏' });
  owner = await createUser(t.db, { role: 'sales', name: '李明' });
  admin = await createUser(t.db, { role: 'admin' });
  await t.db.query(
    `INSERT INTO ticket_routing (type, team_id) VALUES ('billing', $1), ('consultation', $1), ('complaint', $1), ('technical', $2)`,
    [desk, tech],
  );
  deskApi = await apiAs(t, agent);
}, 60_000);
afterAll(() => t.close());

async function open(customerId: number, subject: string, type = 'billing') {
  const reply = await deskApi.post('/api/v1/tickets', {
    channel: 'phone',
    type,
    subject,
    body: '客户来电说明情况。',
    customerId,
    requester: { name: '王芳', email: 'wangfang@example.cn', mobile: '13812345678' },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as { id: number; number: string; version: number };
}

/** Resolves a ticket and answers its survey as the customer does, through the link's token. */
async function resolveAndRate(id: number, version: number, csat: number, ces: number, comment: string) {
  expect((await deskApi.post(`/api/v1/tickets/${id}/resolve`, { version })).status).toBe(200);
  const { rows } = await t.db.query<{ token: string }>(
    'SELECT token FROM survey_response WHERE ticket_id = $1',
    [id],
  );
  await t.app.get(TicketsService).answerSurvey(rows[0].token, { csat, ces, comment });
}

describe('the customer’s timeline', () => {
  it('shows tickets with their survey scores to who may see them, in their language', async () => {
    const customerId = await createCustomer(t.db, { ownerId: owner.id, name: '杭州明达贸易有限公司' });
    const rated = await open(customerId, '发票抬头错了');
    await resolveAndRate(rated.id, rated.version, 2, 6, '前后打了三次电话');
    const waiting = await open(customerId, '合同付款节点咨询', 'consultation');
    await t.db.query('UPDATE ticket SET requester_unconfirmed = true WHERE id = $1', [waiting.id]);

    const asAgent = visibleText(
      (await (await signedIn(t, agent, 'zh-CN')).get(`/customers/${customerId}`)).text,
    );
    expect(asAgent).toContain(
      `${rated.number} 发票抬头错了 · 已解决 · 满意度 2/5 · 费力度 6/7 · “前后打了三次电话”`,
    );
    expect(asAgent).toContain(`${waiting.number} 合同付款节点咨询 · 新建`);
    expect(asAgent).toContain('王芳（请求人待确认）');
    const asOwner = visibleText(
      (await (await signedIn(t, owner, 'en')).get(`/customers/${customerId}`)).text,
    );
    expect(asOwner).toContain(`${rated.number} 发票抬头错了 · Resolved · satisfaction 2/5 · effort 6/7`);
    expect(asOwner).toContain('Ticket · billing');

    // Another team's agent sees the customer (read only), not this team's tickets.
    const outsider = await createUser(t.db, { role: 'service', teamId: await createTeam(t.db) });
    const asOutsider = visibleText(
      (await (await signedIn(t, outsider, 'en')).get(`/customers/${customerId}`)).text,
    );
    expect(asOutsider).toContain('杭州明达贸易有限公司');
    expect(asOutsider).not.toContain(rated.number);
  });
});

describe('merging customers', () => {
  it('moves the merged customer’s tickets and surveys to the survivor, counted in the merge entry', async () => {
    const survivor = await createCustomer(t.db, { ownerId: owner.id, name: '广州恒通物流有限公司' });
    const other = await createCustomer(t.db, { ownerId: owner.id, name: '恒通物流（广州）有限公司' });
    await createContact(t.db, other, '钱七');
    const first = await open(other, '系统登录不上');
    await resolveAndRate(first.id, first.version, 5, 1, '很快');
    const second = await open(other, '报表导出乱码');
    const c = await signedIn(t, admin, 'en');
    await c.get(`/customers/${survivor}/merge?with=${other}`);
    expect((await c.post(`/customers/${survivor}/merge`, { otherId: String(other) })).status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT (SELECT array_agg(id ORDER BY id) FROM ticket WHERE customer_id = $1) AS tickets,
              (SELECT count(*)::int FROM survey_response WHERE customer_id = $1) AS surveys,
              (SELECT count(*)::int FROM ticket WHERE customer_id = $2) AS left_behind`,
      [survivor, other],
    );
    expect(rows[0]).toEqual({ tickets: [first.id, second.id], surveys: 1, left_behind: 0 });
    const merged = await t.db.query(
      `SELECT diff FROM audit_entry WHERE action = 'merge' AND entity = 'customer' AND entity_id = $1`,
      [String(survivor)],
    );
    expect(merged.rows[0].diff).toMatchObject({ ticket: { to: 2 }, survey: { to: 1 } });
    expect(visibleText((await c.get(`/customers/${survivor}`)).text)).toContain(
      `${first.number} 系统登录不上`,
    );
  });
});

describe('an agent leaving', () => {
  it('returns their open tickets to the team’s unassigned queue, keeps the resolved ones, tells the manager', async () => {
    const leaving = await createUser(t.db, { role: 'service', teamId: desk, name: '周婷' });
    // The only agent present: new tickets of the team go to them.
    await t.db.query('UPDATE app_user SET away_since = now() WHERE id = $1', [agent.id]);
    const customerId = await createCustomer(t.db, { ownerId: owner.id, name: '苏州恒信精密机械有限公司' });
    const openOne = await open(customerId, '退款申请：重复扣款');
    const done = await open(customerId, '发票寄错地址');
    await t.db.query('UPDATE app_user SET away_since = NULL WHERE id = $1', [agent.id]);
    const { rows: before } = await t.db.query(
      'SELECT assignee_id FROM ticket WHERE id = ANY($1) ORDER BY id',
      [[openOne.id, done.id]],
    );
    expect(before).toEqual([{ assignee_id: leaving.id }, { assignee_id: leaving.id }]);
    await t.db.query(`UPDATE ticket SET status = 'resolved', resolved_at = now() WHERE id = $1`, [done.id]);

    const c = await signedIn(t, admin, 'en');
    await c.get(`/admin/users/${leaving.id}/edit`);
    const reply = await c.post(`/admin/users/${leaving.id}/deactivate`, {});
    expect(reply.status).toBe(303);
    const { rows } = await t.db.query('SELECT id, assignee_id FROM ticket WHERE id = ANY($1) ORDER BY id', [
      [openOne.id, done.id],
    ]);
    expect(rows).toEqual([
      { id: openOne.id, assignee_id: null },
      { id: done.id, assignee_id: leaving.id },
    ]);
    const audited = await t.db.query(
      `SELECT entity_id, diff FROM audit_entry WHERE action = 'return_to_team' AND entity = 'ticket'`,
    );
    expect(audited.rows).toEqual([
      { entity_id: String(openOne.id), diff: { assigneeId: { from: leaving.id, to: null } } },
    ]);
    const told = await t.db.query(`SELECT user_id, params FROM notification WHERE kind = 'tickets_returned'`);
    expect(told.rows).toEqual([{ user_id: manager.id, params: { count: 1, team: '客服一组' } }]);
    const queue = (await (await apiAs(t, manager)).get('/api/v1/tickets?queue=unassigned')).body.data;
    expect(queue.map((r: { id: number }) => r.id)).toContain(openOne.id);
  });
});

describe('the audit log', () => {
  it('names a ticket’s actions, fields and values in the reader’s language', async () => {
    const customerId = await createCustomer(t.db, { ownerId: owner.id });
    const ticket = await open(customerId, '投诉：上门服务迟到');
    const changed = await deskApi.patch(`/api/v1/tickets/${ticket.id}`, {
      priority: 'high',
      version: ticket.version,
    });
    expect(changed.status).toBe(200);
    await deskApi.post(`/api/v1/tickets/${ticket.id}/resolve`, { version: changed.body.version });
    for (const [lang, words] of [
      ['en', ['Ticket', 'Resolved', 'Priority', 'Normal', 'High']],
      ['zh-CN', ['工单', '解决', '优先级', '普通', '高']],
    ] as const) {
      const c = await signedIn(t, admin, lang);
      const page = visibleText((await c.get(`/audit?entity=ticket&entityId=${ticket.id}`)).text);
      for (const w of words) expect(page, `${lang}: ${w}`).toContain(w);
      expect(page).not.toContain('priority');
    }
  });
});
