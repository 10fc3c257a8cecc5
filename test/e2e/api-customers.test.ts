import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Customers, contacts and follow-ups driven through /api/v1 with a sales rep's, a manager's and an
 * admin's token: the pages' scope (outside it: 404), rules and validation, stale versions, duplicates,
 * and requests the API cannot read refused with nothing changed.
 */
let t: TestApp;
let rep: UserRow;
let otherRep: UserRow;
let manager: UserRow;
let admin: UserRow;
let repApi: ApiClient;
let repZh: ApiClient;
let managerApi: ApiClient;
let adminApi: ApiClient;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep One' });
  otherRep = await createUser(t.db, { role: 'sales', name: 'Rep Two' });
  manager = await createUser(t.db, { role: 'manager', teamId: team });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  admin = await createUser(t.db, { role: 'admin' });
  repApi = await apiAs(t, rep);
  managerApi = await apiAs(t, manager);
  adminApi = await apiAs(t, admin);
  const repInChinese = await createUser(t.db, { role: 'sales', locale: 'zh-CN' });
  repZh = await apiAs(t, repInChinese, 'zh-CN');
});
afterAll(() => t.close());

const count = async (sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rowCount;

describe('/api/v1/customers', () => {
  it('creates a customer owned by the rep, answering it with codes and ISO times', async () => {
    const reply = await repApi.post('/api/v1/customers', {
      name: 'API 新建科技有限公司',
      kind: 'company',
      tier: 'b',
      status: 'prospect',
      tags: ['ERP', 'API'],
      contactName: '王磊',
      contactMobile: '138 1234 5678',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      name: 'API 新建科技有限公司',
      tier: 'B',
      status: 'prospect',
      ownerId: rep.id,
      ownerName: 'Rep One',
      tags: ['ERP', 'API'],
      version: 1,
      contacts: [{ name: '王磊', mobile: '13812345678', primary: true }],
    });
    expect(reply.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const stored = await t.db.query('SELECT owner_id, tier FROM customer WHERE id = $1', [reply.body.id]);
    expect(stored.rows[0]).toEqual({ owner_id: rep.id, tier: 'B' });
  });

  it('lists with the pages’ filters and search, a page at a time by cursor', async () => {
    for (let i = 0; i < 5; i++) await createCustomer(t.db, { ownerId: rep.id, name: `游标测试 ${i}` });
    await createCustomer(t.db, { ownerId: otherRep.id, name: '游标测试 别人的' });
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const q: string = `/api/v1/customers?q=${encodeURIComponent('游标测试')}&limit=2${next ? `&cursor=${next}` : ''}`;
      const reply = await repApi.get(q);
      expect(reply.status).toBe(200);
      expect(reply.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...reply.body.data.map((c: { name: string }) => c.name));
      next = reply.body.next;
    } while (next);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `游标测试 ${i}`));
    const mangled = await repApi.get('/api/v1/customers?cursor=garbage');
    expect(mangled.status).toBe(422);
    expect(mangled.body.details).toEqual([
      { field: 'cursor', message: expect.stringContaining('first page') },
    ]);
    const filtered = await repApi.get('/api/v1/customers?status=prospect&owner=me');
    expect(filtered.body.data.map((c: { name: string }) => c.name)).toEqual(['API 新建科技有限公司']);
    // A flag as JSON writes it: none of the rep's is a VIP.
    const vip = await repApi.get('/api/v1/customers?vip=true&owner=me');
    expect({ status: vip.status, data: vip.body.data }).toEqual({ status: 200, data: [] });
    // The admin sees everyone's.
    const all = await adminApi.get(`/api/v1/customers?q=${encodeURIComponent('游标测试')}&limit=100`);
    expect(all.body.data).toHaveLength(6);
    expect(all.body.next).toBeNull();
  });

  it('answers 404 for a customer outside the token user’s scope, and changes nothing', async () => {
    const theirs = await createCustomer(t.db, { ownerId: otherRep.id, name: 'Not yours Ltd' });
    expect((await repApi.get(`/api/v1/customers/${theirs}`)).status).toBe(404);
    const edit = await repApi.patch(`/api/v1/customers/${theirs}`, { name: 'Taken over', version: 1 });
    expect(edit.status).toBe(404);
    expect((await repApi.delete(`/api/v1/customers/${theirs}`)).status).toBe(404);
    const { rows } = await t.db.query('SELECT name, deleted_at FROM customer WHERE id = $1', [theirs]);
    expect(rows[0]).toEqual({ name: 'Not yours Ltd', deleted_at: null });
    expect((await adminApi.get(`/api/v1/customers/${theirs}`)).body.name).toBe('Not yours Ltd');
  });

  it('refuses invalid fields with their path and a message in the token user’s language', async () => {
    const reply = await repZh.post('/api/v1/customers', { kind: 'company', tier: 'Z', website: 'not a url' });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      statusCode: 422,
      error: 'validation',
      message: '请更正下方标出的字段。',
    });
    const fields = reply.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['name', 'tier', 'website']);
    for (const d of reply.body.details) expect(d.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('takes VIP as true or false and refuses any other value rather than guess', async () => {
    for (const vip of [2, 'yes', ['1']]) {
      const reply = await repZh.post('/api/v1/customers', { name: '永康五金制品厂', vip });
      expect(reply.status).toBe(422);
      expect(reply.body.details).toEqual([{ field: 'vip', message: '须为是或否：true 或 false。' }]);
    }
    expect(await count(`SELECT 1 FROM customer WHERE name = '永康五金制品厂'`)).toBe(0);
    const vip = await repApi.post('/api/v1/customers', { name: 'Yongkang Hardware Works', vip: true });
    expect(vip.status).toBe(201);
    expect(vip.body.vip).toBe(true);
  });

  it('refuses an owner the user may not choose instead of ignoring it', async () => {
    const byRep = await repApi.post('/api/v1/customers', { name: 'Owner Named Ltd', ownerId: otherRep.id });
    expect(byRep.status).toBe(422);
    expect(byRep.body.details).toEqual([{ field: 'ownerId', message: 'Not an owner you may choose.' }]);
    const byManager = await managerApi.post('/api/v1/customers', {
      name: 'Owner Named Ltd',
      ownerId: otherRep.id,
    });
    expect(byManager.status).toBe(422);
    expect(await count(`SELECT 1 FROM customer WHERE name = 'Owner Named Ltd'`)).toBe(0);
    const own = await repApi.post('/api/v1/customers', { name: 'Owner Named Ltd', ownerId: rep.id });
    expect(own.status).toBe(201);
    expect(own.body.ownerId).toBe(rep.id);
    const pool = await managerApi.post('/api/v1/customers', { name: 'Pooled Named Ltd' });
    expect(pool.body.ownerId).toBeNull();
  });

  it('refuses unknown fields instead of dropping them', async () => {
    const reply = await repApi.post('/api/v1/customers', { name: 'Unknown field Ltd', colour: 'red' });
    expect(reply.status).toBe(422);
    expect(reply.body.details).toEqual([{ field: 'colour', message: 'This field is not known here.' }]);
    expect(await count(`SELECT 1 FROM customer WHERE name = 'Unknown field Ltd'`)).toBe(0);
    const query = await repApi.get('/api/v1/customers?colour=red');
    expect(query.status).toBe(422);
    // A kind that is none of the choices is called that, not missing.
    const robot = await repApi.post('/api/v1/customers', { name: 'Robot Ltd', kind: 'robot' });
    expect(robot.body.details).toEqual([{ field: 'kind', message: 'Not a valid choice.' }]);
  });

  it('refuses malformed JSON, a body over the limit, another content type and NUL bytes: 4xx, nothing stored', async () => {
    const before = await count('SELECT 1 FROM customer');
    const malformed = await repApi.send('POST', '/api/v1/customers', '{"name": "Half', {});
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'bad_request' });
    const huge = await repApi.post('/api/v1/customers', { name: 'Huge', notes: 'x'.repeat(200_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.statusCode).toBe(413);
    const form = await repApi.send('POST', '/api/v1/customers', 'name=Form+Ltd', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.message).toContain('JSON');
    const nul = await repApi.post('/api/v1/customers', { name: 'Nul\u0000Ltd' });
    expect(nul.status).toBe(422);
    expect(nul.body.details[0].field).toBe('name');
    expect(await count('SELECT 1 FROM customer')).toBe(before);
  });

  it('requires the row version on an edit; a stale one answers 409 with the current record', async () => {
    const created = (await repApi.post('/api/v1/customers', { name: '版本测试有限公司' })).body;
    const noVersion = await repApi.patch(`/api/v1/customers/${created.id}`, { tier: 'A' });
    expect(noVersion.status).toBe(422);
    // In the API's words, not a page's ("reload the page").
    expect(noVersion.body.details).toEqual([
      { field: '_', message: 'Send the record’s `version`: the change is made on that version only.' },
    ]);
    const first = await repApi.patch(`/api/v1/customers/${created.id}`, {
      tier: 'A',
      version: created.version,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tier: 'A', name: '版本测试有限公司', version: created.version + 1 });
    const stale = await repApi.patch(`/api/v1/customers/${created.id}`, {
      tier: 'C',
      version: created.version,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      statusCode: 409,
      error: 'stale_version',
      current: { tier: 'A', version: 2 },
    });
    expect(stale.body.message).toContain('nothing was changed. `current` holds the record as it now stands');
    const { rows } = await t.db.query('SELECT tier, version FROM customer WHERE id = $1', [created.id]);
    expect(rows[0]).toEqual({ tier: 'A', version: 2 });
  });

  it('answers a duplicate with 409 and the matches with their owner; a manager saves one with a reason', async () => {
    await createCustomer(t.db, { ownerId: otherRep.id, name: '北京撞单科技有限公司' });
    const blocked = await repApi.post('/api/v1/customers', { name: '撞单科技（北京）有限公司' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.blocked).toBe(true);
    expect(blocked.body.duplicates).toEqual([
      expect.objectContaining({ name: '北京撞单科技有限公司', ownerId: otherRep.id, ownerName: 'Rep Two' }),
    ]);
    const confirmed = await repApi.post('/api/v1/customers', {
      name: '撞单科技（北京）有限公司',
      confirmDuplicate: true,
    });
    expect(confirmed.status).toBe(409);
    const noReason = await managerApi.post('/api/v1/customers', {
      name: '撞单科技（北京）有限公司',
      confirmDuplicate: true,
    });
    expect(noReason.status).toBe(409);
    expect(noReason.body.details.map((d: { field: string }) => d.field)).toContain('duplicateReason');
    const withReason = await managerApi.post('/api/v1/customers', {
      name: '撞单科技（北京）有限公司',
      confirmDuplicate: true,
      duplicateReason: '不同的分公司',
    });
    expect(withReason.status).toBe(201);
    expect(await count(`SELECT 1 FROM customer WHERE name = '撞单科技（北京）有限公司'`)).toBe(1);
  });

  it('deletes softly: the customer is gone from the API and kept in the recycle bin', async () => {
    const created = (await repApi.post('/api/v1/customers', { name: '删除测试有限公司' })).body;
    expect((await repApi.delete(`/api/v1/customers/${created.id}`)).status).toBe(204);
    const gone = await repApi.get(`/api/v1/customers/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe('There is no such record, or your token’s user may not see it.');
    const { rows } = await t.db.query('SELECT deleted_at FROM customer WHERE id = $1', [created.id]);
    expect(rows[0].deleted_at).not.toBeNull();
  });
});

describe('/api/v1/contacts', () => {
  it('adds, lists, corrects and removes contacts of the rep’s customers; others’ are 404', async () => {
    const own = await createCustomer(t.db, { ownerId: rep.id, name: '联系人测试有限公司' });
    const theirs = await createCustomer(t.db, { ownerId: otherRep.id });
    const added = await repApi.post('/api/v1/contacts', {
      customerId: own,
      name: '李娜',
      mobile: '13900001111',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ customerId: own, name: '李娜', mobile: '13900001111', version: 1 });
    expect((await repApi.post('/api/v1/contacts', { customerId: theirs, name: 'X' })).status).toBe(404);
    const listed = await repApi.get(`/api/v1/contacts?customerId=${own}`);
    expect(listed.body.data.map((c: { name: string }) => c.name)).toEqual(['李娜']);
    const fixed = await repApi.patch(`/api/v1/contacts/${added.body.id}`, { title: '总经理', version: 1 });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ title: '总经理', mobile: '13900001111', version: 2 });
    const stale = await repApi.patch(`/api/v1/contacts/${added.body.id}`, { title: '副总', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ title: '总经理' });
    const bad = await repApi.patch(`/api/v1/contacts/${added.body.id}`, { mobile: '123', version: 2 });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].field).toBe('mobile');
    expect((await repApi.delete(`/api/v1/contacts/${added.body.id}`)).status).toBe(204);
    expect((await repApi.get(`/api/v1/contacts/${added.body.id}`)).status).toBe(404);
  });
});

describe('/api/v1/follow-ups', () => {
  it('logs a follow-up with ISO times, lists it by customer, and its author corrects it', async () => {
    const own = await createCustomer(t.db, { ownerId: rep.id, name: '跟进测试有限公司' });
    const happened = new Date(Date.now() - 3_600_000);
    happened.setUTCSeconds(0, 0);
    const logged = await repApi.post('/api/v1/follow-ups', {
      customerId: own,
      method: 'visit',
      happenedAt: happened.toISOString().replace('Z', '+00:00'),
      summary: '拜访采购部',
      nextFollowUpAt: '2099-01-05T09:00:00+08:00',
    });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({
      customerId: own,
      authorId: rep.id,
      method: 'visit',
      happenedAt: happened.toISOString(),
      nextFollowUpAt: '2099-01-05T01:00:00.000Z',
    });
    const listed = await repApi.get(`/api/v1/follow-ups?customerId=${own}`);
    expect(listed.body.data.map((f: { id: number }) => f.id)).toEqual([logged.body.id]);
    expect((await adminApi.get(`/api/v1/follow-ups/${logged.body.id}`)).status).toBe(200);
    const other = await apiAs(t, otherRep);
    expect((await other.get(`/api/v1/follow-ups/${logged.body.id}`)).status).toBe(404);
    expect((await other.get(`/api/v1/follow-ups?customerId=${own}`)).body.data).toEqual([]);

    const noOffset = await repApi.patch(`/api/v1/follow-ups/${logged.body.id}`, {
      happenedAt: '2026-01-01T10:00',
      version: 1,
    });
    expect(noOffset.status).toBe(422);
    expect(noOffset.body.details[0].field).toBe('happenedAt');
    const fixed = await repApi.patch(`/api/v1/follow-ups/${logged.body.id}`, {
      summary: '拜访采购部和财务部',
      version: 1,
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({
      summary: '拜访采购部和财务部',
      happenedAt: happened.toISOString(),
      version: 2,
    });
    // Only its author corrects it.
    expect(
      (await adminApi.patch(`/api/v1/follow-ups/${logged.body.id}`, { summary: 'x', version: 2 })).status,
    ).toBe(403);
  });

  it('refuses a follow-up in the future or on a customer the rep may not work on', async () => {
    const own = await createCustomer(t.db, { ownerId: rep.id });
    const theirs = await createCustomer(t.db, { ownerId: otherRep.id });
    const future = await repApi.post('/api/v1/follow-ups', {
      customerId: own,
      method: 'phone',
      happenedAt: '2099-01-01T10:00:00Z',
      summary: 'Later',
    });
    expect(future.status).toBe(422);
    expect(future.body.details[0].field).toBe('happenedAt');
    const notTheirs = await repApi.post('/api/v1/follow-ups', {
      customerId: theirs,
      method: 'phone',
      happenedAt: new Date().toISOString(),
      summary: 'Sneaky',
    });
    expect(notTheirs.status).toBe(422);
    expect(notTheirs.body.details[0].field).toBe('customerId');
    const unknown = await repApi.post('/api/v1/follow-ups', {
      customerId: 2_000_000_000,
      method: 'phone',
      happenedAt: new Date().toISOString(),
      summary: 'Nowhere',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.details[0].field).toBe('customerId');
    expect(await count(`SELECT 1 FROM follow_up WHERE summary IN ('Later', 'Sneaky', 'Nowhere')`)).toBe(0);
  });
});
