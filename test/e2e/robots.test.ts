import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SettingsService } from '../../src/common/settings/settings.service.js';
import {
  ROBOT_DEFAULTS,
  ROBOT_SETTINGS_KEY,
  type RobotSettings,
} from '../../src/notifications/robots/robot-settings.js';
import { RobotsService } from '../../src/notifications/robots/robots.service.js';
import { RulesService } from '../../src/rules/rules.service.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createTeam, createUser, PASSWORD } from '../helpers/factories.js';

/**
 * Group robots: a local HTTP server stands in for both WeCom's and DingTalk's robot endpoints and
 * records what arrives. It checks the JSON each robot takes, DingTalk's timestamp and signature
 * (recomputed here), the retry after an answer with errcode other than 0, that nothing goes out
 * when no robot is set or the event is not chosen, and that two app instances send a firing once.
 */

const DAY = 86_400_000;
const SECRET = 'SECd41b6c2f0e5a4b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c';

interface Received {
  path: string;
  query: URLSearchParams;
  body: { msgtype: string; markdown: Record<string, string> };
  at: number;
}

let a: TestApp;
let b: TestApp;
let server: Server;
let origin: string;
const received: Received[] = [];
/** Answers the server gives, in turn; then `{"errcode":0}`. */
const answers: object[] = [];

const wecomUrl = () => `${origin}/cgi-bin/webhook/send?key=test-wecom-key-0001`;
const dingtalkUrl = () => `${origin}/robot/send?access_token=test-dingtalk-token-0001`;

async function robots(change: Partial<RobotSettings>): Promise<void> {
  const settings = a.app.get(SettingsService);
  const { value, version } = await settings.get(ROBOT_SETTINGS_KEY, ROBOT_DEFAULTS);
  await settings.set(ROBOT_SETTINGS_KEY, { ...value, ...change }, version, ROBOT_DEFAULTS);
}

const to = (path: string) => received.filter((r) => r.path === path);
const wecom = () => to('/cgi-bin/webhook/send');
const dingtalk = () => to('/robot/send');
const mentioning = (list: Received[], text: string) =>
  list.filter((r) => JSON.stringify(r.body).includes(text));

async function vipIdleCustomer(name: string, ownerName: string) {
  const owner = await createUser(a.db, { role: 'sales', name: ownerName });
  const id = await createCustomer(a.db, {
    name,
    ownerId: owner.id,
    lastInteractionAt: new Date(Date.now() - 100 * DAY),
  });
  await a.db.query('UPDATE customer SET vip = true WHERE id = $1', [id]);
  return id;
}

