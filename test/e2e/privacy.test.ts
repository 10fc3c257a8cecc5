import { PortalRateLimit, portalKeys } from '../../src/tickets/portal-rate-limit.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../src/common/session-user.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, decodeHtml, visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * A person's requests under 个人信息保护法 (PIPL), answered by an admin on /admin/privacy: the export
 * holds everything Kehu has on them (customer and contact records, follow-ups, the ticket and its mail
 * messages, the survey answer, the mails sent to them, the audit entries naming them); the erasure
 * leaves none of their name, mobile or e-mail in any text or JSON column of any table, keeps every
 * count and amount, and is itself audited without them. Only an admin may, and only with the form's
 * CSRF token and the person's name typed again.
 */
const NAME = '欧阳娜娜';
const MOBILE = '13957124680';
const EMAIL = 'nana.ouyang@lakeside.example';
const ADDRESS = '杭州市西湖区文三路 90 号 5 幢';
// Someone else, at another customer, who must come through untouched.
const OTHER_NAME = '司马相如';
const OTHER_MOBILE = '13811112222';

let t: TestApp;
let admin: UserRow;
let manager: UserRow;
let agent: UserRow;
let adminPage: Client;
let personId: number;
let otherCustomerId: number;
let ticketId: number;
let surveyToken: string;

const one = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await t.db.query(sql, params)).rows[0] as T;

