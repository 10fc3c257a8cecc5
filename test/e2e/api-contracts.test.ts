import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { signedIn } from '../helpers/app.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Contracts through /api/v1/contracts: created on a customer the token's user works on with lines
 * summing exactly, listed in their scope (outside it: 404), edited with a version while a draft,
 * submitted, approved or rejected by the approver, deleted while a draft, and told to webhooks as
 * contract.submitted, contract.approved, contract.rejected and contract.signed.
 */
let t: TestApp;
let rep: UserRow;
let repApi: ApiClient;
let otherApi: ApiClient;
let managerApi: ApiClient;
let customerId: number;

const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team });
  const manager = await createUser(t.db, { role: 'manager', teamId: team });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  const other = await createUser(t.db, { role: 'sales' });
  customerId = await createCustomer(t.db, { ownerId: rep.id, name: '北京华信科技有限公司' });
  repApi = await apiAs(t, rep);
  otherApi = await apiAs(t, other);
  managerApi = await apiAs(t, manager);
  await t.db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ('http://127.0.0.1:9/hooks', '{contract.submitted,contract.approved,contract.rejected,contract.signed}', 'secret', true, true, 1)`,
  );
}, 60_000);
afterAll(() => t.close());

const events = async (type: string, id: number) =>
  (
    await t.db.query(`SELECT data FROM webhook_event WHERE type = $1 AND (data->>'id')::int = $2`, [type, id])
  ).rows.map((r) => r.data as Record<string, unknown>);

async function draft(lines = [{ item: '服务器', unit: '台', quantity: '2', unitPrice: '68000.00' }]) {
  const created = await repApi.post('/api/v1/contracts', {
    customerId,
    title: '服务器扩容项目',
    startOn: '2027-01-01',
    endOn: '2027-12-31',
    lines,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: number; version: number; number: string };
}

describe('/api/v1/contracts', () => {
  it('creates a draft with its lines, the amount their exact sum, and reads it back', async () => {
    const created = await draft([
      { item: '服务器', unit: '台', quantity: '2', unitPrice: '68000.00' },
      { item: '安装', unit: '次', quantity: '1.5', unitPrice: '3.33' },
    ]);
    expect(created).toMatchObject({
      customerId,
      customerName: '北京华信科技有限公司',
      ownerId: rep.id,
      status: 'draft',
      amount: '136005.00',
      currency: 'CNY',
      version: 1,
      lines: [
        { position: 1, item: '服务器', quantity: '2.000', unitPrice: '68000.00', lineTotal: '136000.00' },
        { position: 2, item: '安装', quantity: '1.500', unitPrice: '3.33', lineTotal: '5.00' },
      ],
    });
    expect(created.number).toMatch(/^HT-\d{4}-\d{4}$/);
    expect((await repApi.get(`/api/v1/contracts/${created.id}`)).body.number).toBe(created.number);
    expect((await otherApi.get(`/api/v1/contracts/${created.id}`)).status).toBe(404);
    const list = await repApi.get(`/api/v1/contracts?customerId=${customerId}&limit=100`);
    expect(list.body.data.map((c: { id: number }) => c.id)).toContain(created.id);
    expect((await otherApi.get('/api/v1/contracts')).body.data).toEqual([]);
  });

  it('refuses bad input with its fields named and stores nothing', async () => {
    const before = (await t.db.query('SELECT count(*)::int AS n FROM contract')).rows[0].n;
    const bad = await repApi.post('/api/v1/contracts', {
      customerId,
      title: 'Bad',
      startOn: '2027-02-01',
      endOn: '2027-01-01',
      lines: [{ item: 'x', quantity: '1', unitPrice: '100' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.details).toEqual([{ field: 'endOn', message: 'The end date is before the start date.' }]);
    const negative = await repApi.post('/api/v1/contracts', {
      customerId,
      title: 'Bad',
      lines: [{ item: 'x', quantity: '1', unitPrice: '-100' }],
    });
    expect(negative.body.details).toEqual([
      { field: 'lines.0.unitPrice', message: 'A price cannot be negative.' },
    ]);
    const none = await repApi.post('/api/v1/contracts', { customerId, title: 'Bad', lines: [] });
    expect(none.body.details).toEqual([{ field: 'lines', message: 'Add at least one line.' }]);
    const unknown = await repApi.post('/api/v1/contracts', {
      customerId,
      title: 'Bad',
      lines: [],
      amount: '5',
    });
    expect(unknown.status).toBe(422);
    expect((await t.db.query('SELECT count(*)::int AS n FROM contract')).rows[0].n).toBe(before);
  });

  it('edits a draft on its version; a stale one answers 409 with the contract as it stands', async () => {
    const c = await draft();
    const edited = await repApi.patch(`/api/v1/contracts/${c.id}`, {
      version: c.version,
      lines: [{ item: '服务器', quantity: '3', unitPrice: '1000' }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ amount: '3000.00', title: '服务器扩容项目', version: 2 });
    const stale = await repApi.patch(`/api/v1/contracts/${c.id}`, { version: c.version, title: 'Late' });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ version: 2, amount: '3000.00' });
  });

  it('submits, refuses edits while pending, is rejected and resubmitted, then approved, telling webhooks', async () => {
    const c = await draft();
    const submitted = await repApi.post(`/api/v1/contracts/${c.id}/submit`, { version: c.version });
    expect(submitted.body).toMatchObject({ status: 'pending_approval', approvalRounds: 1 });
    expect(await events('contract.submitted', c.id)).toHaveLength(1);
    const pending = await repApi.patch(`/api/v1/contracts/${c.id}`, {
      version: submitted.body.version,
      title: 'x',
    });
    expect(pending.status).toBe(409);
    expect(pending.body.message).toContain('waiting for approval');
    expect((await repApi.post(`/api/v1/contracts/${c.id}/approve`, {})).status).toBe(403);

    const rejected = await managerApi.post(`/api/v1/contracts/${c.id}/reject`, { comment: '请调整付款条件' });
    expect(rejected.body.status).toBe('rejected');
    expect(await events('contract.rejected', c.id)).toHaveLength(1);
    expect((await managerApi.post(`/api/v1/contracts/${c.id}/approve`, {})).status).toBe(409);

    const again = await repApi.post(`/api/v1/contracts/${c.id}/submit`, { version: rejected.body.version });
    expect(again.body).toMatchObject({ status: 'pending_approval', approvalRounds: 2 });
    // Above the threshold, with no general managers chosen in the settings: the manager's step alone.
    const approved = await managerApi.post(`/api/v1/contracts/${c.id}/approve`, { comment: '同意' });
    expect(approved.body.status).toBe('approved');
    const [event] = await events('contract.approved', c.id);
    expect(event).toMatchObject({ id: c.id, status: 'approved', amount: '136000.00' });

    // Signing takes the signed scan: on the contract's page, and it is told to webhooks too.
    const page = await signedIn(t, rep);
    await page.get(`/contracts/${c.id}`);
    const signed = await page.upload(
      `/contracts/${c.id}/sign`,
      { name: 'scan.pdf', content: PDF, type: 'application/pdf' },
      { version: String(approved.body.version), signedOn: '2026-12-01' },
    );
    expect(signed.status).toBe(303);
    expect(await events('contract.signed', c.id)).toMatchObject([
      { status: 'signed', signedOn: '2026-12-01' },
    ]);
  });

  it('refuses to submit a contract whose plan no longer adds up to its amount: a 409 naming both sums', async () => {
    const c = await draft([{ item: '服务器', unit: '台', quantity: '1', unitPrice: '300.00' }]);
    const plan = await repApi.send(
      'PUT',
      `/api/v1/contracts/${c.id}/plan`,
      JSON.stringify({ version: 0, installments: [{ dueOn: '2027-02-10', amount: '300.00' }] }),
    );
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    // Its amount grew after the plan was made.
    await t.db.query('UPDATE contract SET amount = 1300 WHERE id = $1', [c.id]);
    const refused = await repApi.post(`/api/v1/contracts/${c.id}/submit`, { version: c.version });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: 'plan_not_amount',
      message: 'The payment plan adds up to ¥300.00, not the contract amount ¥1,300.00: edit the plan first.',
    });
    const { rows } = await t.db.query('SELECT status FROM contract WHERE id = $1', [c.id]);
    expect(rows[0].status).toBe('draft');
  });

  it('deletes a draft, not a pending contract', async () => {
    const c = await draft();
    expect((await repApi.delete(`/api/v1/contracts/${c.id}`)).status).toBe(204);
    expect((await repApi.get(`/api/v1/contracts/${c.id}`)).status).toBe(404);
    const p = await draft([{ item: 'x', unit: '个', quantity: '1', unitPrice: '10' }]);
    await repApi.post(`/api/v1/contracts/${p.id}/submit`, { version: p.version });
    // Its status, not the rep's rights, stands in the way: a conflict.
    const refused = await repApi.delete(`/api/v1/contracts/${p.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'wrong_status' });
    expect((await repApi.get(`/api/v1/contracts/${p.id}`)).status).toBe(200);
  });
});
