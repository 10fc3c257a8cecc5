import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { type ApiClient, apiAs } from '../helpers/api.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Deals through /api/v1/opportunities: created on a customer the token's user works on, listed in their
 * scope (outside it: 404), moved between stages by the pages' rules, and told to webhooks as
 * opportunity.created and opportunity.stage_changed.
 */
let t: TestApp;
let rep: UserRow;
let repApi: ApiClient;
let otherApi: ApiClient;
let managerApi: ApiClient;
let customerId: number;

beforeAll(async () => {
  t = await startApp();
  const team = await createTeam(t.db);
  rep = await createUser(t.db, { role: 'sales', teamId: team });
  const manager = await createUser(t.db, { role: 'manager', teamId: team });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  const other = await createUser(t.db, { role: 'sales' });
  customerId = await createCustomer(t.db, { ownerId: rep.id });
  repApi = await apiAs(t, rep);
  otherApi = await apiAs(t, other);
  managerApi = await apiAs(t, manager);
  await t.db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ('http://127.0.0.1:9/hooks', '{opportunity.created,opportunity.stage_changed}', 'secret', true, true, 1)`,
  );
}, 60_000);
afterAll(() => t.close());

describe('/api/v1/opportunities', () => {
  it('creates a deal at its stage’s probability, exact to the fen, and tells webhooks', async () => {
    const created = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'ERP 升级项目',
      amount: '98000.05',
      stage: 'needs_analysis',
      expectedCloseDate: '2027-03-31',
      source: 'referral',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      customerId,
      ownerId: rep.id,
      stage: 'needs_analysis',
      probability: 25,
      amount: '98000.05',
      expectedCloseDate: '2027-03-31',
      version: 1,
    });
    const { rows } = await t.db.query(
      `SELECT data FROM webhook_event WHERE type = 'opportunity.created' AND (data->>'id')::int = $1`,
      [created.body.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({ title: 'ERP 升级项目', amount: '98000.05' });
  });

  it('refuses bad input with the field named, and creates nothing', async () => {
    const before = (await t.db.query('SELECT count(*)::int AS n FROM opportunity')).rows[0].n;
    const refused = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'Bad',
      amount: '-5',
      expectedCloseDate: '2027-13-01',
      colour: 'red',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.details.map((d: { field: string }) => d.field)).toContain('colour');
    const amount = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'Bad',
      amount: 'abc',
      expectedCloseDate: '2027-01-01',
    });
    expect(amount.status).toBe(422);
    expect(amount.body.details).toEqual([{ field: 'amount', message: expect.any(String) }]);
    // A JSON number is read as its digits: one past the fen is refused as typed text would be.
    const float = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'Bad',
      amount: 0.1 + 0.2,
      expectedCloseDate: '2027-01-01',
    });
    expect(float.body.details).toEqual([{ field: 'amount', message: 'At most two decimal places (fen).' }]);
    const stage = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'Bad',
      amount: '1',
      stage: 'maybe',
      expectedCloseDate: '2027-01-01',
    });
    expect(stage.body.details).toEqual([{ field: 'stage', message: 'Not a valid choice.' }]);
    expect((await t.db.query('SELECT count(*)::int AS n FROM opportunity')).rows[0].n).toBe(before);
    const number = await repApi.post('/api/v1/opportunities', {
      customerId: await createCustomer(t.db, { ownerId: rep.id }),
      title: 'Amount as a number',
      amount: 12500.5,
      expectedCloseDate: '2027-01-01',
    });
    expect(number.status).toBe(201);
    expect(number.body.amount).toBe('12500.50');
  });

  it('lists the deals in the user’s scope a page at a time; another rep’s answers 404', async () => {
    const ids: number[] = [];
    for (const title of ['A', 'B', 'C'])
      ids.push(
        (
          await repApi.post('/api/v1/opportunities', {
            customerId,
            title,
            amount: '1000',
            expectedCloseDate: '2027-01-31',
          })
        ).body.id,
      );
    const first = await repApi.get(`/api/v1/opportunities?customerId=${customerId}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    const second = await repApi.get(
      `/api/v1/opportunities?customerId=${customerId}&limit=2&cursor=${first.body.next}`,
    );
    const all = [...first.body.data, ...second.body.data].map((d: { id: number }) => d.id);
    expect(all).toEqual(expect.arrayContaining(ids));
    // A cursor no page gave is refused, not read as the first page (a client would start over unaware).
    for (const cursor of ['garbage', 'MA', first.body.next + 'x']) {
      const mangled = await repApi.get(`/api/v1/opportunities?customerId=${customerId}&cursor=${cursor}`);
      expect(mangled.status).toBe(422);
      expect(mangled.body.details).toEqual([
        { field: 'cursor', message: expect.stringContaining('ask for the first page again') },
      ]);
    }
    expect((await managerApi.get(`/api/v1/opportunities/${ids[0]}`)).status).toBe(200);
    expect((await otherApi.get(`/api/v1/opportunities/${ids[0]}`)).status).toBe(404);
    expect((await otherApi.get('/api/v1/opportunities')).body.data).toEqual([]);
  });

  it('moves a deal between stages on its version; a stale one answers 409 with the deal as it stands', async () => {
    const { body: deal } = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'Stage me',
      amount: '50000',
      expectedCloseDate: '2027-02-28',
    });
    const moved = await repApi.post(`/api/v1/opportunities/${deal.id}/stage`, {
      stage: 'proposal',
      version: 1,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stage: 'proposal', probability: 50, version: 2 });
    const stale = await repApi.post(`/api/v1/opportunities/${deal.id}/stage`, {
      stage: 'negotiation',
      version: 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ stage: 'proposal', version: 2 });
    const noReason = await repApi.post(`/api/v1/opportunities/${deal.id}/stage`, {
      stage: 'lost',
      version: 2,
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.details).toEqual([
      { field: 'lostReason', message: 'Choose why the deal was lost.' },
    ]);
    const lost = await repApi.post(`/api/v1/opportunities/${deal.id}/stage`, {
      stage: 'lost',
      version: 2,
      lostReason: 'competitor',
    });
    expect(lost.body).toMatchObject({ stage: 'lost', probability: 0, lostReason: 'competitor' });
    expect((await repApi.post(`/api/v1/opportunities/${deal.id}/reopen`, { version: 3 })).status).toBe(403);
    // A lost deal does not move; its stage, not the rep's rights, stands in the way.
    expect(
      (await repApi.post(`/api/v1/opportunities/${deal.id}/stage`, { stage: 'proposal', version: 3 })).body,
    ).toMatchObject({ statusCode: 409, message: 'This deal is won or lost: reopen it before changing it.' });
    const reopened = await managerApi.post(`/api/v1/opportunities/${deal.id}/reopen`, { version: 3 });
    expect(reopened.body).toMatchObject({ stage: 'proposal', lostReason: null });
    expect(
      (await managerApi.post(`/api/v1/opportunities/${deal.id}/reopen`, { version: reopened.body.version }))
        .status,
    ).toBe(409);

    const { rows } = await t.db.query(
      `SELECT data->>'stage' AS stage FROM webhook_event
        WHERE type = 'opportunity.stage_changed' AND (data->>'id')::int = $1 ORDER BY occurred_at`,
      [deal.id],
    );
    expect(rows.map((r) => r.stage)).toEqual(['proposal', 'lost', 'proposal']);
  });

  it('edits a deal with PATCH on its version', async () => {
    const { body: deal } = await repApi.post('/api/v1/opportunities', {
      customerId,
      title: 'Patch me',
      amount: '1000',
      expectedCloseDate: '2027-02-28',
    });
    const patched = await repApi.patch(`/api/v1/opportunities/${deal.id}`, { amount: '2500.50', version: 1 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Patch me', amount: '2500.50', version: 2 });
    const stale = await repApi.patch(`/api/v1/opportunities/${deal.id}`, { title: 'Late', version: 1 });
    expect(stale.status).toBe(409);
  });
});
