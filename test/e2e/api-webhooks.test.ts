import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/notifications/webhooks/webhook-signature.js';
import { WebhooksService } from '../../src/notifications/webhooks/webhooks.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type ApiClient, apiAs } from '../helpers/api.js';
import type { Client } from '../helpers/client.js';
import { visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, type UserRow } from '../helpers/factories.js';

/**
 * Webhooks against a real HTTP receiver started here: an admin registers it, changes made through the
 * API reach it signed, after an outage of three failed attempts each event arrives (same event id,
 * accepted once), the delivery log shows it all, and targets Kehu must not reach are refused.
 */
const SECRET = 'receiver-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers `failures` requests with 500, then 200; it checks every signature. */
class Receiver {
  received: Received[] = [];
  failures = 0;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const answered = this.failures > 0 ? 500 : 200;
        if (this.failures > 0) this.failures--;
        this.received.push({ headers: req.headers, body, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/kehu`;
  }

  /** Events accepted (answered 200) with a valid signature, by event id: what a de-duplicating receiver keeps. */
  accepted(): Map<string, { type: string; data: Record<string, unknown> }> {
    const kept = new Map<string, { type: string; data: Record<string, unknown> }>();
    for (const r of this.received) {
      const signed = verify(
        SECRET,
        { signature: String(r.headers['kehu-signature']), timestamp: String(r.headers['kehu-timestamp']) },
        r.body,
      );
      if (!signed) throw new Error('a delivery with a bad signature');
      const payload = JSON.parse(r.body) as { id: string; type: string; data: Record<string, unknown> };
      if (r.headers['kehu-event-id'] !== payload.id) throw new Error('the event id header is not the body’s');
      if (r.answered === 200 && !kept.has(payload.id)) kept.set(payload.id, payload);
    }
    return kept;
  }

  stop(): Promise<void> {
    return new Promise((ok) => this.server?.close(() => ok()) ?? ok());
  }
}

let t: TestApp;
let admin: UserRow;
let adminPage: Client;
let rep: UserRow;
let repApi: ApiClient;
const receiver = new Receiver();
let endpointId: number;

/**
 * Runs the next attempt of every pending delivery now (the job's work, without waiting for the
 * pause), once the first attempts that commits started have been made.
 */
async function deliverNow(): Promise<void> {
  await eventually(async () => {
    const { rowCount } = await t.db.query(
      `SELECT 1 FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id
        WHERE e.active AND d.status = 'pending' AND d.attempts = 0`,
    );
    expect(rowCount).toBe(0);
  });
  await t.db.query(`UPDATE webhook_delivery SET next_attempt_at = now() WHERE status = 'pending'`);
  await t.app.get(WebhooksService).deliverDue();
}

beforeAll(async () => {
  t = await startApp();
  await receiver.start();
  admin = await createUser(t.db, { role: 'admin' });
  adminPage = await signedIn(t, admin);
  rep = await createUser(t.db, { role: 'sales' });
  repApi = await apiAs(t, rep);
});
afterAll(async () => {
  await receiver.stop();
  await t.close();
});

describe('registering an endpoint', () => {
  it('offers every event a module declares, named in the admin’s language', async () => {
    const types = t.app.get(WebhooksService).eventTypes();
    expect(types).toEqual(expect.arrayContaining(['payment.received', 'contract.signed', 'quote.approved']));
    for (const lang of ['en', 'zh-CN'] as const) {
      await t.db.query('UPDATE app_user SET locale = $2 WHERE id = $1', [admin.id, lang]);
      const page = await adminPage.get('/admin/webhooks');
      expect(page.status).toBe(200);
      for (const type of types) expect(page.text).toContain(`value="${type}"`);
    }
    await t.db.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [admin.id]);
  });

  it('refuses other schemes, and a loopback target unless the admin ticks "internal"', async () => {
    const ftp = await adminPage.submit('/admin/webhooks', {
      url: 'ftp://127.0.0.1/x',
      events: 'customer.created',
      active: 'on',
    });
    expect(ftp.status).toBe(422);
    expect(visibleText(ftp.text)).toContain('Only http:// and https:// addresses.');
    const loopback = await adminPage.submit('/admin/webhooks', {
      url: receiver.url,
      events: ['customer.created'],
      active: 'on',
    });
    expect(loopback.status).toBe(422);
    expect(visibleText(loopback.text)).toContain('private or loopback address');
    const noEvents = await adminPage.submit('/admin/webhooks', {
      url: receiver.url,
      internal: 'on',
      active: 'on',
    });
    expect(noEvents.status).toBe(422);
    expect((await t.db.query('SELECT 1 FROM webhook_endpoint')).rowCount).toBe(0);
  });

  it('registers an internal endpoint with its events and secret', async () => {
    const made = await adminPage.submit('/admin/webhooks', {
      url: receiver.url,
      events: ['customer.created', 'customer.updated', 'customer.owner_changed', 'follow_up.created'],
      secret: SECRET,
      internal: 'on',
      active: 'on',
      description: 'ERP sync',
    });
    expect(made.status).toBe(303);
    endpointId = Number(/\/admin\/webhooks\/(\d+)/.exec(made.location!)![1]);
    const { rows } = await t.db.query('SELECT url, events, internal, active FROM webhook_endpoint');
    expect(rows).toEqual([
      {
        url: receiver.url,
        events: ['customer.created', 'customer.owner_changed', 'customer.updated', 'follow_up.created'],
        internal: true,
        active: true,
      },
    ]);
    expect((await adminPage.get(`/admin/webhooks/${endpointId}`)).status).toBe(200);
    expect((await (await signedIn(t, rep)).get('/admin/webhooks')).status).toBe(403);
  });
});

describe('delivering', () => {
  it('after three failed attempts, the event arrives, signed, accepted once, with the same id', async () => {
    receiver.failures = 3;
    const created = await repApi.post('/api/v1/customers', { name: 'Webhook 测试有限公司' });
    expect(created.status).toBe(201);
    // The first attempt goes out at once, after the commit (the job queued by it).
    await eventually(async () => expect(receiver.received).toHaveLength(1));
    for (let attempt = 2; attempt <= 4; attempt++) {
      await deliverNow();
      expect(receiver.received).toHaveLength(attempt);
    }
    await deliverNow();
    expect(receiver.received).toHaveLength(4);
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 500, 200]);
    const ids = new Set(receiver.received.map((r) => r.headers['kehu-event-id']));
    expect(ids.size).toBe(1);
    const accepted = [...receiver.accepted().values()];
    expect(accepted).toHaveLength(1);
    expect(accepted[0].type).toBe('customer.created');
    // The resource as the API returns it.
    expect(accepted[0].data).toEqual(created.body);
    const log = await t.db.query(
      'SELECT status, attempts, response_status FROM webhook_delivery WHERE endpoint_id = $1',
      [endpointId],
    );
    expect(log.rows).toEqual([{ status: 'delivered', attempts: 4, response_status: 200 }]);
  });

  it('sends each subscribed event of a change once, and none it was not asked for', async () => {
    receiver.received = [];
    const created = (await repApi.post('/api/v1/customers', { name: '事件订阅测试有限公司' })).body;
    await repApi.patch(`/api/v1/customers/${created.id}`, { tier: 'A', version: created.version });
    await repApi.post('/api/v1/follow-ups', {
      customerId: created.id,
      method: 'phone',
      happenedAt: new Date().toISOString(),
      summary: '电话确认需求',
    });
    await repApi.delete(`/api/v1/customers/${created.id}`);
    await deliverNow();
    await eventually(async () => expect(receiver.received.length).toBeGreaterThanOrEqual(3));
    await deliverNow();
    const types = [...receiver.accepted().values()].map((e) => e.type).sort();
    expect(types).toEqual(['customer.created', 'customer.updated', 'follow_up.created']);
    const updated = [...receiver.accepted().values()].find((e) => e.type === 'customer.updated')!;
    expect(updated.data).toMatchObject({ id: created.id, tier: 'A', version: 2 });
  });

  it('tells of a contact change as customer.updated, and of a release to the pool as customer.owner_changed', async () => {
    receiver.received = [];
    const created = (await repApi.post('/api/v1/customers', { name: '联系人事件测试有限公司' })).body;
    await repApi.post('/api/v1/contacts', { customerId: created.id, name: '赵敏', mobile: '13700001234' });
    const page = await signedIn(t, rep);
    await page.get(`/customers/${created.id}`);
    expect((await page.post(`/customers/${created.id}/release`)).status).toBe(303);
    await deliverNow();
    const events = [...receiver.accepted().values()];
    expect(events.map((e) => e.type)).toEqual([
      'customer.created',
      'customer.updated',
      'customer.owner_changed',
    ]);
    expect(events[1].data).toMatchObject({ contacts: [{ name: '赵敏', mobile: '13700001234' }] });
    expect(events[2].data).toMatchObject({ id: created.id, ownerId: null });
  });

  it('shows the delivery log to the admin, redelivers the same event, and sends a test event', async () => {
    const page = await adminPage.get(`/admin/webhooks/${endpointId}`);
    const text = visibleText(page.text);
    expect(text).toContain('customer.created');
    expect(text).toContain('Delivered');
    expect(page.text).toMatch(/data-label="Attempts">4</);
    const { rows } = await t.db.query(
      `SELECT d.id, d.event_id FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND e.type = 'customer.created' ORDER BY d.id LIMIT 1`,
      [endpointId],
    );
    receiver.received = [];
    const redeliver = await adminPage.post(
      `/admin/webhooks/${endpointId}/deliveries/${rows[0].id}/redeliver`,
    );
    expect(redeliver.status).toBe(303);
    await eventually(async () => expect(receiver.received).toHaveLength(1));
    expect(receiver.received[0].headers['kehu-event-id']).toBe(rows[0].event_id);
    await adminPage.get(`/admin/webhooks/${endpointId}`);
    expect((await adminPage.post(`/admin/webhooks/${endpointId}/test`)).status).toBe(303);
    await eventually(async () => expect(receiver.received).toHaveLength(2));
    expect(JSON.parse(receiver.received[1].body)).toMatchObject({ type: 'ping', data: { endpointId } });
  });
});

describe('targets Kehu must not reach', () => {
  it('does not deliver to a loopback address the admin did not mark internal', async () => {
    receiver.received = [];
    await t.db.query('UPDATE webhook_endpoint SET internal = false WHERE id = $1', [endpointId]);
    await repApi.post('/api/v1/customers', { name: '不可达测试有限公司' });
    await deliverNow();
    expect(receiver.received).toEqual([]);
    const { rows } = await t.db.query(
      `SELECT d.status, d.last_error FROM webhook_delivery d WHERE endpoint_id = $1 ORDER BY id DESC LIMIT 1`,
      [endpointId],
    );
    expect(rows[0]).toMatchObject({
      status: 'pending',
      last_error: expect.stringContaining('private address'),
    });
    await t.db.query('UPDATE webhook_endpoint SET internal = true, failing_since = NULL WHERE id = $1', [
      endpointId,
    ]);
  });

  it('does not follow a redirect', async () => {
    const redirecting = createServer((_req, res) => res.writeHead(302, { location: receiver.url }).end());
    await new Promise<void>((ok) => redirecting.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/moved`;
    const { rows } = await t.db.query(
      `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version) VALUES ($1, '{customer.created}', $2, true, true, 1) RETURNING id`,
      [url, SECRET],
    );
    receiver.received = [];
    await repApi.post('/api/v1/customers', { name: '重定向测试有限公司' });
    await deliverNow();
    const sent = await t.db.query(
      `SELECT status, response_status, last_error FROM webhook_delivery WHERE endpoint_id = $1`,
      [rows[0].id],
    );
    expect(sent.rows[0]).toMatchObject({
      status: 'pending',
      response_status: 302,
      last_error: 'redirect not followed',
    });
    expect(
      receiver.received.filter((r) => JSON.parse(r.body).data.name === '重定向测试有限公司'),
    ).toHaveLength(1);
    await t.db.query('DELETE FROM webhook_endpoint WHERE id = $1', [rows[0].id]);
    await new Promise((ok) => redirecting.close(ok));
  });

