import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let eastRep: UserRow;
let westRep: UserRow;
let eastManager: UserRow;
let admin: UserRow;

beforeAll(async () => {
  t = await startApp();
  const east = await createTeam(t.db);
  const west = await createTeam(t.db);
  eastRep = await createUser(t.db, { role: 'sales', teamId: east, name: 'East Rep' });
  westRep = await createUser(t.db, { role: 'sales', teamId: west, name: 'West Rep' });
  eastManager = await createUser(t.db, { role: 'manager', teamId: east, name: 'East Manager' });
  admin = await createUser(t.db, { role: 'admin', name: 'Merge Admin' });
});
afterAll(() => t.close());

const state = async (id: number) =>
  (
    await t.db.query(
      `SELECT deleted_at IS NOT NULL AS deleted, merged_into_id, version,
              (SELECT count(*)::int FROM contact WHERE customer_id = $1) AS contacts,
              (SELECT count(*)::int FROM follow_up WHERE customer_id = $1) AS follow_ups
         FROM customer WHERE id = $1`,
      [id],
    )
  ).rows[0];

describe('merging customers', () => {
  it('lets an admin merge customers of two teams, moving contacts and follow-ups', async () => {
    const survivor = await createCustomer(t.db, { ownerId: eastRep.id, name: '广州恒通物流有限公司' });
    const other = await createCustomer(t.db, { ownerId: westRep.id, name: '恒通物流（广州）有限公司' });
    await createContact(t.db, other, '钱七');
    await t.db.query(
      `INSERT INTO follow_up (customer_id, author_id, method, happened_at, summary, version)
       VALUES ($1, $2, 'phone', now() - interval '2 days', 'Called the West way', 1)`,
      [other, westRep.id],
    );
    const c = await signedIn(t, admin, 'zh-CN');
    const confirm = await c.get(`/customers/${survivor}/merge?with=${other}`);
    expect(confirm.status).toBe(200);
    expect(visibleText(confirm.text)).toContain('将 恒通物流（广州）有限公司 合并到 广州恒通物流有限公司');
    const reply = await c.post(`/customers/${survivor}/merge`, { otherId: String(other) });
    expect(reply.status).toBe(303);
    expect(reply.location).toBe(`/customers/${survivor}`);
    const page = visibleText((await c.get(reply.location!)).text);
    expect(page).toContain('客户已合并。');
    expect(page).toContain('钱七');
    expect(page).toContain('Called the West way');
    expect(await state(survivor)).toMatchObject({ deleted: false, contacts: 1, follow_ups: 1 });
    expect(await state(other)).toMatchObject({
      deleted: true,
      merged_into_id: survivor,
      contacts: 0,
      follow_ups: 0,
    });
    const audit = await t.db.query(
      `SELECT actor_id, action, entity_id FROM audit_entry WHERE action IN ('merge', 'merged_into') AND entity_id = ANY($1) ORDER BY id`,
      [[String(survivor), String(other)]],
    );
    expect(audit.rows).toEqual([
      { actor_id: admin.id, action: 'merge', entity_id: String(survivor) },
      { actor_id: admin.id, action: 'merged_into', entity_id: String(other) },
    ]);
    // The merged customer is gone from the list and from the recycle bin.
    expect(visibleText((await c.get('/customers?q=%E6%81%92%E9%80%9A')).text)).not.toContain(
      '恒通物流（广州）有限公司',
    );
    expect(visibleText((await c.get('/customers/deleted')).text)).not.toContain('恒通物流（广州）有限公司');
    // The contact it brought finds the survivor now.
    expect(visibleText((await c.get(`/customers?q=${encodeURIComponent('钱七')}`)).text)).toContain(
      '广州恒通物流有限公司',
    );
  });

  it('gives a manager 404 for a customer outside their team, whichever side it is on, and merges nothing', async () => {
    const ours = await createCustomer(t.db, { ownerId: eastRep.id, name: 'Our Side Ltd' });
    const theirs = await createCustomer(t.db, { ownerId: westRep.id, name: 'Their Side Ltd' });
    await createContact(t.db, theirs, 'Stays West');
    const c = await signedIn(t, eastManager);
    // Not offered by the search, not shown for confirmation, not merged either way.
    const picker = await c.get(`/customers/${ours}/merge?q=Side`);
    expect(picker.status).toBe(200);
    expect(picker.text).not.toContain(`with=${theirs}`);
    expect(visibleText(picker.text)).not.toContain('Their Side Ltd');
    expect((await c.get(`/customers/${ours}/merge?with=${theirs}`)).status).toBe(404);
    expect((await c.get(`/customers/${theirs}/merge`)).status).toBe(404);
    await c.get(`/customers/${ours}/merge`);
    expect((await c.post(`/customers/${ours}/merge`, { otherId: String(theirs) })).status).toBe(404);
    expect((await c.post(`/customers/${theirs}/merge`, { otherId: String(ours) })).status).toBe(404);
    expect(await state(ours)).toMatchObject({
      deleted: false,
      merged_into_id: null,
      contacts: 0,
      version: 1,
    });
    expect(await state(theirs)).toMatchObject({
      deleted: false,
      merged_into_id: null,
      contacts: 1,
      version: 1,
    });
    const audit = await t.db.query(
      `SELECT 1 FROM audit_entry WHERE action IN ('merge', 'merged_into') AND entity_id = ANY($1)`,
      [[String(ours), String(theirs)]],
    );
    expect(audit.rows).toHaveLength(0);
  });

  it('lets a manager fold a pool customer into one of their team’s', async () => {
    const ours = await createCustomer(t.db, { ownerId: eastRep.id, name: 'Team Survivor Ltd' });
    const pooled = await createCustomer(t.db, { ownerId: null, name: 'Pool Duplicate Ltd' });
    const c = await signedIn(t, eastManager);
    await c.get(`/customers/${ours}/merge?with=${pooled}`);
    expect((await c.post(`/customers/${ours}/merge`, { otherId: String(pooled) })).status).toBe(303);
    expect(await state(pooled)).toMatchObject({ deleted: true, merged_into_id: ours });
  });

  it('refuses to merge a customer into itself, saying why', async () => {
    const id = await createCustomer(t.db, { ownerId: eastRep.id, name: 'Lonely Ltd' });
    const c = await signedIn(t, admin);
    await c.get(`/customers/${id}/merge`);
    const reply = await c.post(`/customers/${id}/merge`, { otherId: String(id) });
    expect(reply.status).toBe(422);
    expect(visibleText(reply.text)).toContain('A customer cannot be merged into itself.');
    expect(await state(id)).toMatchObject({ deleted: false, merged_into_id: null });
  });

  it('does not merge an already merged customer a second time', async () => {
    const survivor = await createCustomer(t.db, { ownerId: eastRep.id, name: 'First Survivor Ltd' });
    const other = await createCustomer(t.db, { ownerId: eastRep.id, name: 'Merged Once Ltd' });
    const third = await createCustomer(t.db, { ownerId: eastRep.id, name: 'Third Party Ltd' });
    const c = await signedIn(t, admin);
    await c.get(`/customers/${survivor}/merge`);
    expect((await c.post(`/customers/${survivor}/merge`, { otherId: String(other) })).status).toBe(303);
    await c.get(`/customers/${third}/merge`);
    expect((await c.post(`/customers/${third}/merge`, { otherId: String(other) })).status).toBe(404);
    expect(await state(other)).toMatchObject({ merged_into_id: survivor });
  });
});
