import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/common/paths.js';
import { BusinessCalendarService } from '../../src/common/calendar/business-calendar.service.js';
import { addBusinessMinutes } from '../../src/common/calendar/business-time.js';
import { verify } from '../../src/notifications/webhooks/webhook-signature.js';
import { WebhooksService } from '../../src/notifications/webhooks/webhooks.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { type ApiClient, apiAs, makeToken } from '../helpers/api.js';
import { eventually } from '../helpers/eventually.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Tickets through /api/v1/tickets: an agent logs a call with when it came in (the SLA clock starts
 * there, due times on the business calendar), the type's team takes it and one of its agents is
 * assigned; the queues list it as the pages do; another team's agent gets 404; a stale change 409
 * with the ticket as it stands; public replies and internal notes; resolve and reopen; and every
 * step reaches a real webhook receiver, signed.
 */
const SECRET = 'tickets-receiver-secret-0123';

/** A receiver that keeps what it is sent, answering 200. */
class Receiver {
  received: { headers: IncomingHttpHeaders; body: string }[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The events received, each checked against its signature (a bad one throws). */
  events(): { type: string; data: Record<string, unknown> }[] {
    return this.received.map((r) => {
      const signed = verify(
        SECRET,
        { signature: String(r.headers['kehu-signature']), timestamp: String(r.headers['kehu-timestamp']) },
        r.body,
      );
      if (!signed) throw new Error('a delivery with a bad signature');
      return JSON.parse(r.body) as { type: string; data: Record<string, unknown> };
    });
  }

  stop(): Promise<void> {
    return new Promise((ok) => this.server?.close(() => ok()) ?? ok());
  }
}

let t: TestApp;
const receiver = new Receiver();
let desk: number;
let agent: UserRow;
let deskApi: ApiClient;
let otherApi: ApiClient;
let ownerApi: ApiClient;
let customerId: number;
let contactId: number;

beforeAll(async () => {
  t = await startApp();
  await receiver.start();
  desk = await createTeam(t.db, '客服一组');
  const tech = await createTeam(t.db, '技术支持');
  agent = await createUser(t.db, { role: 'service', teamId: desk, name: '赵敏' });
  const other = await createUser(t.db, { role: 'service', teamId: tech, name: '吴强' });
  const owner = await createUser(t.db, { role: 'sales' });
  customerId = await createCustomer(t.db, { ownerId: owner.id, name: '上海华信科技有限公司' });
  contactId = await createContact(t.db, customerId, '王芳');
  await t.db.query(
    `INSERT INTO ticket_routing (type, team_id) VALUES ('billing', $1), ('consultation', $1), ('complaint', $1), ('technical', $2)`,
    [desk, tech],
  );
  deskApi = await apiAs(t, agent);
  otherApi = await apiAs(t, other);
  ownerApi = await apiAs(t, owner);
  await t.db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ($1, '{ticket.created,ticket.assigned,ticket.resolved,ticket.reopened}', $2, true, true, 1)`,
    [receiver.url, SECRET],
  );
}, 60_000);
afterAll(async () => {
  await receiver.stop();
  await t.close();
});

/** A call logged `minutesAgo` minutes ago. */
async function logCall(fields: Record<string, unknown> = {}, minutesAgo = 10) {
  const receivedAt = new Date(Date.now() - minutesAgo * 60_000);
  const created = await deskApi.post('/api/v1/tickets', {
    channel: 'phone',
    type: 'billing',
    subject: '发票抬头错了，需要重开',
    body: '客户来电：上周收到的专票抬头是旧公司名，财务入不了账。',
    customerId,
    contactId,
    // As an agent types it off the phone: kept as its 11 digits.
    requester: { name: '王芳', mobile: '+86 138-1234-5678' },
    receivedAt: receivedAt.toISOString(),
    ...fields,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { ticket: created.body, receivedAt };
}

const ids = (reply: { body: { data: { id: number }[] } }) => reply.body.data.map((r) => r.id);

describe('/api/v1/tickets', () => {
  it('logs a call for its customer: numbered, routed to the team, assigned, due on the business calendar', async () => {
    const { ticket, receivedAt } = await logCall();
    expect(ticket).toMatchObject({
      customerId,
      contactId,
      channel: 'phone',
      type: 'billing',
      priority: 'normal',
      status: 'new',
      teamId: desk,
      assigneeId: agent.id,
      requester: { name: '王芳', mobile: '13812345678', unconfirmed: false },
      version: 1,
    });
    expect(ticket.number).toMatch(/^T-\d{6}$/);
    expect(Date.parse(ticket.receivedAt)).toBe(receivedAt.getTime());
    const calendar = await t.app.get(BusinessCalendarService).calendar();
    expect(ticket.firstResponseDueAt).toBe(
      addBusinessMinutes(receivedAt, ticket.firstResponseTargetMinutes, calendar).toISOString(),
    );
    expect(ticket.resolutionDueAt).toBe(
      addBusinessMinutes(receivedAt, ticket.resolutionTargetMinutes, calendar).toISOString(),
    );
    expect((await deskApi.get(`/api/v1/tickets/${ticket.id}`)).body).toEqual(ticket);
  });

  it('refuses a request from the future, a time without its offset and unknown fields, storing nothing', async () => {
    const before = (await t.db.query('SELECT count(*)::int AS n FROM ticket')).rows[0].n;
    const base = {
      channel: 'phone',
      type: 'billing',
      subject: 'x',
      body: 'y',
      customerId,
      requester: { name: '王芳' },
    };
    const future = await deskApi.post('/api/v1/tickets', {
      ...base,
      receivedAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(422);
    expect(future.body.details.map((d: { field: string }) => d.field)).toEqual(['receivedAt']);
    const local = await deskApi.post('/api/v1/tickets', { ...base, receivedAt: '2026-11-30T09:40:00' });
    expect(local.status).toBe(422);
    expect(local.body.details.map((d: { field: string }) => d.field)).toEqual(['receivedAt']);
    // A channel that is none of the choices is called that, not missing.
    const fax = await deskApi.post('/api/v1/tickets', { ...base, channel: 'fax' });
    expect(fax.body.details).toEqual([{ field: 'channel', message: 'Not a valid choice.' }]);
    const unknown = await deskApi.post('/api/v1/tickets', { ...base, status: 'resolved' });
    expect(unknown.status).toBe(422);
    expect((await t.db.query('SELECT count(*)::int AS n FROM ticket')).rows[0].n).toBe(before);
  });

  it('matches a requester without a customer by mobile, or makes a lead customer to confirm', async () => {
    await t.db.query(`UPDATE contact SET mobile = '13900001111' WHERE id = $1`, [contactId]);
    const known = await deskApi.post('/api/v1/tickets', {
      channel: 'wechat',
      type: 'consultation',
      subject: '合同付款节点咨询',
      body: '第二笔款什么时候付？',
      requester: { name: '王芳', mobile: '13900001111' },
    });
    expect(known.status, JSON.stringify(known.body)).toBe(201);
    expect(known.body).toMatchObject({ customerId, contactId, requester: { unconfirmed: false } });
    const stranger = await deskApi.post('/api/v1/tickets', {
      channel: 'phone',
      type: 'complaint',
      subject: '投诉：上门服务迟到',
      body: '约好九点，十一点才到。',
      requester: { name: '郑海峰', company: '宁波海联物流有限公司', mobile: '13967812345' },
    });
    expect(stranger.status, JSON.stringify(stranger.body)).toBe(201);
    expect(stranger.body.requester).toEqual({
      name: '郑海峰',
      email: null,
      mobile: '13967812345',
      unconfirmed: true,
    });
    const { rows } = await t.db.query('SELECT name, status FROM customer WHERE id = $1', [
      stranger.body.customerId,
    ]);
    expect(rows).toEqual([{ name: '宁波海联物流有限公司', status: 'lead' }]);
    // For a known customer, who asked defaults to the contact named, else the customer.
    const forContact = await deskApi.post('/api/v1/tickets', {
      channel: 'phone',
      type: 'complaint',
      subject: 'x',
      body: 'y',
      customerId,
      contactId,
    });
    expect(forContact.status, JSON.stringify(forContact.body)).toBe(201);
    const { rows: contact } = await t.db.query('SELECT name FROM contact WHERE id = $1', [contactId]);
    expect(forContact.body.requester.name).toBe(contact[0].name);
    // Without a customer, it must be given.
    const nobody = await deskApi.post('/api/v1/tickets', {
      channel: 'phone',
      type: 'complaint',
      subject: 'x',
      body: 'y',
    });
    expect(nobody.status).toBe(422);
    expect(nobody.body.details.map((d: { field: string }) => d.field)).toEqual(['requester']);
    // An integration's request is `web`; `email` and `portal` come in by their own ways.
    const mailed = await deskApi.post('/api/v1/tickets', {
      channel: 'email',
      type: 'complaint',
      subject: 'x',
      body: 'y',
      customerId,
    });
    expect(mailed.status).toBe(422);
    expect(mailed.body.details.map((d: { field: string }) => d.field)).toEqual(['channel']);
  });

  it('lists a ticket in its queues and filters, and not in others', async () => {
    const { ticket } = await logCall({ subject: '对账单金额和发票不一致' });
    expect(ids(await deskApi.get('/api/v1/tickets?queue=mine'))).toContain(ticket.id);
    expect(ids(await deskApi.get('/api/v1/tickets'))).toContain(ticket.id);
    expect(ids(await deskApi.get('/api/v1/tickets?queue=team&type=billing&channel=phone'))).toContain(
      ticket.id,
    );
    expect(ids(await deskApi.get('/api/v1/tickets?queue=team&type=technical'))).not.toContain(ticket.id);
    expect(ids(await deskApi.get('/api/v1/tickets?queue=waiting'))).not.toContain(ticket.id);
    expect(ids(await deskApi.get('/api/v1/tickets?queue=resolved'))).not.toContain(ticket.id);
    expect((await deskApi.get('/api/v1/tickets?queue=team&cursor=WzEsMl0x')).status).toBe(422);
    const row = (await deskApi.get('/api/v1/tickets?queue=mine')).body.data.find(
      (r: { id: number }) => r.id === ticket.id,
    );
    expect(row).toMatchObject({
      number: ticket.number,
      customerName: '上海华信科技有限公司',
      teamName: '客服一组',
      assigneeName: '赵敏',
      dueAt: ticket.firstResponseDueAt,
    });
    const bad = await deskApi.get('/api/v1/tickets?queue=everything');
    expect(bad.status).toBe(422);
  });

  it('answers 404 to another team’s agent, for reading and for changing', async () => {
    const { ticket } = await logCall();
    expect((await otherApi.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(404);
    expect((await otherApi.get(`/api/v1/tickets/${ticket.id}/messages`)).status).toBe(404);
    expect(
      (await otherApi.patch(`/api/v1/tickets/${ticket.id}`, { priority: 'urgent', version: 1 })).status,
    ).toBe(404);
    expect(ids(await otherApi.get('/api/v1/tickets?queue=team'))).not.toContain(ticket.id);
    const { rows } = await t.db.query('SELECT priority, version FROM ticket WHERE id = $1', [ticket.id]);
    expect(rows).toEqual([{ priority: 'normal', version: 1 }]);
    // The customer's owner reads it, and changes nothing; the queues are the agents'.
    const queues = await ownerApi.get('/api/v1/tickets');
    expect(queues.status).toBe(403);
    expect(queues.body).toMatchObject({ statusCode: 403, details: [] });
    expect((await ownerApi.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(200);
    expect(
      (await ownerApi.patch(`/api/v1/tickets/${ticket.id}`, { priority: 'high', version: 1 })).status,
    ).toBe(403);
  });

  it('changes on its version; a stale change answers 409 with the ticket as it stands', async () => {
    const { ticket } = await logCall();
    const changed = await deskApi.patch(`/api/v1/tickets/${ticket.id}`, { priority: 'high', version: 1 });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ priority: 'high', version: 2 });
    const stale = await deskApi.patch(`/api/v1/tickets/${ticket.id}`, { priority: 'low', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ id: ticket.id, priority: 'high', version: 2 });
    const missing = await deskApi.patch(`/api/v1/tickets/${ticket.id}`, { priority: 'low' });
    expect(missing.status).toBe(422);
    expect(
      (await t.db.query('SELECT priority FROM ticket WHERE id = $1', [ticket.id])).rows[0].priority,
    ).toBe('high');
  });

  it('takes a public reply and an internal note, shows the conversation, resolves and reopens', async () => {
    const { ticket } = await logCall();
    const replied = await deskApi.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: '您好，已提交财务重开发票。',
      version: 1,
    });
    expect(replied.status, JSON.stringify(replied.body)).toBe(201);
    expect(replied.body).toMatchObject({ status: 'open', publicReplyCount: 1 });
    expect(replied.body.firstRespondedAt).not.toBeNull();
    const noted = await deskApi.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: '财务说需要先寄回原票。',
      internal: true,
      version: replied.body.version,
    });
    expect(noted.status).toBe(201);
    const conversation = (await deskApi.get(`/api/v1/tickets/${ticket.id}/messages`)).body.data;
    expect(
      conversation.map((m: { body: string; internal: boolean; fromCustomer: boolean }) => [
        m.body,
        m.internal,
        m.fromCustomer,
      ]),
    ).toEqual([
      ['客户来电：上周收到的专票抬头是旧公司名，财务入不了账。', false, true],
      ['您好，已提交财务重开发票。', false, false],
      ['财务说需要先寄回原票。', true, false],
    ]);
    const stale = await deskApi.post(`/api/v1/tickets/${ticket.id}/resolve`, { version: 1 });
    expect(stale.status).toBe(409);
    const resolved = await deskApi.post(`/api/v1/tickets/${ticket.id}/resolve`, {
      version: noted.body.version,
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', dueAt: null });
    expect(resolved.body.resolvedAt).not.toBeNull();
    expect(ids(await deskApi.get('/api/v1/tickets?queue=resolved'))).toContain(ticket.id);
    const twice = await deskApi.post(`/api/v1/tickets/${ticket.id}/resolve`, {
      version: resolved.body.version,
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe('wrong_status');
    const reopened = await deskApi.post(`/api/v1/tickets/${ticket.id}/reopen`, {
      version: resolved.body.version,
    });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', reopenCount: 1, resolvedAt: null });
  });

  it('tells the webhook receiver, signed: created, assigned, resolved, reopened', async () => {
    receiver.received = [];
    const { ticket } = await logCall();
    const resolved = await deskApi.post(`/api/v1/tickets/${ticket.id}/resolve`, { version: 1 });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await deskApi.post(`/api/v1/tickets/${ticket.id}/reopen`, { version: resolved.body.version });
    // Deliveries are due at once: sent here or by the delivery job, whichever claims them first (moving
    // their next attempt forward would undo the job's claim and send them twice).
    await eventually(async () => {
      await t.app.get(WebhooksService).deliverDue();
      const mine = receiver.events().filter((e) => e.data.id === ticket.id);
      expect(mine.map((e) => e.type).sort()).toEqual([
        'ticket.assigned',
        'ticket.created',
        'ticket.reopened',
        'ticket.resolved',
      ]);
    });
    const created = receiver.events().find((e) => e.type === 'ticket.created' && e.data.id === ticket.id)!;
    expect(created.data).toMatchObject({ id: ticket.id, number: ticket.number, customerId, status: 'new' });
    // What the event carries of the ticket is what the API answers for it (at that version).
    expect(ticket).toMatchObject(created.data);
  });

  it('runs the README’s tickets example as written: logs a call, lists my queue, replies, resolves', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Tickets.**'));
    const script = /```sh\n([\s\S]*?)```/.exec(section)![1];
    const readmeCustomer = await createCustomer(t.db, { name: '上海示例贸易有限公司' });
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: mkdtempSync(join(tmpdir(), 'kehu-readme-')),
      env: { ...process.env, KEHU: t.url, TOKEN: await makeToken(t, agent), ID: String(readmeCustomer) },
    });
    const { rows } = await t.db.query(
      `SELECT t.status, t.channel, t.public_reply_count AS replies, t.received_at < now() - interval '9 minutes' AS earlier
         FROM ticket t WHERE t.customer_id = $1`,
      [readmeCustomer],
    );
    expect(rows).toEqual([{ status: 'resolved', channel: 'phone', replies: 1, earlier: true }]);
    expect(stdout).toMatch(/^\{"data":\[/);
    expect(stdout).toContain('"status":"resolved"');
  });
});
