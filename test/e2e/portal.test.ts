import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, decodeHtml, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser } from '../helpers/factories.js';

/**
 * The public portal as a customer uses it, signed in nowhere, on a phone: the request form in both
 * languages, its errors beside the fields with the typed text kept, the page with the number and the
 * tracking link, the tracking page with public replies only and the customer's own reply; and what
 * keeps it from being abused: the CSRF token, the honeypot that drops bots silently, the hourly bound
 * per IP address and per e-mail or mobile, unknown tokens answered 404.
 */
let t: TestApp;
let teamId: number;

beforeAll(async () => {
  // The proxy on loopback is believed, so each visitor below comes from an IP address of their own.
  t = await startApp({ trustProxy: 'loopback' });
  teamId = await createTeam(t.db, '客服一组');
  await createUser(t.db, { role: 'service', teamId, name: '客服小王' });
  await t.db.query(`INSERT INTO ticket_routing (type, team_id) VALUES ('technical', $1)`, [teamId]);
}, 60_000);
afterAll(() => t.close());

let lastIp = 0;
const nextIp = () => `203.0.113.${++lastIp}`;
/** A visitor's browser: its language, and its IP address as the proxy reports it. */
const client = (lang: 'en' | 'zh-CN' = 'en', ip = nextIp()) =>
  new Client(t.url, { 'accept-language': lang, 'x-forwarded-for': ip });

const request = (fields: Record<string, string> = {}) => ({
  name: '李娜',
  company: '杭州云帆贸易有限公司',
  mobile: '',
  email: `li.na.${Math.random().toString(36).slice(2, 8)}@yunfan.cn`,
  type: 'technical',
  subject: '打印机无法连接',
  description: '办公室的打印机从昨天开始无法连接到系统。',
  website: '',
  ...fields,
});

