import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../src/common/time.js';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * /api/v1/contracts/:id/plan, /payments and /invoices: the plan replaced on its version, payments
 * allocated oldest first and told to webhooks as payment.received, invoices within the amount, the
 * same bad input refused as on the pages (with field details), and 404 for a contract out of scope.
 */
let t: TestApp;
let rep: UserRow;
let repApi: ApiClient;
let otherApi: ApiClient;
let customerId: number;

const day = (k: number) =>
  new Date(Date.parse(`${localDay(new Date(), 'Asia/Shanghai')}T00:00:00Z`) + k * 86_400_000)
    .toISOString()
    .slice(0, 10);

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team });
  const other = await createUser(t.db, { role: 'sales' });
  customerId = await createCustomer(t.db, { ownerId: rep.id });
  repApi = await apiAs(t, rep);
  otherApi = await apiAs(t, other);
  await t.db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ('http://127.0.0.1:9/hooks', '{payment.received}', 'secret', true, true, 1)`,
  );
}, 60_000);
afterAll(() => t.close());

let numbers = 0;
async function signedContract(amount: string): Promise<number> {
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on, approval_rounds, version)
     VALUES ($5, $2, '客户', $1, '实施服务', $3, 'signed', $4, 1, 1)
     RETURNING id`,
    [rep.id, customerId, amount, day(-30), `HT-2098-${String(++numbers).padStart(4, '0')}`],
  );
  return rows[0].id;
}

describe('/api/v1/contracts/:id/plan, /payments, /invoices', () => {
  it('replaces the plan on its version, records payments oldest first, issues invoices, tells webhooks', async () => {
    const id = await signedContract('300.00');
    expect((await repApi.get(`/api/v1/contracts/${id}/plan`)).body).toEqual({
      contractId: id,
      version: 0,
      installments: [],
    });
    const bad = await repApi.send(
      'PUT',
      `/api/v1/contracts/${id}/plan`,
      JSON.stringify({ version: 0, installments: [{ dueOn: day(-10), amount: '100.00' }] }),
    );
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('installments');
    const put = await repApi.send(
      'PUT',
      `/api/v1/contracts/${id}/plan`,
      JSON.stringify({
        version: 0,
        installments: [
          { dueOn: day(-10), amount: '100.00' },
          { dueOn: day(10), amount: 200 },
        ],
      }),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({
      version: 1,
      installments: [
        { position: 1, amount: '100.00', collected: '0.00' },
        { position: 2, amount: '200.00', collected: '0.00' },
      ],
    });
    const stale = await repApi.send(
      'PUT',
      `/api/v1/contracts/${id}/plan`,
      JSON.stringify({ version: 0, installments: [{ dueOn: day(1), amount: '300.00' }] }),
    );
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ version: 1 });

    const paid = await repApi.post(`/api/v1/contracts/${id}/payments`, {
      receivedOn: day(-1),
      amount: '150.00',
      method: 'wechat',
      reference: 'WX-0001',
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body).toMatchObject({
      amount: '150.00',
      method: 'wechat',
      allocations: [
        { installmentId: put.body.installments[0].id, amount: '100.00' },
        { installmentId: put.body.installments[1].id, amount: '50.00' },
      ],
      reversedAt: null,
    });
    const over = await repApi.post(`/api/v1/contracts/${id}/payments`, {
      receivedOn: day(-1),
      amount: '150.01',
      method: 'cash',
    });
    expect(over.status).toBe(422);
    expect(JSON.stringify(over.body)).toContain('amount');
    const listed = await repApi.get(`/api/v1/contracts/${id}/payments`);
    expect(listed.body).toMatchObject({ collected: '150.00', outstanding: '150.00', overdue: '0.00' });
    expect(listed.body.data).toHaveLength(1);
    const { rows: events } = await t.db.query(
      `SELECT data FROM webhook_event WHERE type = 'payment.received' AND (data->>'id')::int = $1`,
      [paid.body.id],
    );
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ amount: '150.00', contractId: id }),
    ]);

    const issued = await repApi.post(`/api/v1/contracts/${id}/invoices`, {
      number: '04400212345678',
      issuedOn: day(-1),
      amount: '200.00',
      type: 'vat_special',
      taxRate: '13',
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    expect(issued.body).toMatchObject({ number: '04400212345678', amount: '200.00', taxRate: '13.00' });
    const tooMuch = await repApi.post(`/api/v1/contracts/${id}/invoices`, {
      number: 'X2',
      issuedOn: day(-1),
      amount: '100.01',
      type: 'vat_general',
      taxRate: '6',
    });
    expect(tooMuch.status).toBe(422);
    expect((await repApi.get(`/api/v1/contracts/${id}/invoices`)).body).toMatchObject({
      invoiced: '200.00',
      invoicedNotCollected: '50.00',
      collectedNotInvoiced: '0.00',
    });
  });

  it('answers 404 on every route for a contract out of the token user’s scope', async () => {
    const id = await signedContract('10.00');
    expect((await otherApi.get(`/api/v1/contracts/${id}/plan`)).status).toBe(404);
    expect(
      (
        await otherApi.send(
          'PUT',
          `/api/v1/contracts/${id}/plan`,
          JSON.stringify({ version: 0, installments: [{ dueOn: day(1), amount: '10.00' }] }),
        )
      ).status,
    ).toBe(404);
    expect((await otherApi.get(`/api/v1/contracts/${id}/payments`)).status).toBe(404);
    expect(
      (
        await otherApi.post(`/api/v1/contracts/${id}/payments`, {
          receivedOn: day(-1),
          amount: '1',
          method: 'cash',
        })
      ).status,
    ).toBe(404);
    expect((await otherApi.get(`/api/v1/contracts/${id}/invoices`)).status).toBe(404);
    expect(
      (
        await otherApi.post(`/api/v1/contracts/${id}/invoices`, {
          number: 'N',
          issuedOn: day(-1),
          amount: '1',
          type: 'vat_general',
          taxRate: '6',
        })
      ).status,
    ).toBe(404);
    const { rows } = await t.db.query(
      'SELECT count(*)::int AS n FROM payment_installment WHERE contract_id = $1',
      [id],
    );
    expect(rows[0].n).toBe(0);
  });
});