/** Every text, JSON, array and search column of every table in the app's schemas. */
async function textColumns(): Promise<{ schema: string; table: string; column: string; type: string }[]> {
  const { rows } = await t.db.query<{ schema: string; table: string; column: string; type: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.data_type AS type
       FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
      WHERE tb.table_type = 'BASE TABLE'
        AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'tsvector', 'ARRAY', 'bytea'))
      ORDER BY 1, 2, 3`,
  );
  return rows;
}

/** Where `needle` occurs (any case; in bytes, as its UTF-8), as "schema.table.column (n)". */
async function whereFound(needle: string): Promise<string[]> {
  const counts = (await textColumns()).map(({ schema, table, column, type }) => {
    const col = `"${column}"`;
    const matches =
      type === 'bytea'
        ? `position(convert_to($1, 'UTF8') IN ${col}) > 0`
        : `strpos(lower(${col}::text), lower($1)) > 0`;
    return `SELECT '${schema}.${table}.${column}' AS place, count(*) AS n FROM "${schema}"."${table}" WHERE ${matches}`;
  });
  const { rows } = await t.db.query<{ place: string; n: string }>(counts.join('\nUNION ALL\n'), [needle]);
  return rows.filter((r) => Number(r.n) > 0).map((r) => `${r.place} (${r.n})`);
}

/** What must not change when a person is erased: how many records there are, and what they add up to. */
const figures = () =>
  one(
    `SELECT (SELECT count(*) FROM follow_up WHERE customer_id = $1) AS follow_ups,
            (SELECT count(*) FROM ticket WHERE customer_id = $1) AS tickets,
            (SELECT count(*) FROM ticket_message m JOIN ticket k ON k.id = m.ticket_id WHERE k.customer_id = $1) AS messages,
            (SELECT string_agg(csat::text || '/' || coalesce(ces::text, '-'), ',') FROM survey_response WHERE customer_id = $1) AS scores,
            (SELECT sum(amount)::text FROM opportunity WHERE customer_id = $1) AS amount,
            (SELECT string_agg(number || ' ' || amount::text || ' ' || status, ',') FROM contract WHERE customer_id = $1) AS contracts,
            (SELECT count(*) FROM task) AS tasks,
            (SELECT count(*) FROM contact WHERE customer_id = $1) AS contacts,
            (SELECT count(*) FROM outbox_mail) AS mails,
            (SELECT status FROM customer WHERE id = $1) AS status,
            (SELECT owner_id FROM customer WHERE id = $1) AS owner,
            (SELECT first_response_minutes FROM ticket WHERE id = $2) AS first_response_minutes`,
    [personId, ticketId],
  );

beforeAll(async () => {
  t = await startApp();
  await t.db.query(`DELETE FROM pgboss.schedule`);
  const team = await createTeam(t.db, '客服一组');
  admin = await createUser(t.db, { role: 'admin', name: 'Admin' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Manager' });
  agent = await createUser(t.db, { role: 'service', teamId: team, name: 'Agent Wang' });
  const rep = await createUser(t.db, { role: 'sales', teamId: team, name: 'Rep Li' });
  await t.db.query(
    `INSERT INTO ticket_routing (type, team_id) SELECT unnest(ARRAY['consultation', 'technical', 'billing', 'complaint']), $1`,
    [team],
  );
  adminPage = await signedIn(t, admin, 'zh-CN');
  // A webhook endpoint that takes customer and ticket events: their payloads name the person too.
  await t.db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ('http://127.0.0.1:9/hooks', '{customer.created,customer.updated,ticket.created,ticket.resolved}', 'secret', true, true, 1)`,
  );

  // The person, created on the form by the admin (audited with their name, mobile and e-mail).
  const created = await adminPage.submit('/customers/new', {
    kind: 'person',
    name: NAME,
    tier: 'B',
    status: 'active',
    address: ADDRESS,
    notes: `${NAME} 的手机 ${MOBILE}，只在工作日联系`,
    birthday: '1990-06-01',
    ownerId: String(rep.id),
    contactName: NAME,
    contactMobile: MOBILE,
    contactEmail: EMAIL,
  });
  if (created.status !== 303) throw new Error(`creating the person answered ${created.status}`);
  personId = Number(/\/customers\/(\d+)/.exec(created.location!)![1]);
  await adminPage.get(created.location!);
  otherCustomerId = await createCustomer(t.db, { name: '杭州湖畔贸易有限公司' });
  await t.db.query(`INSERT INTO contact (customer_id, name, mobile, version) VALUES ($1, $2, $3, 1)`, [
    otherCustomerId,
    OTHER_NAME,
    OTHER_MOBILE,
  ]);

  // Two follow-ups naming them, a deal with an amount.
  for (const summary of [`拜访${NAME}，她要装修套餐报价`, `电话 139 5712 4680 与${NAME}确认了预算`]) {
    const logged = await adminPage.submit(
      `/follow-ups/new?customer=${personId}`,
      {
        customerId: String(personId),
        method: 'visit',
        happenedAt: '2026-11-02T10:00',
        summary,
        location: ADDRESS,
      },
      '/follow-ups',
    );
    if (logged.status !== 303) throw new Error(`logging a follow-up answered ${logged.status}`);
  }
  await t.db.query(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
     VALUES ($1, $2, $3, 'proposal', 88000.50, 50, '2027-01-31', 1)`,
    [personId, rep.id, `${NAME} 全屋装修套餐`],
  );
  // A signed contract made out to them, and a care task naming them.
  await t.db.query(
    `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, signed_on,
       customer_signatory_name, approval_rounds, version)
     VALUES ('HT-2026-9001', $1, $2, $3, '全屋装修合同', 126000.00, 'signed', '2026-11-10', $2, 0, 1)`,
    [personId, NAME, rep.id],
  );
  await t.db.query(
    `INSERT INTO task (assignee_id, due_on, kind, source_kind, source_id, title, version)
     VALUES ($1, '2026-12-01', 'care', 'customer', $2, $3, 1)`,
    [rep.id, personId, `给${NAME}送生日祝福`],
  );

  // A ticket from their mail, the agent's public reply mailed back, resolved, the survey answered.
  const tickets = t.app.get(TicketsService);
  const me = (await t.app.get(UsersService).findForSession(agent.id)) as SessionUser;
  await tickets.receiveMail({
    messageId: '<nana-1@lakeside.example>',
    inReplyTo: null,
    references: [],
    from: { address: EMAIL, name: NAME },
    to: [{ address: 'support@demo.kehu', name: '' }],
    cc: [],
    subject: `${NAME}：发票抬头写错了`,
    ticketNumber: null,
    body: `你好，我是${NAME}，手机 ${MOBILE}，发票抬头请改成个人。`,
    quoted: `> ${NAME} <${EMAIL}> 写道：`,
    attachments: [
      {
        filename: `${NAME}-发票信息.txt`,
        contentType: 'text/plain',
        size: 64,
        content: Buffer.from(`抬头：${NAME}\n手机：${MOBILE}\n`),
      },
    ],
    receivedAt: new Date(),
    autoReply: false,
  });
  const ticket = await one<{ id: number; version: number }>(
    `SELECT id, version FROM ticket WHERE requester_email = $1`,
    [EMAIL],
  );
  ticketId = ticket.id;
  // They also asked through the portal: its hourly bound counts their addresses.
  await t.app.get(PortalRateLimit, { strict: false }).take(portalKeys('203.0.113.9', EMAIL, MOBILE));
  await t.db.query('UPDATE ticket SET assignee_id = $1 WHERE id = $2', [agent.id, ticketId]);
  const version = async () =>
    (await one<{ version: number }>('SELECT version FROM ticket WHERE id = $1', [ticketId])).version;
  await tickets.reply(ticketId, me, {
    body: `${NAME}您好，发票已改好。`,
    internal: false,
    version: await version(),
  });
  await tickets.resolve(ticketId, me, { version: await version() });
  surveyToken = (
    await one<{ token: string }>('SELECT token FROM survey_response WHERE ticket_id = $1', [ticketId])
  ).token;
  const survey = new Client(t.url);
  const answered = await survey.submit(`/survey/${surveyToken}`, {
    csat: '5',
    ces: '2',
    comment: `我是${NAME}，很满意`,
  });
  if (answered.status !== 303) throw new Error(`answering the survey answered ${answered.status}`);
}, 90_000);
afterAll(() => t?.close());

describe('the request page', () => {
  it('is linked from the person-customer and contact on the 360° page for admins only', async () => {
    const page = decodeHtml((await adminPage.get(`/customers/${personId}`)).text);
    expect(page).toContain(`href="/admin/privacy/customers/${personId}"`);
    const contactId = (await one<{ id: number }>('SELECT id FROM contact WHERE customer_id = $1', [personId]))
      .id;
    expect(page).toContain(`href="/admin/privacy/contacts/${contactId}"`);

    const managerPage = await signedIn(t, manager);
    await t.db.query('UPDATE customer SET owner_id = $1 WHERE id = $2', [manager.id, otherCustomerId]);
    const seen = await managerPage.get(`/customers/${otherCustomerId}`);
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain('/admin/privacy/');
  });

  it('shows, in the admin’s language, how much Kehu holds on them', async () => {
    const page = await adminPage.get(`/admin/privacy/customers/${personId}`);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain(`${NAME} 的个人信息`);
    expect(text).toContain('跟进记录');
    expect(page.text).toContain('name="confirmName"');
    const en = await signedIn(t, admin, 'en');
    expect(visibleText((await en.get(`/admin/privacy/customers/${personId}`)).text)).toContain(
      `Personal data of ${NAME}`,
    );
    await t.db.query(`UPDATE app_user SET locale = 'zh-CN' WHERE id = $1`, [admin.id]);
    // A company is not a person: its people are asked about as contacts.
    expect((await adminPage.get(`/admin/privacy/customers/${otherCustomerId}`)).status).toBe(404);
  });
});

describe('the export', () => {
  it('is one file holding their records, messages, survey, mails and audit entries, labelled in both languages', async () => {
    const reply = await adminPage.get(`/admin/privacy/customers/${personId}/export`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('application/json');
    expect(reply.headers.get('content-disposition')).toContain('attachment');
    const file = JSON.parse(reply.text) as {
      title: string;
      person: string;
      sections: { section: string; count: number; records: Record<string, unknown>[] }[];
    };
    expect(file.title).toBe('客户系统保存的个人信息 / Personal data held by Kehu');
    expect(file.person).toBe(NAME);
    const section = (label: string) => {
      const s = file.sections.find((x) => x.section === label);
      if (!s) throw new Error(`no section ${label} in ${file.sections.map((x) => x.section).join(', ')}`);
      return s;
    };
    expect(section('客户（个人） / Customer (person)').records[0]).toMatchObject({
      '姓名 / Name': NAME,
      '地址 / Address': ADDRESS,
      '生日 / Birthday': '1990-06-01',
    });
    expect(section('联系人 / Contacts').records[0]).toMatchObject({
      '姓名 / Name': NAME,
      '手机 / Mobile': MOBILE,
      '邮箱 / E-mail': EMAIL,
    });
    expect(section('商机 / Opportunities').records[0]).toMatchObject({
      '商机 / Opportunity': `${NAME} 全屋装修套餐`,
      '金额（元） / Amount (CNY)': '88000.50',
    });
    expect(section('合同 / Contracts').records[0]).toMatchObject({
      '合同 / Contract': 'HT-2026-9001',
      '姓名 / Name': NAME,
      '客户签字人 / Their signatory': NAME,
    });
    const summaries = section('跟进记录 / Follow-ups').records.map((r) => r['摘要 / Summary']);
    expect(summaries).toEqual([`拜访${NAME}，她要装修套餐报价`, `电话 139 5712 4680 与${NAME}确认了预算`]);
    expect(section('服务工单 / Service tickets').records[0]).toMatchObject({
      '主题 / Subject': `${NAME}：发票抬头写错了`,
      '邮箱 / E-mail': EMAIL,
    });
    const bodies = section('工单消息 / Ticket messages').records.map((r) => r['正文 / Text']);
    expect(bodies).toContain(`你好，我是${NAME}，手机 ${MOBILE}，发票抬头请改成个人。`);
    expect(bodies).toContain(`${NAME}您好，发票已改好。`);
    expect(section('满意度调查 / Surveys').records[0]).toMatchObject({
      '意见 / Comment': `我是${NAME}，很满意`,
      '满意度（1–5） / Satisfaction (1–5)': 5,
    });
    const mails = section('邮件 / Mails').records;
    expect(mails.length).toBeGreaterThanOrEqual(2); // the reply and the survey invitation
    expect(mails.every((m) => String(m['收件人 / To']).includes(EMAIL))).toBe(true);
    const audit = section('审计日志条目 / Audit log entries').records;
    expect(audit.map((a) => `${String(a['记录 / Record'])}:${String(a['操作 / Action'])}`)).toEqual(
      expect.arrayContaining(['customer:create']),
    );
    expect(JSON.stringify(audit)).toContain(MOBILE);

    // The export itself is audited, without what it held.
    const entry = await one<{ action: string; diff: object; actor_email: string }>(
      `SELECT action, diff, actor_email FROM audit_entry WHERE action = 'export_personal_data' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry).toEqual({ action: 'export_personal_data', diff: {}, actor_email: admin.email });
  });

  it('of a company’s contact holds that contact and not the company’s other people', async () => {
    const contactId = (
      await one<{ id: number }>('SELECT id FROM contact WHERE customer_id = $1', [otherCustomerId])
    ).id;
    const file = JSON.parse((await adminPage.get(`/admin/privacy/contacts/${contactId}/export`)).text) as {
      person: string;
    };
    expect(file.person).toBe(OTHER_NAME);
    expect(JSON.stringify(file)).toContain(OTHER_MOBILE);
    expect(JSON.stringify(file)).not.toContain(MOBILE);
  });
});

