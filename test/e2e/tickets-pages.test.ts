import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { type Client, nextLink, visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { createTicket } from '../helpers/tickets.js';

/**
 * The ticket pages as agents, their manager and the admin use them: the queues with their counts,
 * due times and filters, bulk assignment and the away mark; a ticket logged from a phone call; the
 * ticket page's reply, internal note, canned reply, changes and stale saves; another team's ticket
 * not found; the admin's ticket settings. Each asserts what the user sees and what the database holds.
 */
let t: TestApp;
let teamA: number;
let teamB: number;
let manager: UserRow;
let agent1: UserRow;
let agent2: UserRow;
let otherAgent: UserRow;
let admin: UserRow;
let customerId: number;
let contactId: number;

beforeAll(async () => {
  t = await startApp();
  teamA = await createTeam(t.db, '客服一组');
  teamB = await createTeam(t.db, '技术支持');
  manager = await createUser(t.db, { role: 'manager', teamId: teamA, name: 'Manager Zhou' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, teamA]);
  agent1 = await createUser(t.db, { role: 'service', teamId: teamA, name: 'Agent Wang' });
  agent2 = await createUser(t.db, { role: 'service', teamId: teamA, name: 'Agent Liu' });
  otherAgent = await createUser(t.db, { role: 'service', teamId: teamB, name: 'Agent Sun' });
  admin = await createUser(t.db, { role: 'admin', name: 'Admin' });
  customerId = await createCustomer(t.db, { name: '杭州云帆贸易有限公司' });
  contactId = await createContact(t.db, customerId, '李娜');
}, 60_000);
afterAll(() => t.close());

const hours = (n: number) => new Date(Date.now() + n * 3_600_000);
const ticketRow = async (id: number) =>
  (
    await t.db.query<{ assignee_id: number | null; status: string; priority: string; version: number }>(
      'SELECT assignee_id, status, priority, version FROM ticket WHERE id = $1',
      [id],
    )
  ).rows[0];

describe('who sees the queues', () => {
  it('links them for agents and not for sales reps, who read tickets on their customers’ pages', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: teamA });
    const repClient = await signedIn(t, rep);
    expect((await repClient.get('/')).text).not.toContain('href="/tickets"');
    expect((await repClient.get('/tickets')).status).toBe(403);
    const agentClient = await signedIn(t, agent2);
    expect((await agentClient.get('/')).text).toContain('href="/tickets"');
  });
});