const countTickets = async (subject: string) =>
  Number(
    (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM ticket WHERE subject = $1', [subject]))
      .rows[0].n,
  );

describe('the portal form', () => {
  it('speaks Chinese and English, with a language switch and the fields a customer fills in', async () => {
    const zh = await client('zh-CN').get('/portal/tickets/new');
    expect(zh.status).toBe(200);
    const zhText = visibleText(zh.text);
    expect(zhText).toContain('联系客服');
    expect(zhText).toContain('问题描述');
    expect(zh.text).toContain('id="locale-select"');
    expect(zh.text).toContain('name="_csrf"');
    const en = await client('en').get('/portal/tickets/new');
    expect(visibleText(en.text)).toContain('Contact support');
    // No menu of a signed-in user on the public page.
    expect(en.text).not.toContain('href="/customers"');
  });

  it('opens a ticket, shows its number and tracking link, and the link shows the request', async () => {
    const c = client('zh-CN');
    const fields = request({ subject: `打印机无法连接 ${Date.now()}` });
    const sent = await c.submit('/portal/tickets/new', fields);
    expect(sent.status).toBe(303);
    expect(sent.location).toBe('/portal/tickets/sent');
    const page = await c.get('/portal/tickets/sent');
    const stored = await t.db.query<{
      number: string;
      tracking_token: string;
      channel: string;
      team_id: number;
    }>('SELECT number, tracking_token, channel, team_id FROM ticket WHERE subject = $1', [fields.subject]);
    expect(stored.rows).toHaveLength(1);
    const ticket = stored.rows[0];
    expect(ticket.channel).toBe('portal');
    expect(ticket.team_id).toBe(teamId);
    expect(visibleText(page.text)).toContain(ticket.number);
    const link = /href="([^"]+)" data-testid="tracking-link"/.exec(page.text)?.[1];
    expect(decodeHtml(link!)).toBe(`/portal/tickets/${ticket.tracking_token}`);
    // Reloaded, the page still gives the way back: without an e-mail there is no other.
    expect((await c.get('/portal/tickets/sent')).text).toContain(link);

    const tracking = await c.get(`/portal/tickets/${ticket.tracking_token}`);
    expect(tracking.status).toBe(200);
    expect(visibleText(tracking.text)).toContain(fields.description);
    expect(visibleText(tracking.text)).toContain('已收到');
  });

  it('shows the errors beside the fields and keeps what was typed', async () => {
    const c = client('en');
    const subject = `Printer ${Date.now()}`;
    const refused = await c.submit(
      '/portal/tickets/new',
      request({ name: '', email: 'not-an-address', subject }),
    );
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="e-name"[\s\S]*Required/);
    expect(refused.text).toMatch(/id="e-email"[\s\S]*valid e-mail/);
    expect(refused.text).toContain(`value="${subject}"`);
    expect(refused.text).toContain('value="not-an-address"');
    expect(await countTickets(subject)).toBe(0);
  });

  it('asks for a mobile or an e-mail, along with the other fields’ errors', async () => {
    const c = client('en');
    const subject = `No address ${Date.now()}`;
    const refused = await c.submit(
      '/portal/tickets/new',
      request({ name: '', email: '', mobile: '', subject }),
    );
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('Give a mobile or an e-mail, so we can answer you.');
    expect(refused.text).toMatch(/id="e-name"[\s\S]*Required/);
    expect(await countTickets(subject)).toBe(0);
  });

  it('refuses a mobile nobody could call back, as the agents’ form does', async () => {
    const subject = `Short mobile ${Date.now()}`;
    const refused = await client('zh-CN').submit(
      '/portal/tickets/new',
      request({ email: '', mobile: '1381234', subject }),
    );
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('手机号应为 11 位，此号码位数不对。');
    expect(refused.text).toContain('value="1381234"');
    expect(await countTickets(subject)).toBe(0);
    const sent = await client('zh-CN').submit(
      '/portal/tickets/new',
      request({ email: '', mobile: '138 1234 5678', subject }),
    );
    expect(sent.status).toBe(303);
    expect(await countTickets(subject)).toBe(1);
  });

  it('adds someone new from a company Kehu knows to that customer, for an agent to confirm', async () => {
    const known = await createCustomer(t.db, { name: '苏州恒信精密机械有限公司' });
    const subject = `Known company ${Date.now()}`;
    const sent = await client('zh-CN').submit(
      '/portal/tickets/new',
      request({ name: '陈新', company: '苏州恒信精密机械有限公司', subject }),
    );
    expect(sent.status).toBe(303);
    const { rows } = await t.db.query<{ customer_id: number; requester_unconfirmed: boolean }>(
      'SELECT customer_id, requester_unconfirmed FROM ticket WHERE subject = $1',
      [subject],
    );
    expect(rows).toEqual([{ customer_id: known, requester_unconfirmed: true }]);
    const same = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM customer WHERE name = '苏州恒信精密机械有限公司' AND deleted_at IS NULL`,
    );
    expect(same.rows[0].n).toBe(1);
    const contacts = await t.db.query<{ name: string }>(
      'SELECT name FROM contact WHERE customer_id = $1 AND deleted_at IS NULL',
      [known],
    );
    expect(contacts.rows.map((r) => r.name)).toContain('陈新');
  });

  it('refuses a form without the CSRF token, and stores nothing', async () => {
    const c = client('en');
    await c.get('/portal/tickets/new');
    const subject = `Forged ${Date.now()}`;
    const forged = await c.post('/portal/tickets/new', request({ subject }), { csrf: false });
    expect(forged.status).toBe(403);
    expect(await countTickets(subject)).toBe(0);
  });

  it('tells a bot that filled in the honeypot that it was received, and keeps nothing', async () => {
    const c = client('en');
    const subject = `Cheap watches ${Date.now()}`;
    const sent = await c.submit('/portal/tickets/new', request({ subject, website: 'http://spam.example' }));
    expect(sent.status).toBe(303);
    const page = await c.get(sent.location!);
    expect(visibleText(page.text)).toContain('Your request has been received.');
    expect(page.text).not.toContain('data-testid="tracking-link"');
    expect(await countTickets(subject)).toBe(0);
  });

  it('takes five requests an hour from one e-mail address, then says when to try again', async () => {
    const email = `busy.${Date.now()}@example.cn`;
    const subjects: string[] = [];
    for (let i = 0; i < 5; i++) {
      // A fresh browser each time: the bound is on the address, not on the session.
      const subject = `Request ${i} ${email}`;
      subjects.push(subject);
      const sent = await client('en').submit('/portal/tickets/new', request({ email, subject }));
      expect(sent.status).toBe(303);
    }
    const sixth = await client('zh-CN').submit(
      '/portal/tickets/new',
      request({ email, subject: `Sixth ${email}` }),
    );
    expect(sixth.status).toBe(429);
    expect(visibleText(sixth.text)).toMatch(/请求过多，请 \d+ 分钟后再试/);
    // The form is shown again with what was typed.
    expect(sixth.text).toContain(`value="Sixth ${email}"`);
    expect(await countTickets(`Sixth ${email}`)).toBe(0);
    for (const s of subjects) expect(await countTickets(s)).toBe(1);
  });

  it('takes five requests an hour from one IP address, whatever addresses they give', async () => {
    const ip = nextIp();
    for (let i = 0; i < 5; i++) {
      const sent = await client('en', ip).submit(
        '/portal/tickets/new',
        request({ subject: `From ${ip} ${i}` }),
      );
      expect(sent.status).toBe(303);
    }
    const sixth = await client('en', ip).submit('/portal/tickets/new', request({ subject: `From ${ip} 5` }));
    expect(sixth.status).toBe(429);
    expect(visibleText(sixth.text)).toMatch(
      /Too many requests from here in the last hour\. Please try again in \d+ minutes/,
    );
    expect(await countTickets(`From ${ip} 5`)).toBe(0);
    // Another visitor is not held up by it.
    const other = await client('en').submit(
      '/portal/tickets/new',
      request({ subject: `From elsewhere ${ip}` }),
    );
    expect(other.status).toBe(303);
  });

  it('keeps a screenshot sent with the request, with its name', async () => {
    // A browser session by hand: the page's cookie and token, then the form as multipart.
    const ip = nextIp();
    const page = await fetch(`${t.url}/portal/tickets/new`, { headers: { 'x-forwarded-for': ip } });
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const subject = `With a screenshot ${ip}`;
    const form = new FormData();
    form.append('_csrf', csrf);
    for (const [k, v] of Object.entries(request({ subject }))) form.append(k, v);
    // The smallest PNG: a 1×1 pixel.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    form.append('files', new Blob([new Uint8Array(png)], { type: 'image/png' }), '打印机报错截图.png');
    const sent = await fetch(`${t.url}/portal/tickets/new`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie, 'x-forwarded-for': ip },
    });
    expect(sent.status).toBe(303);
    const stored = await t.db.query<{ file_name: string; content_type: string }>(
      `SELECT a.file_name, a.content_type FROM attachment a
         JOIN ticket_message m ON a.owner_kind = 'ticket_message' AND a.owner_id = m.id
         JOIN ticket tk ON tk.id = m.ticket_id WHERE tk.subject = $1`,
      [subject],
    );
    expect(stored.rows).toEqual([{ file_name: '打印机报错截图.png', content_type: 'image/png' }]);
  });
});

describe('the tracking page', () => {
  it('answers 404 for a token nobody was given', async () => {
    expect((await client().get('/portal/tickets/AAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    const unknown = await client('zh-CN').get('/portal/tickets/short');
    expect(unknown.status).toBe(404);
    // The customer is sent on to the portal's form, not to a page of the staff's.
    expect(unknown.text).toContain('href="/portal/tickets/new">再提交一个请求</a>');
    expect(unknown.text).not.toContain('返回我的一天');
  });

  it("shows public replies and never internal notes; the customer's reply joins the conversation", async () => {
    const c = client('en');
    const fields = request({ subject: `Tracking ${Date.now()}` });
    await c.submit('/portal/tickets/new', fields);
    const { rows } = await t.db.query<{ id: number; tracking_token: string }>(
      'SELECT id, tracking_token FROM ticket WHERE subject = $1',
      [fields.subject],
    );
    const { id, tracking_token: token } = rows[0];
    const agent = (await t.db.query<{ id: number }>(`SELECT id FROM app_user WHERE name = '客服小王'`))
      .rows[0].id;
    await t.db.query(
      `INSERT INTO ticket_message (ticket_id, author_id, author_name, from_customer, internal, body)
       VALUES ($1, $2, '客服小王', false, false, 'Please restart the print spooler.'),
              ($1, $2, '客服小王', false, true, 'Customer on the old driver; internal only.')`,
      [id, agent],
    );
    const page = await c.get(`/portal/tickets/${token}`);
    const shown = visibleText(page.text);
    expect(shown).toContain('Please restart the print spooler.');
    expect(shown).not.toContain('internal only');

    const replied = await c.post(`/portal/tickets/${token}/reply`, {
      body: 'Restarted, it works now. Thanks!',
    });
    expect(replied.status).toBe(303);
    const stored = await t.db.query<{ from_customer: boolean }>(
      `SELECT from_customer FROM ticket_message WHERE ticket_id = $1 AND body = 'Restarted, it works now. Thanks!'`,
      [id],
    );
    expect(stored.rows).toEqual([{ from_customer: true }]);
    const after = await c.get(`/portal/tickets/${token}`);
    expect(visibleText(after.text)).toContain('Your reply was sent.');
  });

  it('refuses an empty reply beside the field', async () => {
    const c = client('en');
    const fields = request({ subject: `Empty reply ${Date.now()}` });
    await c.submit('/portal/tickets/new', fields);
    const token = (
      await t.db.query<{ tracking_token: string }>('SELECT tracking_token FROM ticket WHERE subject = $1', [
        fields.subject,
      ])
    ).rows[0].tracking_token;
    await c.get(`/portal/tickets/${token}`);
    const refused = await c.post(`/portal/tickets/${token}/reply`, { body: '  ' });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="e-body"[\s\S]*Required/);
  });
});