describe('the erasure', () => {
  it('is refused to a non-admin (nothing changes)', async () => {
    for (const role of ['manager', 'sales', 'service'] as const) {
      const user =
        role === 'manager' ? manager : role === 'service' ? agent : await createUser(t.db, { role });
      const c = await signedIn(t, user);
      expect([403, 404]).toContain((await c.get(`/admin/privacy/customers/${personId}`)).status);
      expect([403, 404]).toContain((await c.get(`/admin/privacy/customers/${personId}/export`)).status);
      const refused = await c.post(`/admin/privacy/customers/${personId}/erase`, { confirmName: NAME });
      expect([403, 404]).toContain(refused.status);
    }
    expect((await one<{ name: string }>('SELECT name FROM customer WHERE id = $1', [personId])).name).toBe(
      NAME,
    );
  });

  it('is refused without the form’s CSRF token, and with a name that is not theirs', async () => {
    await adminPage.get(`/admin/privacy/customers/${personId}`);
    const forged = await adminPage.post(
      `/admin/privacy/customers/${personId}/erase`,
      { confirmName: NAME },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    const wrong = await adminPage.post(`/admin/privacy/customers/${personId}/erase`, { confirmName: '欧阳' });
    expect(wrong.status).toBe(422);
    expect(visibleText(wrong.text)).toContain('输入的姓名与上方显示的不一致');
    expect((await one<{ name: string }>('SELECT name FROM customer WHERE id = $1', [personId])).name).toBe(
      NAME,
    );
    expect(await whereFound(MOBILE)).not.toEqual([]);
  });

  it('leaves none of their name, mobile or e-mail anywhere, keeps every figure, and is audited without them', async () => {
    const before = await figures();
    const auditCount = Number((await one<{ n: string }>('SELECT count(*) AS n FROM audit_entry')).n);
    // Every place they are found before: the proof below is not empty.
    const foundBefore = await whereFound(NAME);
    expect(await whereFound(MOBILE)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^public\.contact\.mobile /),
        expect.stringMatching(/^public\.customer\.notes /),
        expect.stringMatching(/^public\.ticket_message\.body /),
        expect.stringMatching(/^public\.audit_entry\.diff /),
      ]),
    );
    expect(await whereFound(EMAIL)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^public\.contact\.email /),
        expect.stringMatching(/^public\.outbox_mail\.to /),
        expect.stringMatching(/^public\.survey_response\.sent_to /),
        expect.stringMatching(/^public\.ticket\.requester_email /),
        expect.stringMatching(/^public\.webhook_event\.data /),
        expect.stringMatching(/^public\.portal_request\.key /),
      ]),
    );
    expect(foundBefore).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^public\.customer\.name /),
        expect.stringMatching(/^public\.contact\.name /),
        expect.stringMatching(/^public\.follow_up\.summary /),
        expect.stringMatching(/^public\.ticket\.requester_name /),
        expect.stringMatching(/^public\.ticket\.customer_name /),
        expect.stringMatching(/^public\.ticket_message\.body /),
        expect.stringMatching(/^public\.survey_response\.comment /),
        expect.stringMatching(/^public\.outbox_mail\.html /),
        expect.stringMatching(/^public\.audit_entry\.diff /),
        expect.stringMatching(/^public\.contract\.customer_name /),
        expect.stringMatching(/^public\.contract\.customer_signatory_name /),
        expect.stringMatching(/^public\.opportunity\.title /),
        expect.stringMatching(/^public\.opportunity\.customer_name /),
        expect.stringMatching(/^public\.task\.title /),
        expect.stringMatching(/^public\.webhook_event\.data /),
        expect.stringMatching(/^public\.notification\.params /),
        expect.stringMatching(/^public\.attachment\.file_name /),
        expect.stringMatching(/^public\.attachment\.bytes /),
      ]),
    );

    await adminPage.get(`/admin/privacy/customers/${personId}`);
    const erased = await adminPage.post(`/admin/privacy/customers/${personId}/erase`, {
      confirmName: ` ${NAME} `,
    });
    expect(erased.status).toBe(303);
    expect(erased.location).toBe(`/admin/privacy/customers/${personId}`);
    const after = visibleText((await adminPage.get(erased.location!)).text);
    expect(after).toContain('此人的个人信息已删除。');

    // Their name's pinyin (the search keys) goes too.
    for (const needle of [NAME, MOBILE, EMAIL, ADDRESS, '139 5712 4680', 'ouyang'])
      expect({ needle, found: await whereFound(needle) }).toEqual({ needle, found: [] });

    // Someone else's data is untouched.
    expect(await whereFound(OTHER_NAME)).toContain('public.contact.name (1)');
    expect(await whereFound(OTHER_MOBILE)).toContain('public.contact.mobile (1)');

    // Counts, scores, amounts, the owner and the SLA figures stay.
    expect(await figures()).toEqual(before);
    const customer = await one<{ name: string; kind: string; tier: string }>(
      'SELECT name, kind, tier FROM customer WHERE id = $1',
      [personId],
    );
    expect(customer).toEqual({ name: `[已删除 erased] #${personId}`, kind: 'person', tier: 'B' });

    // The erasure is audited once, by the admin, with counts only.
    const entries = await t.db.query<{
      action: string;
      entity: string;
      entity_id: string;
      actor_email: string;
      diff: Record<string, { to: number }>;
    }>(
      `SELECT action, entity, entity_id, actor_email, diff FROM audit_entry WHERE action = 'erase_personal_data'`,
    );
    expect(entries.rows).toHaveLength(1);
    const entry = entries.rows[0];
    expect(entry).toMatchObject({
      entity: 'customer',
      entity_id: String(personId),
      actor_email: admin.email,
    });
    expect(entry.diff.follow_up.to).toBe(2);
    expect(entry.diff.ticket.to).toBe(1);
    expect(entry.diff.survey.to).toBe(1);
    expect(entry.diff.contract.to).toBe(1);
    expect(entry.diff.opportunity.to).toBe(1);
    expect(Number((await one<{ n: string }>('SELECT count(*) AS n FROM audit_entry')).n)).toBe(
      auditCount + 1,
    );
    // The audit page tells it in the admin's language, counts by kind of record.
    const log = visibleText((await adminPage.get(`/audit?entity=customer&entityId=${personId}`)).text);
    expect(log).toContain('删除个人信息（PIPL 请求）');
    expect(log).toContain('工单消息');
    expect(log).not.toContain(NAME);
    // Older entries keep who did what and when; only the person's values in them are masked.
    const create = await one<{ diff: { name: { to: string } } }>(
      `SELECT diff FROM audit_entry WHERE entity = 'customer' AND entity_id = $1 AND action = 'create'`,
      [String(personId)],
    );
    expect(create.diff.name.to).toBe('[已删除 erased]');

    // The 360° page and the ticket show the mask, and the audit log still refuses other changes.
    const page = visibleText((await adminPage.get(`/customers/${personId}`)).text);
    expect(page).toContain('[已删除 erased]');
    expect(page).not.toContain(NAME);
    await expect(
      t.db.query(`UPDATE audit_entry SET diff = '{}' WHERE entity_id = $1`, [String(personId)]),
    ).rejects.toThrow(/append-only/);
  });
});