describe('the queues', () => {
  let c: Client;
  const mine: { id: number; number: string }[] = [];

  beforeAll(async () => {
    // Agent Wang's four: overdue; warned by the SLA clock (amber); near on the wall clock but not warned,
    // as after a night or lunch that the business clock does not count (not amber); comfortably ahead.
    mine.push(
      await createTicket(t.db, {
        customerId,
        teamId: teamA,
        assigneeId: agent1.id,
        subject: 'Late one',
        receivedAt: hours(-3),
        dueAt: hours(-1),
      }),
      await createTicket(t.db, {
        customerId,
        teamId: teamA,
        assigneeId: agent1.id,
        subject: 'Near one',
        receivedAt: hours(-9),
        dueAt: hours(1),
        warned: true,
      }),
      await createTicket(t.db, {
        customerId,
        teamId: teamA,
        assigneeId: agent1.id,
        subject: 'Overnight one',
        receivedAt: hours(-15),
        dueAt: hours(2),
      }),
      await createTicket(t.db, {
        customerId,
        teamId: teamA,
        assigneeId: agent1.id,
        subject: 'Calm one',
        receivedAt: hours(0),
        dueAt: hours(20),
        type: 'billing',
      }),
    );
    await createTicket(t.db, { customerId, teamId: teamA, subject: 'Nobody yet', dueAt: hours(5) });
    await createTicket(t.db, { customerId, teamId: teamB, assigneeId: otherAgent.id, subject: 'Other team' });
    c = await signedIn(t, agent1);
  });

  it('shows the queues as tabs with a count each, mine sorted by due time, the due time coloured', async () => {
    const page = await c.get('/tickets?queue=mine');
    expect(page.status).toBe(200);
    const tabs = /<nav class="tabs queue-tabs"[\s\S]*?<\/nav>/.exec(page.text)![0];
    expect(visibleText(tabs)).toMatch(/Mine 4/);
    expect(visibleText(tabs)).toMatch(/Unassigned 1/);
    for (const q of [
      'Unassigned',
      'Mine',
      'My team',
      'Breaching soon',
      'Waiting on customer',
      'Recently resolved',
    ])
      expect(visibleText(tabs)).toContain(q);
    const order = [...page.text.matchAll(/data-ticket="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(mine.map((m) => m.number));
    expect(page.text).toMatch(/class="due due-overdue"[^>]*>overdue by 1 h/);
    expect(page.text).toMatch(/class="due due-warning"[^>]*>in (\d+ h|(\d+ h )?\d+ min)</);
    expect(page.text).toMatch(/class="due due-ok"[^>]*>in (1 h \d+ min|2 h)</);
    expect(page.text.match(/class="due due-warning"/g)).toHaveLength(1);
    expect(page.text).toMatch(/class="due due-ok"[^>]*>in (19|20) h/);
    expect(visibleText(page.text)).not.toContain('Other team');
    // A phone gets the rows as cards (the responsive table) and the nav links to the queues.
    expect(page.text).toContain('class="table responsive ticket-list"');
    expect(page.text).toContain('href="/tickets" aria-current="page"');
  });

  it('pages a long queue by cursor, 25 to a page, the count beside its tab', async () => {
    const teamC = await createTeam(t.db);
    const agentC = await createUser(t.db, { role: 'service', teamId: teamC });
    for (let i = 0; i < 30; i++)
      await createTicket(t.db, { customerId, teamId: teamC, subject: `Long ${i}`, dueAt: hours(1 + i) });
    const cc = await signedIn(t, agentC);
    const first = await cc.get('/tickets?queue=unassigned');
    expect(visibleText(/<nav class="tabs queue-tabs"[\s\S]*?<\/nav>/.exec(first.text)![0])).toContain(
      'Unassigned 30',
    );
    const firstRows = [...first.text.matchAll(/data-ticket="/g)].length;
    expect(firstRows).toBe(25);
    const next = nextLink(first.text);
    expect(next).toMatch(/^\/tickets\?queue=unassigned&after=/);
    const second = await cc.get(next!);
    expect([...second.text.matchAll(/data-ticket="/g)].length).toBe(5);
    expect(visibleText(second.text)).toContain('Long 29');
    expect(second.text).toContain('rel="prev"');
  });

  it('filters by type, priority, channel and tier in the address', async () => {
    const page = await c.get('/tickets?queue=mine&type=billing');
    expect([...page.text.matchAll(/data-ticket="([^"]+)"/g)].map((m) => m[1])).toEqual([mine[3].number]);
    expect(page.text).toMatch(/<option value="billing" selected>/);
    expect((await c.get('/tickets?queue=mine&priority=bogus')).status).toBe(422);
    // Nothing matching: the filters are named as why, not the queue called empty.
    const none = visibleText((await c.get('/tickets?queue=mine&type=complaint&channel=visit')).text);
    expect(none).toContain('No ticket in this queue matches these filters.');
  });

  it('assigns ticked tickets in bulk, refused without the CSRF token', async () => {
    const a = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Bulk A' });
    const b = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Bulk B' });
    await c.get('/tickets?queue=unassigned');
    const forged = await c.post(
      '/tickets/assign',
      { ids: [String(a.id), String(b.id)], assigneeId: String(agent2.id) },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    expect((await ticketRow(a.id)).assignee_id).toBeNull();
    const done = await c.post('/tickets/assign', {
      ids: [String(a.id), String(b.id)],
      assigneeId: String(agent2.id),
      returnTo: '/tickets?queue=unassigned',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/tickets?queue=unassigned');
    expect((await ticketRow(a.id)).assignee_id).toBe(agent2.id);
    expect((await ticketRow(b.id)).assignee_id).toBe(agent2.id);
    expect(visibleText((await c.get(done.location!)).text)).toContain('Tickets assigned: 2.');
  });

  it('assigns a single ticked ticket, and says when none was ticked', async () => {
    const one = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Single' });
    await c.get('/tickets?queue=unassigned');
    expect(
      (await c.post('/tickets/assign', { ids: String(one.id), assigneeId: String(agent2.id) })).status,
    ).toBe(303);
    expect((await ticketRow(one.id)).assignee_id).toBe(agent2.id);
    const none = await c.post('/tickets/assign', {
      assigneeId: String(agent2.id),
      returnTo: '/tickets?queue=unassigned',
    });
    expect(none.status).toBe(303);
    // Back on the queue it was sent from, the reason beside the bar and the agent still chosen.
    expect(none.location).toBe('/tickets?queue=unassigned#bulk');
    const shown = await c.get(none.location!);
    expect(shown.text).toMatch(/id="e-bulk" role="alert">Tick at least one ticket\.</);
    expect(shown.text).toContain(`<option value="${agent2.id}" selected>`);
    const nobody = await c.post('/tickets/assign', {
      ids: String(one.id),
      assigneeId: '',
      returnTo: '/tickets?queue=unassigned',
    });
    expect(visibleText((await c.get(nobody.location!)).text)).toContain(
      'Choose the agent to assign them to.',
    );
    // An agent of another team is refused by name, and nothing is assigned.
    const elsewhere = await c.post('/tickets/assign', {
      ids: String(one.id),
      assigneeId: String(otherAgent.id),
      returnTo: '/tickets?queue=unassigned',
    });
    expect(visibleText((await c.get(elsewhere.location!)).text)).toContain(
      `Agent Sun is not in 客服一组, the team of ${one.number}`,
    );
    expect((await ticketRow(one.id)).assignee_id).toBe(agent2.id);
  });

  it('marks the agent away and back', async () => {
    await c.get('/tickets');
    expect((await c.post('/tickets/away', { away: '1' })).status).toBe(303);
    const away = await t.db.query<{ away: boolean }>(
      'SELECT away_since IS NOT NULL AS away FROM app_user WHERE id = $1',
      [agent1.id],
    );
    expect(away.rows[0].away).toBe(true);
    expect(visibleText((await c.get('/tickets')).text)).toContain('You are away');
    // Whoever assigns in bulk sees them marked away.
    const lead = await signedIn(t, manager);
    expect((await lead.get('/tickets?queue=unassigned')).text).toContain(
      `<option value="${agent1.id}">Agent Wang (away)</option>`,
    );
    await c.post('/tickets/away', { away: '' });
    const back = await t.db.query<{ away: boolean }>(
      'SELECT away_since IS NOT NULL AS away FROM app_user WHERE id = $1',
      [agent1.id],
    );
    expect(back.rows[0].away).toBe(false);
  });
});

describe('a ticket logged from a phone call', () => {
  it('keeps when the call came in, in the agent’s zone, and the customer picked', async () => {
    const c = await signedIn(t, agent1, 'zh-CN');
    const form = await c.get(`/tickets/new?customerId=${customerId}`);
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain('杭州云帆贸易有限公司');
    const subject = `电话报修 ${Date.now()}`;
    const sent = await c.post('/tickets/new', {
      channel: 'phone',
      receivedAt: '2026-11-30T09:05',
      customerId: String(customerId),
      contactId: String(contactId),
      type: 'technical',
      priority: 'high',
      subject,
      body: '客户来电：打印机无法连接。',
    });
    expect(sent.status).toBe(303);
    const { rows } = await t.db.query<{
      id: number;
      channel: string;
      received_at: Date;
      customer_id: number;
      contact_id: number;
      created_by_id: number;
    }>(
      'SELECT id, channel, received_at, customer_id, contact_id, created_by_id FROM ticket WHERE subject = $1',
      [subject],
    );
    expect(rows).toHaveLength(1);
    expect(sent.location).toBe(`/tickets/${rows[0].id}`);
    expect(rows[0].channel).toBe('phone');
    // 09:05 in Asia/Shanghai.
    expect(rows[0].received_at.toISOString()).toBe('2026-11-30T01:05:00.000Z');
    expect(rows[0].customer_id).toBe(customerId);
    expect(rows[0].contact_id).toBe(contactId);
    expect(rows[0].created_by_id).toBe(agent1.id);
  });

  it('shows each error beside its field and keeps what was typed', async () => {
    const c = await signedIn(t, agent1);
    await c.get('/tickets/new');
    const subject = `Unfinished ${Date.now()}`;
    const refused = await c.post('/tickets/new', {
      channel: 'phone',
      receivedAt: 'yesterday',
      requesterName: 'Zhang Wei',
      requesterMobile: '',
      requesterEmail: '',
      type: 'technical',
      priority: 'normal',
      subject,
      body: '',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="e-receivedAt"[\s\S]*Enter a date and time/);
    expect(refused.text).toMatch(/id="e-body"[\s\S]*Required/);
    // Who asked is asked for in the same round: a mobile or an e-mail.
    expect(refused.text).toMatch(/id="e-requesterMobile"[\s\S]*Give a mobile or an e-mail/);
    expect(refused.text).toContain(`value="${subject}"`);
    expect(refused.text).toContain('value="Zhang Wei"');
    const none = await t.db.query('SELECT 1 FROM ticket WHERE subject = $1', [subject]);
    expect(none.rowCount).toBe(0);
  });
});

describe('the ticket page', () => {
  it('says whom a note told, and that it told no one when its @ names nobody', async () => {
    const lead = await createUser(t.db, { role: 'service', teamId: teamA, name: '孙丽 Sun Li' });
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Mention',
    });
    const c = await signedIn(t, agent1, 'zh-CN');
    const note = async (body: string) => {
      await c.get(`/tickets/${ticket.id}`);
      const version = String((await ticketRow(ticket.id)).version);
      const sent = await c.post(`/tickets/${ticket.id}/reply`, { body, internal: '1', version });
      expect(sent.status).toBe(303);
      return visibleText((await c.get(sent.location!)).text);
    };
    expect(await note('@孙丽 客户说旧地址还在用，请确认')).toContain('已添加内部备注，已通知 孙丽 Sun Li。');
    const told = await t.db.query('SELECT 1 FROM notification WHERE user_id = $1 AND kind = $2', [
      lead.id,
      'ticket_mentioned',
    ]);
    expect(told.rowCount).toBe(1);
    expect(await note('@小孙 请看一下')).toContain('但没有通知任何人');
  });

  it('posts a public reply and an internal note, the note set apart', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Reply here',
    });
    const c = await signedIn(t, agent1);
    const page = await c.get(`/tickets/${ticket.id}`);
    expect(page.status).toBe(200);
    const version = String((await ticketRow(ticket.id)).version);
    expect(
      (await c.post(`/tickets/${ticket.id}/reply`, { body: 'Please restart the spooler.', version })).status,
    ).toBe(303);
    const v2 = String((await ticketRow(ticket.id)).version);
    expect(
      (
        await c.post(`/tickets/${ticket.id}/reply`, {
          body: 'Old driver, see KB-12.',
          internal: '1',
          version: v2,
        })
      ).status,
    ).toBe(303);
    const msgs = await t.db.query<{ body: string; internal: boolean; from_customer: boolean }>(
      'SELECT body, internal, from_customer FROM ticket_message WHERE ticket_id = $1 AND NOT from_customer ORDER BY id',
      [ticket.id],
    );
    expect(msgs.rows).toEqual([
      { body: 'Please restart the spooler.', internal: false, from_customer: false },
      { body: 'Old driver, see KB-12.', internal: true, from_customer: false },
    ]);
    const after = await c.get(`/tickets/${ticket.id}`);
    expect(after.text).toMatch(/class="message message-internal"[\s\S]*?Old driver, see KB-12\./);
    expect(after.text).toMatch(/class="message message-agent"[\s\S]*?Please restart the spooler\./);
  });

  it('folds the text a customer’s mail quoted away under the message', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Quoted',
    });
    await t.db.query(
      `INSERT INTO ticket_message (ticket_id, author_name, from_customer, body, quoted)
       VALUES ($1, '李娜', true, '还是不行。', '> 请重启打印服务后再试。')`,
      [ticket.id],
    );
    const c = await signedIn(t, agent1, 'zh-CN');
    const page = await c.get(`/tickets/${ticket.id}`);
    expect(page.text).toMatch(
      /还是不行。<\/div>\s*<details class="quoted"><summary>引用内容<\/summary><div class="pre-line">&gt; 请重启打印服务后再试。<\/div><\/details>/,
    );
  });

  it('puts a canned reply into the text without JavaScript, sending nothing', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Canned',
    });
    await t.db.query(
      `INSERT INTO canned_reply (team_id, title, body, version) VALUES ($1, 'Restart', '您好 {contact}，请重启打印服务。', 1)`,
      [teamA],
    );
    const c = await signedIn(t, agent1);
    const page = await c.get(`/tickets/${ticket.id}`);
    const cannedId = /<option value="(\d+)" data-body="[^"]*">Restart<\/option>/.exec(page.text)![1];
    const shown = await c.post(`/tickets/${ticket.id}/reply`, {
      body: 'Hello,',
      cannedReplyId: cannedId,
      insert: '1',
      version: String((await ticketRow(ticket.id)).version),
    });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(
      '<div class="flash flash-info" role="status">Canned reply inserted. Nothing has been sent yet.</div>',
    );
    expect(shown.text).toMatch(
      /<textarea id="f-body"[^>]*>Hello,\n\n您好 李娜，请重启打印服务。<\/textarea>/,
    );
    const sent = await t.db.query('SELECT 1 FROM ticket_message WHERE ticket_id = $1 AND NOT from_customer', [
      ticket.id,
    ]);
    expect(sent.rowCount).toBe(0);
  });

  it('refuses a change made on an older version, keeping what was chosen', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Stale',
    });
    const c = await signedIn(t, agent1);
    await c.get(`/tickets/${ticket.id}`);
    const old = String((await ticketRow(ticket.id)).version);
    // Someone else saves first.
    const other = await signedIn(t, agent2);
    await other.get(`/tickets/${ticket.id}`);
    expect(
      (
        await other.post(`/tickets/${ticket.id}/change`, {
          status: 'pending',
          priority: 'normal',
          type: 'technical',
          assigneeId: String(agent1.id),
          version: old,
        })
      ).status,
    ).toBe(303);
    const stale = await c.post(`/tickets/${ticket.id}/change`, {
      status: 'open',
      priority: 'urgent',
      type: 'technical',
      assigneeId: String(agent1.id),
      version: old,
    });
    expect(stale.status).toBe(409);
    expect(visibleText(stale.text)).toMatch(/saved .* (meanwhile|since)|changed/i);
    expect(stale.text).toMatch(/<option value="urgent" selected>/);
    expect((await ticketRow(ticket.id)).priority).toBe('normal');
    expect((await ticketRow(ticket.id)).status).toBe('pending');
  });

  it('keeps the typed reply when another save came first, and sends nothing', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Stale reply',
    });
    const c = await signedIn(t, agent1);
    await c.get(`/tickets/${ticket.id}`);
    const old = String((await ticketRow(ticket.id)).version);
    await t.db.query(`UPDATE ticket SET priority = 'high', version = version + 1 WHERE id = $1`, [ticket.id]);
    const stale = await c.post(`/tickets/${ticket.id}/reply`, { body: 'My careful answer', version: old });
    expect(stale.status).toBe(409);
    expect(stale.text).toMatch(/<textarea id="f-body"[^>]*>My careful answer<\/textarea>/);
    const sent = await t.db.query('SELECT 1 FROM ticket_message WHERE ticket_id = $1 AND NOT from_customer', [
      ticket.id,
    ]);
    expect(sent.rowCount).toBe(0);
  });

  it('tells the agent a ticket is given to, not the one who takes it', async () => {
    const ticket = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Who is told' });
    const assigned = async (to: UserRow) => {
      await c.get(`/tickets/${ticket.id}`);
      const version = String((await ticketRow(ticket.id)).version);
      const done = await c.post(`/tickets/${ticket.id}/change`, { assigneeId: String(to.id), version });
      expect(done.status).toBe(303);
      const told = await t.db.query(
        `SELECT 1 FROM notification WHERE user_id = $1 AND kind = 'ticket_assigned' AND link = $2`,
        [to.id, `/tickets/${ticket.id}`],
      );
      return told.rowCount;
    };
    const c = await signedIn(t, agent1);
    expect(await assigned(agent1)).toBe(0);
    expect(await assigned(agent2)).toBe(1);
  });

  it('transfers to another team with a reason, and asks for the reason', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Transfer',
    });
    const c = await signedIn(t, agent1);
    // The teams offered are the others: the ticket's own team is no transfer.
    const form = (await c.get(`/tickets/${ticket.id}`)).text.match(
      /action="\/tickets\/\d+\/transfer"[\s\S]*?<\/form>/,
    )![0];
    expect(form).toContain(`<option value="${teamB}"`);
    expect(form).not.toContain(`<option value="${teamA}"`);
    const version = String((await ticketRow(ticket.id)).version);
    const refused = await c.post(`/tickets/${ticket.id}/transfer`, {
      teamId: String(teamB),
      reason: '',
      version,
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toMatch(/id="e-reason"[\s\S]*Required/);
    expect(refused.text).toMatch(/<details class="more-actions" open>/);
    const done = await c.post(`/tickets/${ticket.id}/transfer`, {
      teamId: String(teamB),
      reason: '属于技术问题',
      version,
    });
    expect(done.status).toBe(303);
    const row = await t.db.query<{ team_id: number }>('SELECT team_id FROM ticket WHERE id = $1', [
      ticket.id,
    ]);
    expect(row.rows[0].team_id).toBe(teamB);
    // Now the other team's, out of the agent's sight: they land on their team's queue, told where it went.
    expect((await c.get(`/tickets/${ticket.id}`)).status).toBe(404);
    expect(done.location).toBe('/tickets?queue=team');
    expect(visibleText((await c.get(done.location!)).text)).toContain(
      'Ticket transferred: it is now in the other team’s queue.',
    );
  });

  it('merges a duplicate into another ticket by its number', async () => {
    const keep = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Keep',
    });
    const dup = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Duplicate',
    });
    const c = await signedIn(t, agent1);
    await c.get(`/tickets/${dup.id}`);
    const version = String((await ticketRow(dup.id)).version);
    const bad = await c.post(`/tickets/${dup.id}/merge`, { intoNumber: 'twelve', version });
    expect(bad.status).toBe(422);
    expect(visibleText(bad.text)).toContain('Enter a ticket number such as T-000123.');
    const itself = await c.post(`/tickets/${dup.id}/merge`, { intoNumber: dup.number, version });
    expect(visibleText(itself.text)).toContain('A ticket cannot be merged into itself');
    // Another customer's ticket is no duplicate: its conversation and replies would reach them.
    const elsewhere = await createTicket(t.db, {
      customerId: await createCustomer(t.db, { name: '永安科技（宁波）有限公司' }),
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Theirs',
    });
    const other = await c.post(`/tickets/${dup.id}/merge`, { intoNumber: elsewhere.number, version });
    expect(other.status).toBe(422);
    expect(visibleText(other.text)).toContain(
      `${elsewhere.number} is a ticket of another customer (永安科技（宁波）有限公司)`,
    );
    expect((await ticketRow(dup.id)).status).toBe('open');
    // Typed as a bare number, the ticket is named by its own number when done.
    const done = await c.post(`/tickets/${dup.id}/merge`, {
      intoNumber: String(Number(keep.number.slice(2))),
      version,
    });
    expect(done.status).toBe(303);
    expect(visibleText((await c.get(`/tickets/${dup.id}`)).text)).toContain(`Merged into ${keep.number}`);
    const row = await t.db.query<{ merged_into_id: number }>(
      'SELECT merged_into_id FROM ticket WHERE id = $1',
      [dup.id],
    );
    expect(row.rows[0].merged_into_id).toBe(keep.id);
    const page = await c.get(`/tickets/${dup.id}`);
    expect(page.text).toContain(`href="/tickets/${keep.id}"`);
    // Its conversation now lives in the ticket kept, and the page says so rather than showing an empty box.
    expect(visibleText(page.text)).toContain(`Its messages were moved to ${keep.number}.`);
    // Closed unanswered: no clock runs on it, and it was not resolved on first contact.
    expect(page.text).not.toMatch(/class="due due-/);
    expect(page.text).not.toContain('data-testid="first-contact"');
    // The ticket kept says what it took in, without a value "before" a fact.
    const kept = visibleText((await c.get(`/tickets/${keep.id}`)).text);
    expect(kept).toContain(`Merged from: ${dup.number}`);
    expect(kept).toMatch(/Messages moved: \d/);
  });

  it('resolves a ticket and reopens it', async () => {
    const ticket = await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Resolve',
    });
    const c = await signedIn(t, agent1);
    await c.get(`/tickets/${ticket.id}`);
    expect(
      (
        await c.post(`/tickets/${ticket.id}/resolve`, {
          version: String((await ticketRow(ticket.id)).version),
        })
      ).status,
    ).toBe(303);
    expect((await ticketRow(ticket.id)).status).toBe('resolved');
    const page = await c.get(`/tickets/${ticket.id}`);
    expect(visibleText(page.text)).toContain('Ticket resolved.');
    expect(page.text).toContain(`action="/tickets/${ticket.id}/reopen"`);
    expect(
      (
        await c.post(`/tickets/${ticket.id}/reopen`, {
          version: String((await ticketRow(ticket.id)).version),
        })
      ).status,
    ).toBe(303);
    expect((await ticketRow(ticket.id)).status).toBe('open');
  });

  it('confirms a new requester, or moves the ticket to the customer found by a search', async () => {
    const lead = await createCustomer(t.db, { name: '新线索 李娜' });
    const right = await createCustomer(t.db, { name: '宁波海曙精工机械有限公司' });
    const first = await createTicket(t.db, {
      customerId: lead,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Confirm',
    });
    const second = await createTicket(t.db, {
      customerId: lead,
      teamId: teamA,
      assigneeId: agent1.id,
      subject: 'Relink',
    });
    await t.db.query('UPDATE ticket SET requester_unconfirmed = true WHERE id = ANY($1)', [
      [first.id, second.id],
    ]);
    const c = await signedIn(t, agent1);
    const page = await c.get(`/tickets/${first.id}`);
    expect(page.text).toContain('data-testid="requester-unconfirmed"');
    const version = String((await ticketRow(first.id)).version);
    expect((await c.post(`/tickets/${first.id}/confirm-requester`, { version })).status).toBe(303);
    const confirmed = await t.db.query('SELECT requester_unconfirmed AS u FROM ticket WHERE id = $1', [
      first.id,
    ]);
    expect(confirmed.rows[0].u).toBe(false);
    expect((await c.get(`/tickets/${first.id}`)).text).not.toContain('data-testid="requester-unconfirmed"');

    const found = await c.get(`/tickets/${second.id}?relinkQ=${encodeURIComponent('海曙精工')}`);
    expect(visibleText(found.text)).toContain('宁波海曙精工机械有限公司');
    const moved = await c.post(`/tickets/${second.id}/relink`, {
      customerId: String(right),
      version: String((await ticketRow(second.id)).version),
    });
    expect(moved.status).toBe(303);
    const row = await t.db.query('SELECT customer_id, requester_unconfirmed AS u FROM ticket WHERE id = $1', [
      second.id,
    ]);
    expect(row.rows[0]).toEqual({ customer_id: right, u: false });
  });

  it('shows a sales rep the tickets of their own customers, read only, and no others', async () => {
    const rep = await createUser(t.db, { role: 'sales', teamId: teamA });
    const theirCustomer = await createCustomer(t.db, { ownerId: rep.id, name: '温州瓯江电器有限公司' });
    const theirs = await createTicket(t.db, {
      customerId: theirCustomer,
      teamId: teamA,
      subject: 'Rep reads',
    });
    const other = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Not the rep’s' });
    const c = await signedIn(t, rep);
    const page = await c.get(`/tickets/${theirs.id}`);
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('Rep reads');
    expect(page.text).not.toContain('class="form reply-form"');
    expect(page.text).not.toContain(`action="/tickets/${theirs.id}/change"`);
    expect((await c.get(`/tickets/${other.id}`)).status).toBe(404);
    const version = String((await ticketRow(theirs.id)).version);
    expect((await c.post(`/tickets/${theirs.id}/reply`, { body: 'Hi', version })).status).toBe(403);
  });

  it('shows a sales manager the tickets of their reps’ customers, read only, on the customer’s page too', async () => {
    const salesTeam = await createTeam(t.db, '华东销售部');
    const salesManager = await createUser(t.db, { role: 'manager', teamId: salesTeam, name: 'Manager Qian' });
    await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [salesManager.id, salesTeam]);
    const rep = await createUser(t.db, { role: 'sales', teamId: salesTeam });
    const repCustomer = await createCustomer(t.db, { ownerId: rep.id, name: '嘉兴南湖包装材料有限公司' });
    const ticket = await createTicket(t.db, {
      customerId: repCustomer,
      teamId: teamB,
      assigneeId: otherAgent.id,
      subject: 'Complaint before the renewal',
    });
    const c = await signedIn(t, salesManager);
    const page = await c.get(`/tickets/${ticket.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('class="form reply-form"');
    expect(page.text).not.toContain(`action="/tickets/${ticket.id}/change"`);
    const version = String((await ticketRow(ticket.id)).version);
    expect((await c.post(`/tickets/${ticket.id}/reply`, { body: 'Hi', version })).status).toBe(403);
    const profile = visibleText((await c.get(`/customers/${repCustomer}`)).text);
    expect(profile).toContain(ticket.number);
    expect(profile).toMatch(/Open tickets 1/);
    // Nor does it reach their queues: the service team's desk stays the service team's.
    expect(visibleText((await c.get('/tickets?queue=team')).text)).not.toContain(ticket.number);
    // The manager of the service desk's other team sees none of it.
    expect((await (await signedIn(t, manager)).get(`/tickets/${ticket.id}`)).status).toBe(404);
  });

  it('answers 404 for another team’s ticket', async () => {
    const theirs = await createTicket(t.db, {
      customerId,
      teamId: teamB,
      assigneeId: otherAgent.id,
      subject: 'Theirs',
    });
    const c = await signedIn(t, agent1);
    expect((await c.get(`/tickets/${theirs.id}`)).status).toBe(404);
    const version = String((await ticketRow(theirs.id)).version);
    expect((await c.post(`/tickets/${theirs.id}/reply`, { body: 'Hi', version })).status).toBe(404);
    const none = await t.db.query('SELECT 1 FROM ticket_message WHERE ticket_id = $1 AND NOT from_customer', [
      theirs.id,
    ]);
    expect(none.rowCount).toBe(0);
  });

  it('shows the customer summary beside the conversation, linking to the customer', async () => {
    const ticket = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Summary' });
    const c = await signedIn(t, manager);
    const page = await c.get(`/tickets/${ticket.id}`);
    const side = /data-testid="customer-summary"[\s\S]*?<\/section>/.exec(page.text)![0];
    expect(side).toContain(`href="/customers/${customerId}"`);
    expect(visibleText(side)).toContain('Recent tickets');
    // The customer's figures as on its 360° page: here, its open tickets and their satisfaction.
    expect(visibleText(side)).toMatch(/Open tickets \d+ No survey answered this past year/);
  });
});

describe('the recycle bin', () => {
  it('takes a spam ticket out of every queue for its team’s manager, and the admin brings it back', async () => {
    const spam = await createTicket(t.db, { customerId, teamId: teamA, subject: 'Cheap watches 便宜手表' });
    // An agent works tickets but does not delete them.
    const agent = await signedIn(t, agent1);
    expect((await agent.get(`/tickets/${spam.id}`)).text).not.toContain(
      `action="/tickets/${spam.id}/delete"`,
    );
    expect((await agent.post(`/tickets/${spam.id}/delete`, {})).status).toBe(403);
    expect(
      (await t.db.query('SELECT deleted_at FROM ticket WHERE id = $1', [spam.id])).rows[0].deleted_at,
    ).toBeNull();
    // Another team's manager does not even see it.
    const stranger = await createUser(t.db, { role: 'manager', teamId: teamB, name: 'Manager Qian' });
    await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [stranger.id, teamB]);
    expect((await (await signedIn(t, stranger)).post(`/tickets/${spam.id}/delete`, {})).status).toBe(404);

    const lead = await signedIn(t, manager);
    const page = await lead.get(`/tickets/${spam.id}`);
    expect(page.text).toContain(`action="/tickets/${spam.id}/delete"`);
    expect((await lead.post(`/tickets/${spam.id}/delete`, {}, { csrf: false })).status).toBe(403);
    const deleted = await lead.post(`/tickets/${spam.id}/delete`, {});
    expect(deleted.location).toBe('/tickets');
    expect(visibleText((await lead.get('/tickets')).text)).toContain(
      `Ticket ${spam.number} moved to the recycle bin.`,
    );
    expect((await lead.get('/tickets?queue=unassigned')).text).not.toContain('Cheap watches');
    expect((await lead.get(`/tickets/${spam.id}`)).status).toBe(404);
    // The bin is the admin's.
    expect((await lead.get('/tickets/deleted')).status).toBe(403);
    expect((await lead.post(`/tickets/${spam.id}/restore`, {})).status).toBe(403);
    expect(
      (await t.db.query('SELECT deleted_at FROM ticket WHERE id = $1', [spam.id])).rows[0].deleted_at,
    ).not.toBeNull();

    const a = await signedIn(t, admin);
    expect((await a.get('/tickets')).text).toContain('href="/tickets/deleted"');
    const bin = await a.get('/tickets/deleted');
    expect(visibleText(bin.text)).toContain(`${spam.number} Cheap watches 便宜手表 杭州云帆贸易有限公司`);
    const restored = await a.post(`/tickets/${spam.id}/restore`, {});
    expect(restored.location).toBe(`/tickets/${spam.id}`);
    const back = visibleText((await a.get(`/tickets/${spam.id}`)).text);
    expect(back).toContain(`Ticket ${spam.number} restored.`);
    // Its history says who put it in the bin and who brought it back, newest first.
    expect(back).toMatch(
      /History [^A-Z]*Admin Restored from the recycle bin [^A-Z]*Manager Zhou Deleted \(recycle bin\)/,
    );
    expect(visibleText((await a.get('/tickets/deleted')).text)).not.toContain(spam.number);
    // Restoring twice finds nothing to restore.
    expect((await a.post(`/tickets/${spam.id}/restore`, {})).status).toBe(404);
    const { rows } = await t.db.query<{ action: string; actor_id: number }>(
      `SELECT action, actor_id FROM audit_entry WHERE entity = 'ticket' AND entity_id = $1 AND action IN ('delete', 'restore') ORDER BY id`,
      [spam.id],
    );
    expect(rows).toEqual([
      { action: 'delete', actor_id: manager.id },
      { action: 'restore', actor_id: admin.id },
    ]);
  });
});

describe('the admin’s ticket settings', () => {
  it('routes a type to a team, sets the SLA and keeps a canned reply', async () => {
    const c = await signedIn(t, admin);
    const page = await c.get('/admin/tickets');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/tickets" aria-current="page"');
    const routed = await c.post('/admin/tickets/routing', {
      'routes[consultation]': String(teamA),
      'routes[technical]': String(teamB),
      'routes[billing]': '',
      'routes[complaint]': String(teamA),
      autoCloseDays: '5',
    });
    expect(routed.status).toBe(303);
    const routes = await t.db.query<{ type: string; team_id: number }>(
      'SELECT type, team_id FROM ticket_routing ORDER BY type',
    );
    expect(routes.rows).toEqual([
      { type: 'complaint', team_id: teamA },
      { type: 'consultation', team_id: teamA },
      { type: 'technical', team_id: teamB },
    ]);

    const canned = await c.post('/admin/tickets/canned', {
      teamId: String(teamB),
      title: '重启服务',
      body: '您好 {contact}，请重启服务。',
    });
    expect(canned.status).toBe(303);
    const stored = await t.db.query('SELECT team_id FROM canned_reply WHERE title = $1', ['重启服务']);
    expect(stored.rows).toEqual([{ team_id: teamB }]);
  });

  it('saves the SLA targets, a tier row wins for its tier, and a half-filled row is refused', async () => {
    const c = await signedIn(t, admin);
    const page = await c.get('/admin/tickets');
    const rows = [
      ...page.text.matchAll(
        /name="policies\[(\d+)\]\[priority\]" value="(\w+)"[\s\S]*?name="policies\[\1\]\[tier\]" value="(\w*)"/g,
      ),
    ];
    expect(rows).toHaveLength(16);
    const fields: Record<string, string> = {};
    for (const [, i, priority, tier] of rows) {
      fields[`policies[${i}][priority]`] = priority;
      fields[`policies[${i}][tier]`] = tier;
      const general = !tier;
      fields[`policies[${i}][firstResponseMinutes]`] = general
        ? '60'
        : priority === 'urgent' && tier === 'A'
          ? '15'
          : '';
      fields[`policies[${i}][resolutionMinutes]`] = general
        ? '600'
        : priority === 'urgent' && tier === 'A'
          ? '120'
          : '';
    }
    expect((await c.post('/admin/tickets/sla', fields)).status).toBe(303);
    const stored = await t.db.query<{
      priority: string;
      tier: string | null;
      first_response_minutes: number;
    }>(
      `SELECT priority, tier, first_response_minutes FROM sla_policy WHERE priority = 'urgent' ORDER BY tier NULLS FIRST`,
    );
    expect(stored.rows).toEqual([
      { priority: 'urgent', tier: null, first_response_minutes: 60 },
      { priority: 'urgent', tier: 'A', first_response_minutes: 15 },
    ]);
    const half = {
      ...fields,
      'policies[5][firstResponseMinutes]': '30',
      'policies[5][resolutionMinutes]': '',
    };
    const refused = await c.post('/admin/tickets/sla', half);
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain(
      'Each filled-in row needs both a first-response and a resolution target.',
    );
  });

  it('edits and deletes a canned reply', async () => {
    const c = await signedIn(t, admin);
    await c.post('/admin/tickets/canned', { teamId: '', title: '问候', body: '您好 {customer}' });
    const { rows } = await t.db.query<{ id: number; version: number }>(
      `SELECT id, version FROM canned_reply WHERE title = '问候' AND deleted_at IS NULL`,
    );
    const page = await c.get('/admin/tickets');
    expect(page.text).toContain(`action="/admin/tickets/canned/${rows[0].id}/delete"`);
    const edited = await c.post('/admin/tickets/canned', {
      id: String(rows[0].id),
      version: String(rows[0].version),
      teamId: String(teamA),
      title: '问候语',
      body: '{contact}您好',
    });
    expect(edited.status).toBe(303);
    const after = await t.db.query('SELECT title, team_id FROM canned_reply WHERE id = $1', [rows[0].id]);
    expect(after.rows).toEqual([{ title: '问候语', team_id: teamA }]);
    expect((await c.post(`/admin/tickets/canned/${rows[0].id}/delete`)).status).toBe(303);
    const gone = await t.db.query('SELECT deleted_at IS NOT NULL AS gone FROM canned_reply WHERE id = $1', [
      rows[0].id,
    ]);
    expect(gone.rows[0].gone).toBe(true);
    expect((await c.get('/admin/tickets')).text).not.toContain('<summary>问候语');
  });

  it('is the admin’s alone', async () => {
    const c = await signedIn(t, agent1);
    expect((await c.get('/admin/tickets')).status).toBe(403);
  });
});

describe('My day of the service desk', () => {
  /** Each queue's count as a page shows it, by the queue its link opens. */
  const countsIn = (html: string, link: RegExp) =>
    Object.fromEntries([...html.matchAll(link)].map((m) => [m[1], m[2]]));

  it('counts the team’s queues for its manager, each a link, as the queue tabs count them', async () => {
    await createTicket(t.db, { customerId, teamId: teamA, assigneeId: null, subject: 'Nobody holds it yet' });
    await createTicket(t.db, {
      customerId,
      teamId: teamA,
      assigneeId: agent2.id,
      subject: 'Due within the hour',
      dueAt: new Date(Date.now() + 20 * 60_000),
    });
    const c = await signedIn(t, manager);
    const section = /<section class="card team-tickets"[\s\S]*?<\/section>/.exec((await c.get('/')).text)![0];
    expect(visibleText(section)).toMatch(/^My team’s tickets \d+ Unassigned \d+ Breaching soon/);
    const onMyDay = countsIn(section, /href="\/tickets\?queue=(\w+)"><span class="count[^"]*">([^<]+)</g);
    const tabs = countsIn(
      (await c.get('/tickets')).text,
      /data-queue="(\w+)">[^<]*<span class="count">([^<]+)</g,
    );
    expect(Object.keys(onMyDay)).toEqual(['unassigned', 'breaching', 'team', 'waiting']);
    for (const [queue, count] of Object.entries(onMyDay)) expect(count).toBe(tabs[queue]);
    expect(Number(onMyDay.unassigned)).toBeGreaterThan(0);
    // What needs the lead now is marked.
    expect(section).toMatch(/<span class="count urgent">\d+<\/span> Unassigned/);
  });

  it('gives an agent their tickets first, without a seller’s next-step cards or the team’s counts', async () => {
    await createTicket(t.db, { customerId, teamId: teamA, assigneeId: agent1.id, subject: 'Mine today' });
    const home = (await (await signedIn(t, agent1)).get('/')).text;
    expect(home).toContain('<section class="card my-tickets">');
    expect(home).not.toContain('data-testid="team-tickets"');
    expect(visibleText(home)).not.toContain('Due today');
  });
});
