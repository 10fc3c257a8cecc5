import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../src/common/session-user.js';
import type { InboundMail } from '../../src/tickets/inbound/inbound-mail.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';

/**
 * Working tickets through TicketsService on the real database, with mail going out to a real SMTP
 * peer: public replies and notes, status and priority changes in the history, transfer, merge,
 * resolve with the survey, answering it once, the customer's replies (reopen within 7 days, a new
 * ticket later), inbound mail, auto-close, queues and who sees what.
 */
let t: TestApp;
let smtp: SmtpPeer;
let tickets: TicketsService;
let team: number;
let support: number;
let agent: UserRow;
let colleague: UserRow;
let manager: UserRow;
let techAgent: UserRow;
let rep: UserRow;
let me: SessionUser;

const session = async (u: UserRow) => (await t.app.get(UsersService).findForSession(u.id))!;
const version = async (id: number) =>
  (await t.db.query<{ version: number }>('SELECT version FROM ticket WHERE id = $1', [id])).rows[0].version;
const stored = async (id: number) => (await t.db.query('SELECT * FROM ticket WHERE id = $1', [id])).rows[0];

beforeAll(async () => {
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();
  t = await startApp({ smtpUrl: smtp.url });
  await t.db.query(`DELETE FROM pgboss.schedule WHERE name IN ('tickets.sla-watch', 'tickets.auto-close')`);
  tickets = t.app.get(TicketsService);
  team = await createTeam(t.db, '客服一组');
  support = await createTeam(t.db, '技术支持');
  agent = await createUser(t.db, { role: 'service', teamId: team, name: 'Wang Fang' });
  colleague = await createUser(t.db, { role: 'service', teamId: team, name: 'Zhou Jie', locale: 'zh-CN' });
  await t.db.query('UPDATE app_user SET away_since = now() WHERE id = $1', [colleague.id]);
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Team Lead' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  techAgent = await createUser(t.db, { role: 'service', teamId: support, name: 'Tech Agent' });
  rep = await createUser(t.db, { role: 'sales', name: 'Sales Rep' });
  await t.db.query(
    `INSERT INTO ticket_routing (type, team_id) VALUES ('consultation', $1), ('technical', $2)`,
    [team, support],
  );
  me = await session(agent);
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

async function portalTicket(email = `buyer-${Date.now()}-${Math.random()}@example.com`) {
  return tickets.open(
    {
      channel: 'portal',
      type: 'consultation',
      subject: 'Invoice address',
      body: 'Please change the invoice address.',
      requester: { name: 'Chen Jing', company: 'Chen Trading', email },
      locale: 'en',
    },
    null,
  );
}

describe(`${TicketsService.name}: working a ticket`, () => {
  it('a portal request becomes a ticket on a new lead customer, assigned to the present agent', async () => {
    const opened = await portalTicket('chen.jing@example.com');
    const row = await stored(opened.id);
    expect(row.assignee_id).toBe(agent.id); // the colleague is away
    expect(row.requester_unconfirmed).toBe(true);
    expect(row.channel).toBe('portal');
    const customer = (await t.db.query('SELECT name, status FROM customer WHERE id = $1', [row.customer_id]))
      .rows[0];
    expect(customer).toEqual({ name: 'Chen Trading', status: 'lead' });
    // The same address again matches the contact just made.
    const again = await portalTicket('chen.jing@example.com');
    const second = await stored(again.id);
    expect(second.customer_id).toBe(row.customer_id);
    expect(second.requester_unconfirmed).toBe(false);
  });

  it('an agent confirms a new requester, or moves the ticket to the customer they belong to', async () => {
    const first = await portalTicket('unknown.one@example.com');
    expect((await stored(first.id)).requester_unconfirmed).toBe(true);
    await tickets.confirmRequester(first.id, me, { version: await version(first.id) });
    expect((await stored(first.id)).requester_unconfirmed).toBe(false);
    const second = await portalTicket('unknown.two@example.com');
    const known = (
      await t.db.query(`INSERT INTO customer (kind, name, status, name_key, search_text, version)
         VALUES ('company', 'Known Ltd', 'active', 'known ltd', 'known ltd', 1) RETURNING id`)
    ).rows[0].id;
    const contact = (
      await t.db.query(
        `INSERT INTO contact (customer_id, name, version) VALUES ($1, 'Known Person', 1) RETURNING id`,
        [known],
      )
    ).rows[0].id;
    await expect(
      tickets.relinkRequester(second.id, me, {
        customerId: known,
        contactId: first.id + 100000,
        version: await version(second.id),
      }),
    ).rejects.toMatchObject({ status: 422 });
    await tickets.relinkRequester(second.id, me, {
      customerId: known,
      contactId: contact,
      version: await version(second.id),
    });
    const row = await stored(second.id);
    expect([row.customer_id, row.customer_name, row.contact_id, row.requester_unconfirmed]).toEqual([
      known,
      'Known Ltd',
      contact,
      false,
    ]);
    const history = (await tickets.detail(second.id, me)).history;
    expect(history[0].actionKey).toBe('tickets.history.relink');
    expect(history[0].changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'tickets.field.customerId', to: 'Known Ltd' }),
      ]),
    );
    // The ticket names its customer as the customer is named now.
    await t.db.query(`UPDATE customer SET name = 'Known Holdings Ltd' WHERE id = $1`, [known]);
    expect((await stored(second.id)).customer_name).toBe('Known Holdings Ltd');
  });

  it('a public reply goes to the requester as "[T-000123] subject" and stops the first-response clock', async () => {
    const opened = await portalTicket('reply.me@example.com');
    await tickets.reply(opened.id, me, {
      body: 'We changed it.\nRegards',
      internal: false,
      version: await version(opened.id),
    });
    const row = await stored(opened.id);
    expect(row.status).toBe('open');
    expect(row.first_responded_at).not.toBeNull();
    expect(row.first_response_minutes).toBeGreaterThanOrEqual(0);
    expect(row.public_reply_count).toBe(1);
    const mail = await eventually(async () => {
      const found = smtp.received.find(
        (m) => m.to.includes('reply.me@example.com') && m.raw.includes('We changed it.'),
      );
      expect(found).toBeDefined();
      return found!;
    });
    expect(mail.raw).toContain(`Subject: [${opened.number}] Invoice address`);
    const html = (
      await t.db.query(
        `SELECT html FROM outbox_mail WHERE "to" = 'reply.me@example.com' AND html LIKE '%We changed it.%'`,
      )
    ).rows[0].html;
    expect(html).toContain(`/portal/tickets/${opened.trackingToken}`);
    // The customer's page shows the reply.
    const view = await tickets.byTrackingToken(opened.trackingToken);
    expect(view!.messages.map((m) => m.body)).toEqual([
      'Please change the invoice address.',
      'We changed it.\nRegards',
    ]);
  });

  it('a reply to a requester without an e-mail address is kept on the ticket, and the agent is told it was not mailed', async () => {
    const phoneOnly = await tickets.open(
      {
        channel: 'portal',
        type: 'consultation',
        subject: 'Call me back',
        body: 'My printer jams.',
        requester: { name: 'Wang Lei', company: 'Wang Print', mobile: '13912345678' },
        locale: 'en',
      },
      null,
    );
    const web = await signedIn(t, agent, 'en');
    await web.get(`/tickets/${phoneOnly.id}`);
    const replied = await web.post(`/tickets/${phoneOnly.id}/reply`, {
      body: 'Please clean the roller.',
      version: String(await version(phoneOnly.id)),
    });
    expect(replied.status).toBe(303);
    const shown = visibleText((await web.get(`/tickets/${phoneOnly.id}`)).text);
    expect(shown).toContain('It was not e-mailed: the requester has no e-mail address');
    expect(shown).not.toContain('Reply sent to the customer.');
    expect((await stored(phoneOnly.id)).public_reply_count).toBe(1);
    const { rows } = await t.db.query(`SELECT 1 FROM outbox_mail WHERE html LIKE '%clean the roller%'`);
    expect(rows).toEqual([]);
  });

  it('an internal note stays inside and tells the colleague it mentions, in-app and by mail', async () => {
    const opened = await portalTicket();
    await tickets.reply(opened.id, me, {
      body: '@Zhou Jie can you check the old address? cc @nobody',
      internal: true,
      version: await version(opened.id),
    });
    const notes = (
      await t.db.query('SELECT user_id, kind FROM notification WHERE link = $1 AND kind = $2', [
        `/tickets/${opened.id}`,
        'ticket_mentioned',
      ])
    ).rows;
    expect(notes).toEqual([{ user_id: colleague.id, kind: 'ticket_mentioned' }]);
    const mails = (await t.db.query(`SELECT subject FROM outbox_mail WHERE "to" = $1`, [colleague.email]))
      .rows;
    expect(mails.map((m) => m.subject)).toContain(`Wang Fang 在工单 ${opened.number} 中提到了您`);
    const page = await tickets.byTrackingToken(opened.trackingToken);
    expect(page!.messages).toHaveLength(1);
    const detail = await tickets.detail(opened.id, me);
    expect(detail.messages.map((m) => m.internal)).toEqual([false, true]);
    // Nothing about the note went to the customer.
    expect((await stored(opened.id)).status).toBe('new');
  });

  it('status and priority changes pause the clock, bring new targets and appear in the history', async () => {
    const opened = await portalTicket();
    await tickets.change(opened.id, me, { status: 'pending', version: await version(opened.id) });
    let row = await stored(opened.id);
    expect(row.status).toBe('pending');
    expect(row.paused_at).not.toBeNull();
    expect(row.due_at).toBeNull();
    await tickets.change(opened.id, me, {
      status: 'open',
      priority: 'urgent',
      version: await version(opened.id),
    });
    row = await stored(opened.id);
    expect(row.paused_at).toBeNull();
    expect(row.priority).toBe('urgent');
    expect(row.first_response_target_minutes).toBe(30);
    expect(row.resolution_target_minutes).toBe(240);
    await expect(tickets.change(opened.id, me, { priority: 'low', version: 1 })).rejects.toMatchObject({
      status: 409,
    });
    const history = (await tickets.detail(opened.id, me)).history;
    expect(history.map((h) => h.actionKey)).toEqual([
      'tickets.history.update',
      'tickets.history.update',
      'tickets.history.create',
    ]);
    expect(history[0].changes).toEqual(
      expect.arrayContaining([
        {
          field: 'tickets.field.status',
          fact: false,
          from: 'tickets.status.pending',
          to: 'tickets.status.open',
        },
        {
          field: 'tickets.field.priority',
          fact: false,
          from: 'tickets.priority.normal',
          to: 'tickets.priority.urgent',
        },
      ]),
    );
  });

  it('another team answers 404; a sales rep reads the tickets of customers they own and changes nothing', async () => {
    const opened = await portalTicket();
    const outsider = await session(techAgent);
    await expect(tickets.detail(opened.id, outsider)).rejects.toMatchObject({ status: 404 });
    await expect(
      tickets.reply(opened.id, outsider, { body: 'x', internal: false, version: await version(opened.id) }),
    ).rejects.toMatchObject({ status: 404 });
    const sales = await session(rep);
    await expect(tickets.detail(opened.id, sales)).rejects.toMatchObject({ status: 404 });
    await t.db.query(
      'UPDATE customer SET owner_id = $1 WHERE id = (SELECT customer_id FROM ticket WHERE id = $2)',
      [rep.id, opened.id],
    );
    const seen = await tickets.detail(opened.id, sales);
    expect(seen.can.view).toBe(true);
    expect(seen.can.reply).toBe(false);
    await expect(
      tickets.reply(opened.id, sales, { body: 'x', internal: false, version: await version(opened.id) }),
    ).rejects.toMatchObject({ status: 403 });
    const lead = await tickets.detail(opened.id, await session(manager));
    expect(lead.can.resolve).toBe(true);
  });

  it('a transfer with a reason hands the ticket to the other team and its agent', async () => {
    const opened = await portalTicket();
    await tickets.transfer(opened.id, me, {
      teamId: support,
      reason: 'Needs an engineer',
      version: await version(opened.id),
    });
    const row = await stored(opened.id);
    expect(row.team_id).toBe(support);
    expect(row.assignee_id).toBe(techAgent.id);
    const detail = await tickets.detail(opened.id, await session(techAgent));
    expect(detail.history[0].actionKey).toBe('tickets.history.transfer');
    expect(detail.history[0].changes).toEqual(
      expect.arrayContaining([
        { field: 'tickets.field.reason', fact: true, from: null, to: 'Needs an engineer' },
      ]),
    );
    // The agent who transferred it no longer sees it.
    await expect(tickets.detail(opened.id, me)).rejects.toMatchObject({ status: 404 });
  });

  it('a merge moves the conversation, closes the duplicate with a pointer and tells its requester', async () => {
    const into = await portalTicket('same.person@example.com');
    const dup = await portalTicket('same.person@example.com');
    await tickets.merge(dup.id, me, { intoNumber: into.number, version: await version(dup.id) });
    const closed = await stored(dup.id);
    expect(closed.status).toBe('closed');
    expect(closed.merged_into_id).toBe(into.id);
    const messages = (await tickets.detail(into.id, me)).messages;
    expect(messages.filter((m) => m.fromCustomer)).toHaveLength(2);
    expect(messages.at(-1)!.internal).toBe(true);
    const mails = (
      await t.db.query(`SELECT subject, html FROM outbox_mail WHERE "to" = 'same.person@example.com'`)
    ).rows;
    const notice = mails.find((m) => m.subject === `[${dup.number}] continues as ${into.number}`);
    expect(notice).toBeDefined();
    expect(notice.html).toContain(`/portal/tickets/${into.trackingToken}`);
    const dupView = await tickets.detail(dup.id, me);
    expect(dupView.ticket.mergedIntoNumber).toBe(into.number);
    expect(dupView.can.reply).toBe(false);
  });

  it('resolving sends a single-use survey that expires after 14 days; answering twice is refused', async () => {
    const opened = await portalTicket('rate.us@example.com');
    await tickets.resolve(opened.id, me, { version: await version(opened.id) });
    const row = await stored(opened.id);
    expect(row.status).toBe('resolved');
    expect(row.due_at).toBeNull();
    expect((await tickets.detail(opened.id, me)).ticket.firstContactResolution).toBe(true);
    const survey = (
      await t.db.query(
        'SELECT token, sent_to, sent_at, expires_at FROM survey_response WHERE ticket_id = $1',
        [opened.id],
      )
    ).rows[0];
    expect(survey.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(survey.sent_to).toBe('rate.us@example.com');
    expect(survey.expires_at.getTime() - survey.sent_at.getTime()).toBe(14 * 86_400_000);
    const mail = (
      await t.db.query(
        `SELECT subject, html FROM outbox_mail WHERE "to" = 'rate.us@example.com' AND subject LIKE '%How did we do%'`,
      )
    ).rows[0];
    expect(mail.html).toContain(`/survey/${survey.token}`);
    expect((await tickets.surveyByToken(survey.token))!.state).toBe('open');
    await expect(tickets.answerSurvey(survey.token, { csat: 6 })).rejects.toMatchObject({ status: 422 });
    await tickets.answerSurvey(survey.token, { csat: 2, ces: 5, comment: 'Slow' });
    expect((await tickets.surveyByToken(survey.token))!).toMatchObject({
      state: 'answered',
      answer: { csat: 2, ces: 5, comment: 'Slow' },
    });
    await expect(tickets.answerSurvey(survey.token, { csat: 5 })).rejects.toMatchObject({ status: 409 });
    expect(await tickets.surveyByToken('x'.repeat(43))).toBeNull();
    // An expired link says so and takes no answer.
    const other = await portalTicket('late@example.com');
    await tickets.resolve(other.id, me, { version: await version(other.id) });
    await t.db.query(
      `UPDATE survey_response SET expires_at = now() - interval '1 minute' WHERE ticket_id = $1`,
      [other.id],
    );
    const late = (await t.db.query('SELECT token FROM survey_response WHERE ticket_id = $1', [other.id]))
      .rows[0].token;
    expect((await tickets.surveyByToken(late))!.state).toBe('expired');
    await expect(tickets.answerSurvey(late, { csat: 4 })).rejects.toMatchObject({ status: 410 });
  });

  it('sends no survey to a contact who opted out of mail; others get the unsubscribe link with it', async () => {
    const quiet = await portalTicket('no.mail@example.com');
    const contactId = (await stored(quiet.id)).contact_id as number | null;
    expect(contactId).not.toBeNull();
    await t.db.query('UPDATE contact SET mail_opt_out = true WHERE id = $1', [contactId]);
    // The agent resolving it is told no survey went out.
    const web = await signedIn(t, agent, 'en');
    await web.get(`/tickets/${quiet.id}`);
    const resolved = await web.post(`/tickets/${quiet.id}/resolve`, {
      version: String(await version(quiet.id)),
    });
    expect(resolved.status).toBe(303);
    const shown = visibleText((await web.get(`/tickets/${quiet.id}`)).text);
    expect(shown).toContain('Ticket resolved. No survey was sent');
    expect(shown).not.toContain('The customer has been sent the survey');
    expect((await stored(quiet.id)).status).toBe('resolved');
    const { rows: none } = await t.db.query('SELECT 1 FROM survey_response WHERE ticket_id = $1', [quiet.id]);
    expect(none).toEqual([]);
    const { rows: noMail } = await t.db.query(
      `SELECT 1 FROM outbox_mail WHERE "to" = 'no.mail@example.com' AND subject LIKE '%How did we do%'`,
    );
    expect(noMail).toEqual([]);

    const asked = await portalTicket('yes.mail@example.com');
    expect(await tickets.resolve(asked.id, me, { version: await version(asked.id) })).toEqual({
      surveySent: true,
    });
    const { rows } = await t.db.query(
      `SELECT html FROM outbox_mail WHERE "to" = 'yes.mail@example.com' AND subject LIKE '%How did we do%'`,
    );
    expect(rows[0].html).toMatch(/\/unsubscribe\/\d+\.[A-Za-z0-9_-]{32}/);
  });

  it('a customer reply within 7 days reopens the ticket; later it opens a new one referring to the old', async () => {
    const opened = await portalTicket('again@example.com');
    await tickets.resolve(opened.id, me, { version: await version(opened.id) });
    const same = await tickets.customerReply(opened.trackingToken, { body: 'Still broken.' });
    expect(same.id).toBe(opened.id);
    let row = await stored(opened.id);
    expect(row.status).toBe('open');
    expect(row.reopen_count).toBe(1);
    expect(row.resolved_at).toBeNull();
    await tickets.resolve(opened.id, me, { version: await version(opened.id) });
    expect((await tickets.detail(opened.id, me)).ticket.firstContactResolution).toBe(false);
    await t.db.query(`UPDATE ticket SET resolved_at = now() - interval '8 days' WHERE id = $1`, [opened.id]);
    const fresh = await tickets.customerReply(opened.trackingToken, { body: 'Broken once more.' });
    expect(fresh.id).not.toBe(opened.id);
    row = await stored(opened.id);
    expect(row.status).toBe('resolved');
    const messages = (await tickets.detail(fresh.id, me)).messages;
    expect(messages[0].body).toContain(opened.number);
    expect((await stored(fresh.id)).customer_id).toBe(row.customer_id);
  });

  it('inbound mail: [T-number] from the requester joins, anything else opens a ticket, machines and repeats are dropped', async () => {
    const opened = await portalTicket('mailer@example.com');
    const base: InboundMail = {
      messageId: '<m1@example.com>',
      inReplyTo: null,
      references: [],
      from: { address: 'mailer@example.com', name: 'Mailer' },
      to: [{ address: 'support@kehu.test', name: '' }],
      cc: [],
      subject: `Re: [${opened.number}] Invoice address`,
      ticketNumber: Number(opened.number.slice(2)),
      body: 'Here is the new address.',
      quoted: '> old text',
      attachments: [],
      receivedAt: new Date(),
      autoReply: false,
    };
    await tickets.receiveMail(base);
    await tickets.receiveMail(base); // delivered twice: joins once
    const messages = (await tickets.detail(opened.id, me)).messages;
    expect(messages.map((m) => m.body)).toEqual([
      'Please change the invoice address.',
      'Here is the new address.',
    ]);
    expect(messages[1].quoted).toBe('> old text');
    // The same tag from somebody else opens a ticket of its own.
    await tickets.receiveMail({
      ...base,
      messageId: '<m2@example.com>',
      from: { address: 'other@example.com', name: '' },
    });
    const fromOther = (
      await t.db.query(`SELECT id, channel, subject FROM ticket WHERE requester_email = 'other@example.com'`)
    ).rows;
    expect(fromOther).toHaveLength(1);
    expect(fromOther[0].channel).toBe('email');
    // A new mail in Chinese opens an e-mail ticket answered in Chinese.
    await tickets.receiveMail({
      ...base,
      messageId: '<m3@example.com>',
      from: { address: 'new.sender@example.com', name: '李雷' },
      subject: '打印机无法连接',
      ticketNumber: null,
      body: '打印机连不上网络。',
    });
    const created = (
      await t.db.query(`SELECT number, locale FROM ticket WHERE requester_email = 'new.sender@example.com'`)
    ).rows[0];
    expect(created.locale).toBe('zh-CN');
    const ack = (await t.db.query(`SELECT subject FROM outbox_mail WHERE "to" = 'new.sender@example.com'`))
      .rows;
    expect(ack.map((a) => a.subject)).toEqual([`[${created.number}] 打印机无法连接`]);
    // A mail's files: a PDF is kept on the message, an executable refused without losing the mail.
    await tickets.receiveMail({
      ...base,
      messageId: '<m5@example.com>',
      body: 'The scan and a tool.',
      attachments: [
        { filename: 'scan.pdf', contentType: 'application/pdf', size: 9, content: Buffer.from('%PDF-1.4\n') },
        {
          filename: 'tool.exe',
          contentType: 'application/octet-stream',
          size: 2,
          content: Buffer.from('MZ'),
        },
      ],
    });
    const withFiles = (await tickets.detail(opened.id, me)).messages.at(-1)!;
    expect(withFiles.body).toBe('The scan and a tool.');
    expect(withFiles.attachments.map((a) => a.fileName)).toEqual(['scan.pdf']);
    // An out-of-office reply opens nothing.
    await tickets.receiveMail({
      ...base,
      messageId: '<m4@example.com>',
      from: { address: 'ooo@example.com', name: '' },
      ticketNumber: null,
      autoReply: true,
    });
    expect(
      (await t.db.query(`SELECT 1 FROM ticket WHERE requester_email = 'ooo@example.com'`)).rows,
    ).toHaveLength(0);
  });

  it('the admin deletes a ticket (gone for everyone) and restores it', async () => {
    const opened = await portalTicket();
    const admin = await session(await createUser(t.db, { role: 'admin' }));
    await expect(tickets.remove(opened.id, me)).rejects.toMatchObject({ status: 403 });
    await tickets.remove(opened.id, admin);
    await expect(tickets.detail(opened.id, me)).rejects.toMatchObject({ status: 404 });
    await tickets.restore(opened.id, admin);
    expect((await tickets.detail(opened.id, me)).ticket.id).toBe(opened.id);
    await expect(tickets.restore(opened.id, admin)).rejects.toMatchObject({ status: 404 });
  });

  it('resolved tickets close after the set number of days', async () => {
    const opened = await portalTicket();
    await tickets.resolve(opened.id, me, { version: await version(opened.id) });
    await t.db.query(`UPDATE ticket SET resolved_at = now() - interval '8 days' WHERE id = $1`, [opened.id]);
    const recent = await portalTicket();
    await tickets.resolve(recent.id, me, { version: await version(recent.id) });
    await tickets.closeResolved();
    expect((await stored(opened.id)).status).toBe('closed');
    expect((await stored(recent.id)).status).toBe('resolved');
  });

  it('queues list what the agent works on by due time, with counts', async () => {
    const counts = await tickets.queueCounts(me);
    const mine = await tickets.queue(me, 'mine', {});
    expect(mine.rows.length).toBeGreaterThan(0);
    expect(
      mine.rows.every((r) => r.assigneeId === agent.id && ['new', 'open', 'pending'].includes(r.status)),
    ).toBe(true);
    expect(counts.mine).toBe(mine.total);
    const due = mine.rows.map((r) => (r.dueAt ? new Date(r.dueAt).getTime() : Infinity));
    expect(due).toEqual([...due].sort((a, b) => a - b));
    const resolved = await tickets.queue(me, 'resolved', {});
    expect(resolved.rows.every((r) => r.status === 'resolved' || r.status === 'closed')).toBe(true);
    // The other team's agent sees none of these in their team queue.
    const theirs = await tickets.queue(await session(techAgent), 'team', {});
    expect(theirs.rows.every((r) => r.teamId === support || r.teamId === null)).toBe(true);
    // Bulk assignment to the colleague.
    const ids = mine.rows.slice(0, 2).map((r) => r.id);
    expect(await tickets.assignMany(ids, colleague.id, me)).toBe(ids.length);
    for (const id of ids) expect((await stored(id)).assignee_id).toBe(colleague.id);
  });
});