describe('erasing a company’s contact', () => {
  it('is all or nothing: a step failing midway leaves every record as it was', async () => {
    const contactId = (
      await one<{ id: number }>('SELECT id FROM contact WHERE customer_id = $1', [otherCustomerId])
    ).id;
    await t.db.query(
      `INSERT INTO follow_up (customer_id, contact_id, author_id, method, happened_at, summary, version)
       VALUES ($1, $2, $3, 'phone', now(), $4, 1)`,
      [otherCustomerId, contactId, admin.id, `与${OTHER_NAME}通话，${OTHER_MOBILE}`],
    );
    // The follow-ups step fails, after the contact was already blanked in the same transaction.
    await t.db.query(`CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'follow-ups are read-only in this test'; END $$`);
    await t.db.query(
      `CREATE TRIGGER refuse_change BEFORE UPDATE ON follow_up FOR EACH ROW EXECUTE FUNCTION refuse_change()`,
    );
    try {
      await adminPage.get(`/admin/privacy/contacts/${contactId}`);
      const failed = await adminPage.post(`/admin/privacy/contacts/${contactId}/erase`, {
        confirmName: OTHER_NAME,
      });
      expect(failed.status).toBe(500);
    } finally {
      await t.db.query(`DROP TRIGGER refuse_change ON follow_up`);
      await t.db.query(`DROP FUNCTION refuse_change()`);
    }
    expect(await one('SELECT name, mobile FROM contact WHERE id = $1', [contactId])).toEqual({
      name: OTHER_NAME,
      mobile: OTHER_MOBILE,
    });
    expect(
      await t.db.query(
        `SELECT 1 FROM audit_entry WHERE action = 'erase_personal_data' AND entity = 'contact'`,
      ),
    ).toMatchObject({
      rowCount: 0,
    });
  });

  it('erases the contact and what names them, and leaves the company and its other records', async () => {
    const contactId = (
      await one<{ id: number }>('SELECT id FROM contact WHERE customer_id = $1', [otherCustomerId])
    ).id;
    await adminPage.get(`/admin/privacy/contacts/${contactId}`);
    const erased = await adminPage.post(`/admin/privacy/contacts/${contactId}/erase`, {
      confirmName: OTHER_NAME,
    });
    expect(erased.status).toBe(303);
    expect(await whereFound(OTHER_NAME)).toEqual([]);
    expect(await whereFound(OTHER_MOBILE)).toEqual([]);
    expect(await one('SELECT name FROM customer WHERE id = $1', [otherCustomerId])).toEqual({
      name: '杭州湖畔贸易有限公司',
    });
    expect(await one('SELECT summary FROM follow_up WHERE contact_id = $1', [contactId])).toEqual({
      summary: '与[已删除 erased]通话，[已删除 erased]',
    });
    expect(
      await one(
        `SELECT entity, diff::text AS diff FROM audit_entry WHERE action = 'erase_personal_data' AND entity = 'contact'`,
      ),
    ).toEqual({
      entity: 'contact',
      diff: expect.not.stringContaining(OTHER_NAME) as unknown,
    });
  });
});
