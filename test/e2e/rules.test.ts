import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULE_DEFAULTS, RULE_SETTINGS_KEY } from '../../src/rules/rule-settings.js';
import { RulesService } from '../../src/rules/rules.service.js';
import { SeedService } from '../../src/seed/seed.service.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { apiAs } from '../helpers/api.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createContact, createCustomer, createTeam, createUser, PASSWORD } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';

/**
 * The automation rules: each fires once, with its mail received by a real SMTP peer, and not again
 * when run a second time or by a second app instance on the same database at the same moment.
 */

const DAY = 86_400_000;
let a: TestApp;
let b: TestApp;
let smtp: SmtpPeer;
let rulesA: RulesService;
let rulesB: RulesService;
let tickets: TicketsService;

/** The day in the company's zone (Asia/Shanghai). */
const shanghaiDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);

/** Runs a rule on both instances at once, then once more on the first. */
async function runEverywhere(run: (r: RulesService) => Promise<number>): Promise<number> {
  const [x, y] = await Promise.all([run(rulesA), run(rulesB)]);
  return x + y + (await run(rulesA));
}

const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
/** A received mail's HTML part, quoted-printable undone. */
const bodyOf = (raw: string) =>
  Buffer.from(
    raw
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

async function firings(rule: string) {
  const { rows } = await a.db.query(
    'SELECT subject_kind, subject_id, period, customer_id FROM rule_firing WHERE rule = $1 ORDER BY id',
    [rule],
  );
  return rows;
}

async function contactWithEmail(customerId: number, name: string, email: string, primary = true) {
  const id = await createContact(a.db, customerId, name);
  await a.db.query('UPDATE contact SET email = $2, "primary" = $3 WHERE id = $1', [id, email, primary]);
  return id;
}

/** A service team with its manager (in `locale`), an agent and a customer the agent owns. */
async function serviceTeam(locale: 'en' | 'zh-CN', customerName: string) {
  const team = await createTeam(a.db);
  const manager = await createUser(a.db, { role: 'manager', teamId: team, locale });
  await a.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  const rep = await createUser(a.db, { role: 'service', teamId: team });
  const customer = await createCustomer(a.db, { name: customerName, ownerId: rep.id });
  return { team, manager, rep: { id: rep.id, teamId: team }, customer };
}

let ticketBatch = 0;
/**
 * `n` tickets of the agent's team, received at `at`; open, or resolved an hour later with a first
 * answer after ten minutes, within both targets ('met') or past the resolution target ('late').
 */
async function ticketsOf(
  rep: { id: number; teamId: number },
  customer: number,
  n: number,
  at: Date,
  o: { type?: string; resolved?: 'met' | 'late' } = {},
) {
  const batch = `R${++ticketBatch}`;
  await a.db.query(
    `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
       assignee_id, received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
       resolution_due_at, first_responded_at, resolved_at, tracking_token, version)
     SELECT 'T-' || $6 || '-' || g, $1, 'Requester', 'phone', $5, 'normal',
            CASE WHEN $7::text IS NULL THEN 'open' ELSE 'resolved' END, 'Ticket', $2, $3, $4, 120, 1440,
            $4::timestamptz + interval '2 hours',
            $4::timestamptz + CASE WHEN $7 = 'late' THEN interval '30 minutes' ELSE interval '1 day' END,
            CASE WHEN $7::text IS NULL THEN NULL ELSE $4::timestamptz + interval '10 minutes' END,
            CASE WHEN $7::text IS NULL THEN NULL ELSE $4::timestamptz + interval '1 hour' END,
            'tok-' || $6 || '-' || g, 1
       FROM generate_series(1, $8::int) g`,
    [customer, rep.teamId, rep.id, at, o.type ?? 'technical', batch, o.resolved ?? null, n],
  );
}

/** The threshold alerts fired for a manager, by period key. */
async function thresholdFirings(managerId: number): Promise<string[]> {
  return (await firings('threshold')).filter((f) => f.subject_id === managerId).map((f) => f.period);
}

/** Changes some of the rules' settings, as an admin's save would (every instance reads it next). */
async function setRules(values: Partial<typeof RULE_DEFAULTS>) {
  await a.db.query(
    `INSERT INTO setting (key, value, version) VALUES ($1, $2::jsonb, 1)
     ON CONFLICT (key) DO UPDATE SET value = setting.value || EXCLUDED.value, version = setting.version + 1`,
    [RULE_SETTINGS_KEY, JSON.stringify(values)],
  );
}

beforeAll(async () => {
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();
  a = await startApp({ smtpUrl: smtp.url });
  b = await startApp({ smtpUrl: smtp.url, databaseUrl: a.config.databaseUrl });
  rulesA = a.app.get(RulesService);
  rulesB = b.app.get(RulesService);
  tickets = a.app.get(TicketsService);
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await smtp.stop();
});

describe('RulesService', () => {
  it('a VIP customer without contact for 90 days: one care task, alert and mail to the owner, on the timeline and in the audit log', async () => {
    const team = await createTeam(a.db);
    const owner = await createUser(a.db, { role: 'sales', teamId: team, name: 'Owner Vip' });
    const idle = await createCustomer(a.db, {
      name: 'Quiet VIP Ltd',
      ownerId: owner.id,
      lastInteractionAt: new Date(Date.now() - 100 * DAY),
    });
    const recent = await createCustomer(a.db, {
      name: 'Busy VIP Ltd',
      ownerId: owner.id,
      lastInteractionAt: new Date(Date.now() - 10 * DAY),
    });
    await a.db.query('UPDATE customer SET vip = true WHERE id = ANY($1)', [[idle, recent]]);

    await runEverywhere((r) => r.vipIdle());

    expect(await firings('vip_idle')).toEqual([
      expect.objectContaining({ subject_kind: 'customer', subject_id: idle, customer_id: idle }),
    ]);
    const { rows: tasks } = await a.db.query(
      `SELECT kind, source_kind, source_id, label_key FROM task WHERE assignee_id = $1`,
      [owner.id],
    );
    expect(tasks).toEqual([
      { kind: 'care', source_kind: 'customer', source_id: idle, label_key: 'task.rule.vip_idle' },
    ]);
    const { rows: notes } = await a.db.query('SELECT kind, params FROM notification WHERE user_id = $1', [
      owner.id,
    ]);
    expect(notes).toEqual([{ kind: 'rule_vip_idle', params: { customer: 'Quiet VIP Ltd', days: 90 } }]);
    await eventually(async () => expect(mailsTo(owner.email)).toHaveLength(1));
    expect(bodyOf(mailsTo(owner.email)[0].raw)).toContain('Quiet VIP Ltd');

    const { rows: audit } = await a.db.query(
      `SELECT action, entity_id FROM audit_entry WHERE entity = 'customer' AND action = 'rule_fired' AND entity_id = $1`,
      [String(idle)],
    );
    expect(audit).toHaveLength(1);

    const c = new Client(a.url);
    await c.login(owner.email, PASSWORD);
    const page = visibleText((await c.get(`/customers/${idle}`)).text);
    expect(page).toContain('Rule: VIP customer without contact, care task made');
    const day = visibleText((await c.get('/')).text);
    expect(day).toContain('Care call (no contact for a long time)');
  });

  it('a completed contract: one satisfaction survey to the primary contact seven days later; its page asks the contract question', async () => {
    const team = await createTeam(a.db);
    const manager = await createUser(a.db, { role: 'manager', teamId: team, name: 'Boss Csat' });
    await a.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
    const owner = await createUser(a.db, { role: 'sales', teamId: team, name: 'Owner Csat' });
    const customer = await createCustomer(a.db, { name: 'Done Deal Co', ownerId: owner.id });
    await contactWithEmail(customer, 'Primary Person', 'primary.person@example.com');
    const { rows } = await a.db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, signed_on, status, completed_at, version)
       VALUES ('HT-RULE-0001', $1, 'Done Deal Co', $2, 'Rollout', '1000.00', '2026-01-05', 'completed', $3, 1),
              ('HT-RULE-0002', $1, 'Done Deal Co', $2, 'Too fresh', '1000.00', '2026-01-05', 'completed', $4, 1)
       RETURNING id`,
      [customer, owner.id, new Date(Date.now() - 8 * DAY), new Date(Date.now() - 2 * DAY)],
    );

    await runEverywhere((r) => r.contractSurveys());

    expect(await firings('contract_survey')).toEqual([
      expect.objectContaining({ subject_kind: 'contract', subject_id: rows[0].id, customer_id: customer }),
    ]);
    const { rows: surveys } = await a.db.query(
      `SELECT kind, contract_id, token, sent_to FROM survey_response WHERE customer_id = $1`,
      [customer],
    );
    expect(surveys).toEqual([
      expect.objectContaining({
        kind: 'contract',
        contract_id: rows[0].id,
        sent_to: 'primary.person@example.com',
      }),
    ]);
    await eventually(async () => expect(mailsTo('primary.person@example.com')).toHaveLength(1));
    const mail = bodyOf(mailsTo('primary.person@example.com')[0].raw);
    expect(mail).toContain(`/survey/${surveys[0].token}`);
    expect(mail).toContain('/unsubscribe/');
    expect(mail).toContain('HT-RULE-0001');

    const view = await tickets.surveyByToken(surveys[0].token);
    expect(view).toMatchObject({ kind: 'contract', state: 'open' });
    await expect(tickets.answerSurvey(surveys[0].token, { comment: 'no score' })).rejects.toMatchObject({
      status: 422,
    });

    // 2. The low score it gets: a care task to the owner, a mail to the owner's manager, once.
    await tickets.answerSurvey(surveys[0].token, { csat: 2, comment: 'Late <b>again</b>' });
    await runEverywhere((r) => r.lowCsat());
    expect(await firings('low_csat')).toEqual([
      expect.objectContaining({ subject_kind: 'survey', customer_id: customer }),
    ]);
    const { rows: tasks } = await a.db.query(`SELECT kind, label_key FROM task WHERE assignee_id = $1`, [
      owner.id,
    ]);
    expect(tasks).toEqual([{ kind: 'care', label_key: 'task.rule.low_csat' }]);
    await eventually(async () => expect(mailsTo(manager.email)).toHaveLength(1));
    const toManager = bodyOf(mailsTo(manager.email)[0].raw);
    expect(toManager).toContain('Done Deal Co');
    expect(toManager).toContain('Late &lt;b&gt;again&lt;/b&gt;');
  });

  it('the quarterly NPS survey: once per contact and quarter, skipping the recently surveyed and those who opted out', async () => {
    const owner = await createUser(a.db, { role: 'sales' });
    const asked = await createCustomer(a.db, { name: 'Nps Asked', ownerId: owner.id });
    const optedOut = await createCustomer(a.db, { name: 'Nps Out', ownerId: owner.id });
    const recent = await createCustomer(a.db, { name: 'Nps Recent', ownerId: owner.id });
    const lead = await createCustomer(a.db, { name: 'Nps Lead', ownerId: owner.id, status: 'lead' });
    const askedContact = await contactWithEmail(asked, 'Nps One', 'nps.one@example.com');
    const outContact = await contactWithEmail(optedOut, 'Nps Two', 'nps.two@example.com');
    const recentContact = await contactWithEmail(recent, 'Nps Three', 'nps.three@example.com');
    await contactWithEmail(lead, 'Nps Four', 'nps.four@example.com');
    await a.db.query('UPDATE contact SET mail_opt_out = true WHERE id = $1', [outContact]);
    await a.db.query(
      `INSERT INTO survey_response (kind, customer_id, contact_id, sent_to, token, sent_at, expires_at)
       VALUES ('nps', $1, $2, 'nps.three@example.com', 'recent-token-recent-token-0001', now() - interval '10 days', now())`,
      [recent, recentContact],
    );

    await runEverywhere((r) => r.npsSurveys());

    const sent = (await firings('nps')).map((f) => f.subject_id);
    expect(sent).toContain(askedContact);
    expect(sent).not.toContain(outContact);
    expect(sent).not.toContain(recentContact);
    expect(sent.filter((id) => id === askedContact)).toHaveLength(1);
    await eventually(async () => expect(mailsTo('nps.one@example.com')).toHaveLength(1));
    expect(mailsTo('nps.two@example.com')).toHaveLength(0);
    expect(mailsTo('nps.four@example.com')).toHaveLength(0);

    const { rows } = await a.db.query(`SELECT token FROM survey_response WHERE contact_id = $1`, [
      askedContact,
    ]);
    expect(await tickets.surveyByToken(rows[0].token)).toMatchObject({ kind: 'nps', state: 'open' });
    await expect(tickets.answerSurvey(rows[0].token, { nps: 11 })).rejects.toMatchObject({ status: 422 });
    await tickets.answerSurvey(rows[0].token, { nps: 9, comment: 'Good' });
    const { rows: answered } = await a.db.query(`SELECT nps, csat FROM survey_response WHERE token = $1`, [
      rows[0].token,
    ]);
    expect(answered).toEqual([{ nps: 9, csat: null }]);
  });

  it('greets VIP contacts on their birthday and on National Day from the admin template, escaped, honouring the opt-out', async () => {
    const admin = await createUser(a.db, { role: 'admin' });
    const c = new Client(a.url);
    await c.login(admin.email, PASSWORD);
    expect(visibleText((await c.get('/admin/settings')).text)).toContain('Automation rules');
    const saved = await c.submit(
      '/admin/settings',
      {
        ...Object.fromEntries(Object.entries(RULE_DEFAULTS).map(([k, v]) => [k, String(v)])),
        contactLocale: 'en',
        birthdayEn: 'Dear {{contact.name}}, happy birthday from {{company.name}}! {{unknown}}',
        version: '0',
      },
      `/admin/settings/${RULE_SETTINGS_KEY}`,
    );
    expect(saved.status).toBe(303);
    const refused = await c.submit(
      '/admin/settings',
      {
        ...Object.fromEntries(Object.entries(RULE_DEFAULTS).map(([k, v]) => [k, String(v)])),
        vipIdleDays: '0',
        holidayZh: '',
        version: '1',
      },
      `/admin/settings/${RULE_SETTINGS_KEY}`,
    );
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('VIP customer with no interaction for (days)');
    const { rows: kept } = await a.db.query(
      `SELECT value->>'vipIdleDays' AS days FROM setting WHERE key = $1`,
      [RULE_SETTINGS_KEY],
    );
    expect(kept).toEqual([{ days: '90' }]);

    const now = new Date();
    const today = shanghaiDay(now);
    const vip = await createCustomer(a.db, { name: 'Vip Greeted' });
    const plain = await createCustomer(a.db, { name: 'Not Vip' });
    await a.db.query('UPDATE customer SET vip = true WHERE id = $1', [vip]);
    const born = await contactWithEmail(vip, '<i>Ann</i>', 'ann.bday@example.com', false);
    const out = await contactWithEmail(vip, 'Bob Out', 'bob.bday@example.com', false);
    const notVip = await contactWithEmail(plain, 'Cid', 'cid.bday@example.com', false);
    await a.db.query(`UPDATE contact SET birthday = $2 WHERE id = ANY($1)`, [
      [born, out, notVip],
      `1980-${today.slice(5)}`,
    ]);

    // Bob unsubscribes through the link any of Kehu's mails to him would carry.
    const token = /\/unsubscribe\/(.+)$/.exec(rulesA.unsubscribeUrl(out))![1];
    const guest = new Client(a.url);
    expect((await guest.get('/unsubscribe/1.bad')).status).toBe(404);
    const ask = await guest.get(`/unsubscribe/${token}`);
    expect(ask.status).toBe(200);
    expect((await guest.post(`/unsubscribe/${token}`, {})).status).toBe(200);
    const { rows: choice } = await a.db.query('SELECT mail_opt_out FROM contact WHERE id = $1', [out]);
    expect(choice).toEqual([{ mail_opt_out: true }]);
    // The 360° page and the contact form show the choice, and whoever edits the customer can change it.
    expect(visibleText((await c.get(`/customers/${vip}`)).text)).toContain('Bob Out No mail');
    const form = (await c.get(`/customers/${vip}/contacts/${out}/edit`)).text;
    expect(form).toMatch(/<input type="checkbox" name="mailOptOut" value="on" checked>/);
    const carol = await contactWithEmail(vip, 'Carol', 'carol.bday@example.com', false);
    const edited = await c.submit(`/customers/${vip}/contacts/${carol}/edit`, {
      name: 'Carol',
      email: 'carol.bday@example.com',
      mailOptOut: 'on',
      version: '1',
    });
    expect(edited.status).toBe(303);
    const { rows: carolChoice } = await a.db.query('SELECT mail_opt_out FROM contact WHERE id = $1', [carol]);
    expect(carolChoice).toEqual([{ mail_opt_out: true }]);
    // The API shows the choice, and an edit that does not name it keeps it.
    const api = await apiAs(a, admin);
    const patched = await api.patch(`/api/v1/contacts/${carol}`, { title: 'CFO', version: 2 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'CFO', mailOptOut: true });

    await runEverywhere((r) => r.greetings(now));
    expect((await firings('birthday')).map((f) => f.subject_id)).toEqual([born]);
    await eventually(async () => expect(mailsTo('ann.bday@example.com')).toHaveLength(1));
    const mail = bodyOf(mailsTo('ann.bday@example.com')[0].raw).split('text/html')[1];
    expect(mail).toContain('Dear &lt;i&gt;Ann&lt;/i&gt;, happy birthday from Kehu!');
    expect(mail).toContain('{{unknown}}');
    expect(mail).not.toContain('<i>Ann</i>');
    expect(mailsTo('bob.bday@example.com')).toHaveLength(0);
    expect(mailsTo('cid.bday@example.com')).toHaveLength(0);

    const nationalDay = new Date('2026-10-01T01:00:00Z');
    await runEverywhere((r) => r.greetings(nationalDay));
    const holiday = await firings('holiday');
    expect(holiday.filter((f) => f.subject_id === born)).toEqual([
      expect.objectContaining({ period: '2026-10-01', customer_id: vip }),
    ]);
    expect(holiday.some((f) => f.subject_id === out)).toBe(false);
    await eventually(async () => expect(mailsTo('ann.bday@example.com')).toHaveLength(2));
    expect(mailsTo('ann.bday@example.com')[1].raw).toMatch(/Subject: .*National Day|Subject: =\?UTF-8/);
  });

  it('alerts a manager once a month when the complaint rate passes the level, judged on at least 20 tickets received', async () => {
    const { manager, rep, customer } = await serviceTeam('zh-CN', 'Angry Co');
    const now = new Date('2026-11-20T04:00:00Z');
    await ticketsOf(rep, customer, 1, new Date('2026-11-19T02:00:00Z'), { type: 'complaint' });

    // One complaint among one ticket is no rate to judge: nothing fires, and the month's alert is kept.
    await runEverywhere((r) => r.thresholds(now));
    expect(await thresholdFirings(manager.id)).toEqual([]);

    await ticketsOf(rep, customer, 19, new Date('2026-11-19T03:00:00Z'));
    await runEverywhere((r) => r.thresholds(now));

    expect(await thresholdFirings(manager.id)).toEqual(['2026-11:complaint_rate:above']);
    const { rows: notes } = await a.db.query(
      `SELECT kind, params FROM notification WHERE user_id = $1 AND kind LIKE 'rule_threshold_%'`,
      [manager.id],
    );
    expect(notes).toEqual([
      {
        kind: 'rule_threshold_above',
        params: { month: '2026-11', kpi: 'complaint_rate', value: 1, level: 5 },
      },
    ]);
    await eventually(async () => expect(mailsTo(manager.email)).toHaveLength(1));
    const mail = bodyOf(mailsTo(manager.email)[0].raw);
    expect(mail).toContain('您团队2026年11月至今的投诉率为 100.0%，高于预警线 5%');
  });

  it('shows its firings in the audit log labelled in the reader’s language, not as codes', async () => {
    const { manager, rep, customer } = await serviceTeam('en', 'Audited Co');
    await ticketsOf(rep, customer, 20, new Date('2026-11-19T02:00:00Z'), { type: 'complaint' });
    await rulesA.thresholds(new Date('2026-11-20T04:00:00Z'));
    expect(await thresholdFirings(manager.id)).toEqual(['2026-11:complaint_rate:above']);
    const admin = await createUser(a.db, { role: 'admin' });
    const audit = async (locale: 'en' | 'zh-CN') =>
      visibleText(
        (await (await signedIn(a, admin, locale)).get(`/audit?entity=user&entityId=${manager.id}`)).text,
      );
    const en = await audit('en');
    for (const line of [
      'Rule fired',
      'Rule: → Threshold alert',
      'Period: → November 2026',
      'Figure: → Complaint rate',
      'Alert: → Above the alert level',
      'Value: → 2000.0%', // 20 complaints of its one active customer
      'Tickets judged on: → 20',
    ])
      expect(en).toContain(line);
    // In the order the rule tells them: the rule, its period, the figure…
    expect(en).toMatch(/Rule: → Threshold alert Period: → November 2026 Figure: → Complaint rate Alert: →/);
    const zh = await audit('zh-CN');
    for (const line of [
      '规则： → 阈值预警',
      '指标： → 投诉率',
      '预警类型： → 高于预警线',
      '数值： → 2000.0%',
    ])
      expect(zh).toContain(line);
    for (const page of [en, zh])
      for (const code of ['complaint_rate', 'threshold', 'above', 'kpi:', 'ticketsBefore'])
        expect(page).not.toContain(code);
  });

  it('alerts a manager once when SLA attainment falls below the level on 20 resolved tickets, not on one late ticket on the 1st; each reader sees it in their language', async () => {
    const { manager, rep, customer } = await serviceTeam('en', 'Slow Co');
    // 08:00 on the 1st in Shanghai: one ticket resolved late since midnight.
    await ticketsOf(rep, customer, 1, new Date('2026-10-31T22:00:00Z'), { resolved: 'late' });
    await runEverywhere((r) => r.thresholds(new Date('2026-11-01T00:00:00Z')));
    expect(await thresholdFirings(manager.id)).toEqual([]);
    expect(mailsTo(manager.email)).toHaveLength(0);

    // By the 20th, 25 resolved, 12 within their targets: 48.0%, below 90%.
    await ticketsOf(rep, customer, 12, new Date('2026-11-10T02:00:00Z'), { resolved: 'late' });
    await ticketsOf(rep, customer, 12, new Date('2026-11-10T02:00:00Z'), { resolved: 'met' });
    await runEverywhere((r) => r.thresholds(new Date('2026-11-20T04:00:00Z')));
    await runEverywhere((r) => r.thresholds(new Date('2026-11-25T04:00:00Z')));

    expect(await thresholdFirings(manager.id)).toEqual(['2026-11:sla_attainment:below']);
    await eventually(async () => expect(mailsTo(manager.email)).toHaveLength(1));
    const mail = mailsTo(manager.email)[0];
    expect(mail.raw).toMatch(/Subject: Alert: SLA attainment at 48\.0%/);
    expect(bodyOf(mail.raw)).toContain(
      "Your team's SLA attainment is 48.0% in November 2026 so far, below the alert level of 90%",
    );

    // The alert is kept as the month, the KPI and its figure; the list shows it in the reader's language
    // of today, naming the month it is about however much later it is read (today is past November 2026).
    const en = await signedIn(a, manager, 'en');
    const enList = visibleText((await en.get('/notifications')).text);
    expect(enList).toContain('SLA attainment was 48.0% in November 2026, below the alert level of 90%.');
    expect(enList).not.toContain('this month');
    const zh = await signedIn(a, manager, 'zh-CN');
    const zhList = visibleText((await zh.get('/notifications')).text);
    expect(zhList).toContain('2026年11月SLA 达成率为 48.0%，低于预警线 90%。');
    expect(zhList).not.toContain('SLA attainment');
    expect(zhList).not.toContain('本月');

    // One kept by an older Kehu, without its month, is about the month it was made in (in Shanghai).
    await a.db.query(
      `INSERT INTO notification (user_id, kind, params, link, created_at)
       VALUES ($1, 'rule_threshold_above', $2, '/dashboard', '2026-09-30T16:30:00Z')`,
      [manager.id, JSON.stringify({ kpi: 'complaint_rate', value: 0.08, level: 5 })],
    );
    expect(visibleText((await zh.get('/notifications')).text)).toContain(
      '2026年10月投诉率为 8.0%，高于预警线 5%。',
    );
  });

  it('alerts on a jump of SLA attainment against the same days of the month before, not against the whole month, and only on enough tickets', async () => {
    const { manager, rep, customer } = await serviceTeam('en', 'Jumpy Co');
    await setRules({ slaAttainmentBelow: 40, slaDropPoints: 50 });
    try {
      // October 1–20: 20 resolved within their targets (100%); October 25: 20 late, so all October
      // reads 50%.
      await ticketsOf(rep, customer, 20, new Date('2026-10-10T02:00:00Z'), { resolved: 'met' });
      await ticketsOf(rep, customer, 20, new Date('2026-10-25T02:00:00Z'), { resolved: 'late' });
      const now = new Date('2026-11-20T04:00:00Z');

      // November so far: 5 resolved, all late. Too few to judge: neither the level nor the jump fires.
      await ticketsOf(rep, customer, 5, new Date('2026-11-12T02:00:00Z'), { resolved: 'late' });
      await runEverywhere((r) => r.thresholds(now));
      expect(await thresholdFirings(manager.id)).toEqual([]);

      // 20 resolved, 9 within their targets: 45.0%, above the level of 40% and against a whole
      // October of 50% no jump, but half of the 100% of October 1–20.
      await ticketsOf(rep, customer, 9, new Date('2026-11-12T02:00:00Z'), { resolved: 'met' });
      await ticketsOf(rep, customer, 6, new Date('2026-11-12T02:00:00Z'), { resolved: 'late' });
      await runEverywhere((r) => r.thresholds(now));
      await runEverywhere((r) => r.thresholds(new Date('2026-11-21T04:00:00Z')));

      expect(await thresholdFirings(manager.id)).toEqual(['2026-11:sla_attainment:jump']);
      await eventually(async () => expect(mailsTo(manager.email)).toHaveLength(1));
      expect(bodyOf(mailsTo(manager.email)[0].raw)).toContain(
        "Your team's SLA attainment moved from 100.0% in the same days of last month to 45.0% in November 2026 so far (▼ −55.0 pts).",
      );
    } finally {
      await setRules({
        slaAttainmentBelow: RULE_DEFAULTS.slaAttainmentBelow,
        slaDropPoints: RULE_DEFAULTS.slaDropPoints,
      });
    }
  });

  it('with the default settings, alerts on a fall of SLA attainment that has not crossed the level, and on a rise of the complaint rate under its level', async () => {
    const { manager, rep, customer } = await serviceTeam('en', 'Slipping Co');
    // October 1–20: 20 resolved within their targets (100%), 40 received of which 1 complaint.
    await ticketsOf(rep, customer, 20, new Date('2026-10-10T02:00:00Z'), { resolved: 'met' });
    await ticketsOf(rep, customer, 19, new Date('2026-10-10T02:00:00Z'));
    await ticketsOf(rep, customer, 1, new Date('2026-10-10T02:00:00Z'), { type: 'complaint' });
    // Forty active customers. November to the 20th: 25 resolved, 23 within their targets (92.0%: still
    // above the level of 90%, 8 points under October's same days), and 2 complaints of 45 received (5.0%
    // of the customers: not above the level of 5%, but twice October's 2.5%).
    for (let i = 0; i < 39; i++) await createCustomer(a.db, { name: `Slipping ${i}`, ownerId: rep.id });
    await ticketsOf(rep, customer, 23, new Date('2026-11-12T02:00:00Z'), { resolved: 'met' });
    await ticketsOf(rep, customer, 2, new Date('2026-11-12T02:00:00Z'), { resolved: 'late' });
    await ticketsOf(rep, customer, 18, new Date('2026-11-12T02:00:00Z'));
    await ticketsOf(rep, customer, 2, new Date('2026-11-12T02:00:00Z'), { type: 'complaint' });
    await runEverywhere((r) => r.thresholds(new Date('2026-11-20T04:00:00Z')));

    expect((await thresholdFirings(manager.id)).sort()).toEqual([
      '2026-11:complaint_rate:jump',
      '2026-11:sla_attainment:jump',
    ]);
    const en = visibleText((await (await signedIn(a, manager, 'en')).get('/notifications')).text);
    expect(en).toContain(
      'SLA attainment moved from 100.0% to 92.0% in November 2026, against the same days of the month before (▼ −8.0 pts).',
    );
    expect(en).toContain('Complaint rate moved from 2.5% to 5.0% in November 2026');
  });

  it("takes the alerts' least number of tickets from /admin/settings, shown in both languages", async () => {
    const admin = await createUser(a.db, { role: 'admin' });
    const zh = await signedIn(a, admin, 'zh-CN');
    const zhPage = visibleText((await zh.get('/admin/settings')).text);
    expect(zhPage).toContain('预警起判工单数（当月）');
    expect(zhPage).toContain('当月已解决工单达到此数才判断 SLA 达成率');
    const c = await signedIn(a, admin, 'en');
    expect(visibleText((await c.get('/admin/settings')).text)).toContain(
      'Alerts judge from (tickets in the month)',
    );
    const { rows } = await a.db.query<{ value: Record<string, unknown>; version: number }>(
      'SELECT value, version FROM setting WHERE key = $1',
      [RULE_SETTINGS_KEY],
    );
    const form = (alertMinTickets: string, version: number) =>
      c.submit(
        '/admin/settings',
        {
          ...Object.fromEntries(
            Object.entries({ ...RULE_DEFAULTS, ...(rows[0]?.value ?? {}) }).map(([k, v]) => [k, String(v)]),
          ),
          alertMinTickets,
          version: String(version),
        },
        `/admin/settings/${RULE_SETTINGS_KEY}`,
      );
    const version = rows[0]?.version ?? 0;
    expect((await form('0', version)).status).toBe(422);
    expect((await form('1', version)).status).toBe(303);
    try {
      const { manager, rep, customer } = await serviceTeam('en', 'Single Complaint Co');
      await ticketsOf(rep, customer, 1, new Date('2026-11-19T02:00:00Z'), { type: 'complaint' });
      await runEverywhere((r) => r.thresholds(new Date('2026-11-20T04:00:00Z')));
      expect(await thresholdFirings(manager.id)).toEqual(['2026-11:complaint_rate:above']);
    } finally {
      await setRules({ alertMinTickets: RULE_DEFAULTS.alertMinTickets });
    }
  });

  it("mails a low score to the active admins when the owner's team has no manager", async () => {
    const team = await createTeam(a.db);
    const owner = await createUser(a.db, { role: 'sales', teamId: team, name: 'Owner Alone' });
    const admin = await createUser(a.db, { role: 'admin', locale: 'zh-CN', name: 'Admin Active' });
    const gone = await createUser(a.db, { role: 'admin', name: 'Admin Gone', active: false });
    const customer = await createCustomer(a.db, { name: 'Unmanaged Co', ownerId: owner.id });
    const contact = await contactWithEmail(customer, 'Low Scorer', 'low.scorer@example.com');
    await a.db.query(
      `INSERT INTO survey_response (kind, customer_id, contact_id, sent_to, token, sent_at, expires_at, answered_at, csat, comment)
       VALUES ('contract', $1, $2, 'low.scorer@example.com', 'low-score-token-unmanaged-0001', now() - interval '1 day',
               now() + interval '10 days', now(), 1, 'Nobody called')`,
      [customer, contact],
    );

    await runEverywhere((r) => r.lowCsat());

    expect((await firings('low_csat')).filter((f) => f.customer_id === customer)).toHaveLength(1);
    await eventually(async () => expect(mailsTo(admin.email)).toHaveLength(1));
    const mail = bodyOf(mailsTo(admin.email)[0].raw);
    expect(mail).toContain('Unmanaged Co 的满意度评分为 1 分');
    expect(mail).toContain('Owner Alone 所在团队没有经理，因此此邮件发给管理员。');
    expect(mailsTo(gone.email)).toHaveLength(0);
  });

  it('sends each manager one weekly digest in their language, none to one who opted out on the account page', async () => {
    const t1 = await createTeam(a.db);
    const t2 = await createTeam(a.db);
    const zh = await createUser(a.db, { role: 'manager', teamId: t1, locale: 'zh-CN' });
    const quiet = await createUser(a.db, { role: 'manager', teamId: t2, locale: 'en' });
    const t3 = await createTeam(a.db);
    const en = await createUser(a.db, { role: 'manager', teamId: t3, locale: 'en' });
    await a.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [en.id, t3]);
    await a.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [zh.id, t1]);
    await a.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [quiet.id, t2]);
    const c = new Client(a.url);
    await c.login(quiet.email, PASSWORD);
    expect(visibleText((await c.get('/account')).text)).toContain('Weekly KPI digest');
    expect((await c.submit('/account', {}, '/account/digest')).status).toBe(303);
    const { rows: pref } = await a.db.query('SELECT digest_opt_out FROM app_user WHERE id = $1', [quiet.id]);
    expect(pref).toEqual([{ digest_opt_out: true }]);

    const monday = new Date('2026-11-30T00:00:00Z');
    await runEverywhere((r) => r.digest(monday));

    const sent = (await firings('digest')).filter((f) => [zh.id, quiet.id, en.id].includes(f.subject_id));
    expect(sent).toEqual([
      expect.objectContaining({ subject_id: zh.id, period: '2026-11-23' }),
      expect.objectContaining({ subject_id: en.id, period: '2026-11-23' }),
    ]);
    await eventually(async () => expect(mailsTo(zh.email)).toHaveLength(1));
    const mail = bodyOf(mailsTo(zh.email)[0].raw);
    expect(mail).toContain('较上周');
    expect(mail).toContain('较上月同周');
    expect(mail).toContain('2026-11-23');
    expect(mail).toContain('SLA 达成率');
    expect(mail).not.toContain('SLA attainment');
    expect(mailsTo(quiet.email)).toHaveLength(0);

    await eventually(async () => expect(mailsTo(en.email)).toHaveLength(1));
    const english = mailsTo(en.email)[0];
    const enMail = bodyOf(english.raw);
    expect(enMail).toContain("Your team's KPIs from 2026-11-23 to 2026-11-29");
    expect(enMail).toContain('vs last week');
    expect(enMail).toContain('vs a month ago');
    expect(enMail).toContain('SLA attainment');
    expect(enMail).toContain('Complaint rate');
    expect(enMail).not.toContain('较上周');
    expect(enMail).not.toContain('投诉率');
  });

  it('the demo company shows firings on a fresh start: an overdue VIP care task, an answered NPS survey; the rules do not repeat them', async () => {
    expect(await a.app.get(SeedService).seedDemoOnce(60)).toBe(true);
    const { rows: task } = await a.db.query(
      `SELECT t.due_on < current_date AS overdue, u.email, t.source_id AS customer_id
         FROM task t JOIN app_user u ON u.id = t.assignee_id
        WHERE t.label_key = 'task.rule.vip_idle' AND t.due_on < current_date`,
    );
    expect(task).toHaveLength(1);
    const vip = task;
    const { rows: nps } = await a.db.query(
      `SELECT count(*)::int AS n FROM survey_response WHERE kind = 'nps' AND answered_at IS NOT NULL AND sent_to NOT LIKE '%example.com'`,
    );
    expect(nps[0].n).toBeGreaterThanOrEqual(1);
    const before = (await firings('vip_idle')).length;
    await rulesA.vipIdle();
    expect((await firings('vip_idle')).filter((f) => f.customer_id === vip[0].customer_id)).toHaveLength(1);
    expect((await firings('vip_idle')).length).toBeGreaterThanOrEqual(before);

    const c = new Client(a.url);
    await c.login(task[0].email, 'kehu-demo-2026');
    const page = visibleText((await c.get(`/customers/${vip[0].customer_id}`)).text);
    expect(page).toContain('规则：VIP 客户长期未联系，已创建关怀待办');
  }, 120_000);
});