/** What the robots were sent, in the database: one row per robot and message. */
async function messages(text: string) {
  const { rows } = await a.db.query<{ robot: string; status: string; attempts: number; last_error: string }>(
    `SELECT robot, status, attempts, last_error FROM robot_message WHERE body::text LIKE $1 ORDER BY id`,
    [`%${text}%`],
  );
  return rows;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://robot');
      received.push({
        path: url.pathname,
        query: url.searchParams,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
        at: Date.now(),
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answers.shift() ?? { errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  a = await startApp();
  b = await startApp({ databaseUrl: a.config.databaseUrl });
  for (const app of [a, b]) {
    const r = app.app.get(RobotsService);
    r.origins = { wecom: origin, dingtalk: origin };
  }
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await new Promise((ok) => server.close(ok));
});
beforeEach(() => {
  answers.length = 0;
});

describe('RobotsService', () => {
  it('sends nothing when no robot is set, or when the event is not chosen', async () => {
    await robots({ wecomUrl: '', dingtalkUrl: '', dingtalkSecret: '', events: ['vip_idle'] });
    await vipIdleCustomer('Unheard Ltd', 'Owner Unheard');
    await a.app.get(RulesService).vipIdle();

    await robots({ wecomUrl: wecomUrl(), dingtalkUrl: dingtalkUrl(), events: ['threshold'] });
    await vipIdleCustomer('Unchosen Ltd', 'Owner Unchosen');
    await a.app.get(RulesService).vipIdle();
    await a.app.get(RobotsService).deliverDue();

    expect(await messages('Unheard Ltd')).toEqual([]);
    expect(await messages('Unchosen Ltd')).toEqual([]);
    expect(mentioning(received, 'Unheard')).toEqual([]);
    expect(mentioning(received, 'Unchosen')).toEqual([]);
  });

  it('a VIP idle alert reaches each robot once from two instances, in the exact format, user data escaped, DingTalk signed', async () => {
    await robots({
      wecomUrl: wecomUrl(),
      dingtalkUrl: dingtalkUrl(),
      dingtalkSecret: SECRET,
      events: ['vip_idle', 'threshold'],
      locale: 'en',
    });
    const name = '*Star* [Co](evil) #1';
    const id = await vipIdleCustomer(name, 'Owner_Robot');
    const before = Date.now();

    await Promise.all([a.app.get(RulesService).vipIdle(), b.app.get(RulesService).vipIdle()]);
    await a.app.get(RulesService).vipIdle();

    const escaped = '\\*Star\\* \\[Co\\]\\(evil\\) \\#1';
    const text =
      `**VIP customer without contact: ${escaped}**\n\n` +
      `No interaction with ${escaped} for 90 days. Owner: Owner\\_Robot.\n\n` +
      `[Open in Kehu](${a.config.baseUrl}/customers/${id})`;
    await eventually(async () => {
      expect(mentioning(wecom(), 'Star')).toHaveLength(1);
      expect(mentioning(dingtalk(), 'Star')).toHaveLength(1);
    });
    expect(mentioning(wecom(), 'Star')[0].body).toEqual({ msgtype: 'markdown', markdown: { content: text } });
    expect(mentioning(wecom(), 'Star')[0].query.get('key')).toBe('test-wecom-key-0001');

    const ding = mentioning(dingtalk(), 'Star')[0];
    expect(ding.body).toEqual({
      msgtype: 'markdown',
      markdown: { title: `VIP customer without contact: ${name}`, text },
    });
    expect([...ding.query.keys()]).toEqual(['access_token', 'timestamp', 'sign']);
    expect(ding.query.get('access_token')).toBe('test-dingtalk-token-0001');
    const timestamp = Number(ding.query.get('timestamp'));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(ding.at);
    const sign = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
    expect(ding.query.get('sign')).toBe(sign);

    // The robot's answer is recorded just after it arrives.
    await eventually(async () =>
      expect(await messages('Star')).toEqual([
        { robot: 'wecom', status: 'delivered', attempts: 1, last_error: null },
        { robot: 'dingtalk', status: 'delivered', attempts: 1, last_error: null },
      ]),
    );
    // Later runs on either instance send nothing more.
    await Promise.all([a.app.get(RobotsService).deliverDue(), b.app.get(RobotsService).deliverDue()]);
    expect(mentioning(received, 'Star')).toHaveLength(2);
  });

  it('an answer with errcode other than 0 is a failure, logged on the message and retried until errcode 0', async () => {
    await robots({ wecomUrl: '', dingtalkUrl: dingtalkUrl(), dingtalkSecret: '', events: ['vip_idle'] });
    answers.push({ errcode: 310000, errmsg: 'sign not match' });
    await vipIdleCustomer('Retry Ltd', 'Owner Retry');
    await a.app.get(RulesService).vipIdle();

    await eventually(async () =>
      expect(await messages('Retry Ltd')).toEqual([
        { robot: 'dingtalk', status: 'pending', attempts: 1, last_error: 'errcode 310000: sign not match' },
      ]),
    );
    // Without a secret the URL carries no signature.
    expect([...mentioning(dingtalk(), 'Retry Ltd')[0].query.keys()]).toEqual(['access_token']);
    // Not due again yet: nothing is sent.
    await a.app.get(RobotsService).deliverDue();
    expect(mentioning(dingtalk(), 'Retry Ltd')).toHaveLength(1);

    await a.db.query(`UPDATE robot_message SET next_attempt_at = now() WHERE body::text LIKE '%Retry Ltd%'`);
    await a.app.get(RobotsService).deliverDue();
    await eventually(async () =>
      expect(await messages('Retry Ltd')).toEqual([
        { robot: 'dingtalk', status: 'delivered', attempts: 2, last_error: null },
      ]),
    );
    expect(mentioning(dingtalk(), 'Retry Ltd')).toHaveLength(2);
  });

  it('an SLA breach goes to the robots in the company language, once from two watches at once', async () => {
    await robots({ wecomUrl: wecomUrl(), dingtalkUrl: '', events: ['sla_breach'], locale: 'zh-CN' });
    const team = await createTeam(a.db);
    const agent = await createUser(a.db, { role: 'service', teamId: team, name: 'Agent Robot' });
    const customer = await createCustomer(a.db, { name: 'Late Co', ownerId: agent.id });
    const now = new Date();
    const receivedAt = new Date(now.getTime() - 3 * 3_600_000);
    await a.db.query(
      `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
         assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
         resolution_due_at, tracking_token, version)
       VALUES ('T-ROBOT-1', $1, 'Requester', 'phone', 'complaint', 'urgent', 'open', 'Printer on fire', $2, $3, $4, 60, 1440,
               $4::timestamptz + interval '1 hour', $4::timestamptz + interval '1 day', 'tok-robot-1', 1)`,
      [customer, team, agent.id, receivedAt],
    );

    await Promise.all([a.app.get(TicketsService).watchSla(now), b.app.get(TicketsService).watchSla(now)]);

    await eventually(async () => expect(mentioning(wecom(), 'Printer on fire')).toHaveLength(1));
    const content = mentioning(wecom(), 'Printer on fire')[0].body.markdown.content;
    expect(content.startsWith('**SLA 超时：工单 T-ROBOT-1**\n\n')).toBe(true);
    expect(content).toContain('Printer on fire（Late Co）');
    expect(content).toContain('处理人：Agent Robot');
    expect(content).toContain(`(${a.config.baseUrl}/tickets/`);
    expect(await messages('Printer on fire')).toHaveLength(1);
  });

  it('a threshold alert goes to the robots once per month and kind, naming the manager', async () => {
    await robots({ wecomUrl: wecomUrl(), dingtalkUrl: '', events: ['threshold'], locale: 'en' });
    const team = await createTeam(a.db);
    const manager = await createUser(a.db, { role: 'manager', teamId: team, name: 'Boss Robot' });
    await a.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
    const rep = await createUser(a.db, { role: 'service', teamId: team });
    const customer = await createCustomer(a.db, { name: 'Cross Co', ownerId: rep.id });
    const now = new Date();
    // Twenty tickets received (the alerts' least sample), one a complaint: 1 of 1 active customer.
    await a.db.query(
      `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
         assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
         resolution_due_at, tracking_token, version)
       SELECT 'T-ROBOT-2-' || g, $1, 'Requester', 'phone', CASE WHEN g = 1 THEN 'complaint' ELSE 'technical' END,
              'normal', 'open', 'Broken', $2, $3, $4, 120, 1440, $4::timestamptz + interval '2 hours',
              $4::timestamptz + interval '1 day', 'tok-robot-2-' || g, 1
         FROM generate_series(1, 20) g`,
      [customer, team, rep.id, new Date(now.getTime() - 60_000)],
    );

    await Promise.all([a.app.get(RulesService).thresholds(now), b.app.get(RulesService).thresholds(now)]);
    await a.app.get(RulesService).thresholds(now);

    await eventually(async () =>
      expect(mentioning(wecom(), 'Complaint rate of Boss Robot').length).toBeGreaterThan(0),
    );
    const { rows } = await a.db.query(
      `SELECT period FROM rule_firing WHERE rule = 'threshold' AND subject_id = $1`,
      [manager.id],
    );
    await eventually(async () => expect(mentioning(wecom(), 'Boss Robot')).toHaveLength(rows.length));
    const alerts = mentioning(wecom(), 'Boss Robot');
    const above = alerts.find((r) => r.body.markdown.content.includes('above the level'))!;
    expect(above.body.markdown.content).toMatch(
      /^\*\*Alert: Complaint rate\*\*\n\nComplaint rate of Boss Robot's team is .+, above the level of 5%/,
    );
  });

  it('the weekly digest summary goes to the robots once a week', async () => {
    await robots({ wecomUrl: '', dingtalkUrl: dingtalkUrl(), events: ['digest'], locale: 'en' });
    const monday = new Date('2026-11-23T02:00:00Z');
    await Promise.all([a.app.get(RulesService).digest(monday), b.app.get(RulesService).digest(monday)]);
    await a.app.get(RulesService).digest(monday);

    await eventually(async () => expect(mentioning(dingtalk(), 'Weekly KPIs 2026-11-16')).toHaveLength(1));
    const body = mentioning(dingtalk(), 'Weekly KPIs 2026-11-16')[0].body;
    expect(body.markdown.title).toBe('Weekly KPIs 2026-11-16 – 2026-11-22');
    expect(body.markdown.text.split('\n\n')).toHaveLength(12);
    expect(body.markdown.text).toContain('SLA attainment');
  });

  it('the settings page takes only the official robot addresses and never shows a saved key back', async () => {
    const admin = await createUser(a.db, { role: 'admin' });
    const c = new Client(a.url);
    await c.login(admin.email, PASSWORD);
    await robots({ wecomUrl: '', dingtalkUrl: '', dingtalkSecret: '' });
    const { version } = await a.app.get(SettingsService).get(ROBOT_SETTINGS_KEY, ROBOT_DEFAULTS);
    const form = {
      wecomUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef12-3456-7890-wxyz',
      dingtalkUrl: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdeftoken',
      dingtalkSecret: SECRET,
      events: ['threshold', 'digest'],
      locale: 'en',
      version: String(version),
    };
    const path = `/admin/settings/${ROBOT_SETTINGS_KEY}`;
    const refused = await c.submit(
      '/admin/settings',
      { ...form, wecomUrl: 'http://127.0.0.1/cgi-bin/webhook/send?key=abcdefgh1234' },
      path,
    );
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…');

    expect((await c.submit('/admin/settings', form, path)).status).toBe(303);
    const page = (await c.get('/admin/settings')).text;
    expect(visibleText(page)).toContain('Group robots (WeCom, DingTalk)');
    expect(page).not.toContain('abcdef12-3456');
    expect(page).not.toContain('0123456789abcdeftoken');
    expect(page).not.toContain(SECRET);
    expect(visibleText(page)).toContain('key=…wxyz');
    expect(visibleText(page)).toContain('SEC…b1c'.replace('b1c', SECRET.slice(-4)));

    // Saved again with the secret fields left empty: kept. "-" removes one.
    const again = await a.app.get(SettingsService).get(ROBOT_SETTINGS_KEY, ROBOT_DEFAULTS);
    const kept = {
      ...form,
      wecomUrl: '',
      dingtalkUrl: '-',
      dingtalkSecret: '',
      version: String(again.version),
    };
    expect((await c.submit('/admin/settings', kept, path)).status).toBe(303);
    const stored = (await a.app.get(SettingsService).get(ROBOT_SETTINGS_KEY, ROBOT_DEFAULTS)).value;
    expect(stored).toMatchObject({
      wecomUrl: form.wecomUrl,
      dingtalkUrl: '',
      dingtalkSecret: SECRET,
      events: ['threshold', 'digest'],
    });

    const { rows } = await a.db.query(
      `SELECT diff::text AS diff FROM audit_entry WHERE entity = 'setting' AND entity_id = $1`,
      [ROBOT_SETTINGS_KEY],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows as { diff: string }[]) {
      expect(r.diff).not.toContain('abcdef12');
      expect(r.diff).not.toContain(SECRET);
      expect(r.diff).not.toContain('test-wecom-key');
    }
  });
});