  it('pauses an endpoint failing for 24 hours and tells its admin', async () => {
    receiver.failures = 100;
    await t.db.query(
      `UPDATE webhook_endpoint SET failing_since = now() - interval '25 hours' WHERE id = $1`,
      [endpointId],
    );
    await repApi.post('/api/v1/customers', { name: '暂停测试有限公司' });
    await deliverNow();
    const { rows } = await t.db.query('SELECT active FROM webhook_endpoint WHERE id = $1', [endpointId]);
    expect(rows[0].active).toBe(false);
    const told = await t.db.query(
      `SELECT link FROM notification WHERE user_id = $1 AND kind = 'webhook_paused'`,
      [admin.id],
    );
    expect(told.rows).toEqual([{ link: `/admin/webhooks/${endpointId}` }]);
    const list = visibleText((await adminPage.get('/admin/webhooks')).text);
    expect(list).toContain('Paused (failing)');
    receiver.failures = 0;
  });
});

describe('the delivery log', () => {
  it('forgets finished deliveries after 30 days, and keeps those still being tried', async () => {
    await t.db.query(`UPDATE webhook_delivery SET created_at = now() - interval '31 days'`);
    await t.db.query(`UPDATE webhook_event SET occurred_at = now() - interval '31 days'`);
    const pending = (
      await t.db.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE status = 'pending'`)
    ).rows[0].n;
    expect(pending).toBeGreaterThan(0);
    await t.app.get(WebhooksService).prune();
    const left = await t.db.query(`SELECT status, count(*)::int AS n FROM webhook_delivery GROUP BY status`);
    expect(left.rows).toEqual([{ status: 'pending', n: pending }]);
    const orphans = await t.db.query(
      `SELECT 1 FROM webhook_event e WHERE NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id)`,
    );
    expect(orphans.rowCount).toBe(0);
  });
});
