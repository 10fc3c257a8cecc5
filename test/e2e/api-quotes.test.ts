import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Quotes through /api/v1/quotes: created with their lines on a deal the token's user works on, figures
 * exact, listed by cursor in their scope (outside it: 404), edited on a version (stale: 409 with the
 * quote as it stands), submitted past the threshold for approval, removed softly; an approval is told
 * to webhooks as quote.approved.
 */
let t: TestApp;
let manager: UserRow;
let repApi: ApiClient;
let otherApi: ApiClient;
let dealId: number;

const LINE = { itemName: '服务器', unit: '台', quantity: '3', unitPrice: '85000.00', discountPercent: '10' };

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  const rep = await createUser(t.db, { role: 'sales', teamId: team });
  manager = await createUser(t.db, { role: 'manager', teamId: team });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  const other = await createUser(t.db, { role: 'sales' });
  const customerId = await createCustomer(t.db, { ownerId: rep.id });
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
     VALUES ($1, $2, 'ERP', 'proposal', 300000, 50, '2027-03-31', 1) RETURNING id`,
    [customerId, rep.id],
  );
  dealId = rows[0].id;
  repApi = await apiAs(t, rep);
  otherApi = await apiAs(t, other);
  await t.db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ('http://127.0.0.1:9/hooks', '{quote.approved}', 'secret', true, true, 1)`,
  );
}, 60_000);
afterAll(() => t.close());

const create = (body: Record<string, unknown> = {}) =>
  repApi.post('/api/v1/quotes', {
    opportunityId: dealId,
    taxRate: '13',
    discountPercent: '5',
    validUntil: '2099-12-31',
    lines: [LINE],
    ...body,
  });

describe('/api/v1/quotes', () => {
  it('creates a quote with its lines, its figures exact decimal strings', async () => {
    const created = await create();
    expect(created.status).toBe(201);
    // 3 × 85,000.00 = 255,000.00 less 10% = 229,500.00; 5% = 11,475.00; net 218,025.00; 13% = 28,343.25.
    expect(created.body).toMatchObject({
      opportunityId: dealId,
      status: 'draft',
      number: expect.stringMatching(/^BJ-\d{4}-\d{4}$/),
      listTotal: '255000.00',
      subtotal: '229500.00',
      discountAmount: '11475.00',
      net: '218025.00',
      tax: '28343.25',
      total: '246368.25',
      lines: [
        { position: 1, itemName: '服务器', quantity: '3.000', unitPrice: '85000.00', lineTotal: '229500.00' },
      ],
      version: 1,
    });
    const got = await repApi.get(`/api/v1/quotes/${created.body.id}`);
    expect(got.body.total).toBe('246368.25');
    expect((await otherApi.get(`/api/v1/quotes/${created.body.id}`)).status).toBe(404);
  });

  it('refuses bad input with field details and stores nothing', async () => {
    const reply = await create({ lines: [{ ...LINE, quantity: '-2' }], discountPercent: '120' });
    expect(reply.status).toBe(422);
    expect(reply.body.details).toEqual(
      expect.arrayContaining([
        { field: 'lines.0.quantity', message: 'The quantity must be more than zero.' },
        { field: 'discountPercent', message: 'A percentage from 0 to 100.' },
      ]),
    );
    expect((await create({ lines: [] })).status).toBe(422);
    expect((await create({ colour: 'red' })).status).toBe(422);
    expect(
      (
        await otherApi.post('/api/v1/quotes', {
          opportunityId: dealId,
          taxRate: '13',
          validUntil: '2099-12-31',
          lines: [LINE],
        })
      ).status,
    ).toBe(404);
  });

  it('lists by cursor, edits on a version (stale: 409 with the quote as it stands) and removes', async () => {
    const a = (await create()).body;
    const b = (await create()).body;
    const first = await repApi.get(`/api/v1/quotes?opportunityId=${dealId}&limit=1`);
    expect(first.body.data).toHaveLength(1);
    const second = await repApi.get(
      `/api/v1/quotes?opportunityId=${dealId}&limit=100&cursor=${first.body.next}`,
    );
    expect(second.body.data.map((q: { id: number }) => q.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect((await otherApi.get('/api/v1/quotes')).body.data).toEqual([]);

    const edited = await repApi.patch(`/api/v1/quotes/${a.id}`, {
      version: 1,
      terms: '质保三年',
      discountPercent: '0',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      terms: '质保三年',
      discountAmount: '0.00',
      total: '259335.00',
      version: 2,
    });
    const stale = await repApi.patch(`/api/v1/quotes/${a.id}`, { version: 1, terms: '旧的' });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ terms: '质保三年', version: 2 });

    expect((await repApi.delete(`/api/v1/quotes/${b.id}`)).status).toBe(204);
    expect((await repApi.get(`/api/v1/quotes/${b.id}`)).status).toBe(404);
  });

  it('submits past the threshold for approval; the approval is told to webhooks as quote.approved', async () => {
    const q = (await create({ lines: [{ ...LINE, discountPercent: '20' }] })).body;
    const submitted = await repApi.post(`/api/v1/quotes/${q.id}/submit`, { version: q.version });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('pending_approval');
    expect(
      (await repApi.patch(`/api/v1/quotes/${q.id}`, { version: submitted.body.version, terms: 'x' })).body,
    ).toMatchObject({ statusCode: 409, message: 'This cannot be done to a quote in its current status.' });
    const m = await signedIn(t, manager);
    await m.get(`/quotes/${q.id}`);
    const { rows: round } = await t.db.query<{ id: number }>(
      `SELECT id FROM approval_round WHERE subject_kind = 'quote' AND subject_id = $1 AND status = 'pending'`,
      [q.id],
    );
    await m.post(`/approvals/${round[0].id}/decide`, { decision: 'approve', comment: '' });
    const { rows } = await t.db.query(
      `SELECT data FROM webhook_event WHERE type = 'quote.approved' AND (data->>'id')::int = $1`,
      [q.id],
    );
    expect(rows.map((r) => r.data)).toEqual([
      expect.objectContaining({ id: q.id, status: 'approved', total: q.total }),
    ]);
  });
});
