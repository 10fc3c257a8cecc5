import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../src/common/session-user.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * Opening a ticket through TicketsService on the real database: the type's team takes it, the
 * least-loaded present agent of that team gets it (deactivated and away agents skipped, ties by id),
 * VIP and tier-A customers get one priority level more, and the SLA due times are stored.
 */
let t: TestApp;
let tickets: TicketsService;
let team: number;
let other: number;
let a1: UserRow;
let a2: UserRow;
let a3: UserRow;
let gone: UserRow;
let stranger: UserRow;
let agent: SessionUser;

const session = async (u: UserRow) => (await t.app.get(UsersService).findForSession(u.id))!;

async function openFor(
  customerId: number,
  type: 'technical' | 'billing' = 'technical',
  priority?: 'normal' | 'urgent',
) {
  return tickets.open(
    {
      channel: 'phone',
      type,
      priority,
      subject: 'The printer driver fails',
      body: 'Since the update the driver does not install.',
      requester: { name: 'Li Lei', email: 'li.lei@example.com' },
      customerId,
      locale: 'en',
    },
    agent,
  );
}

const row = async (id: number) =>
  (
    await t.db.query(
      `SELECT number, team_id, assignee_id, priority, status, received_at, first_response_due_at,
              resolution_due_at, due_at, tracking_token, first_response_target_minutes
         FROM ticket WHERE id = $1`,
      [id],
    )
  ).rows[0];

beforeAll(async () => {
  t = await startApp();
  tickets = t.app.get(TicketsService);
  team = await createTeam(t.db, '客服一组');
  other = await createTeam(t.db, '技术支持');
  // Created in this order: ids ascending a1 < a2 < a3.
  a1 = await createUser(t.db, { role: 'service', teamId: team, name: 'Agent One' });
  a2 = await createUser(t.db, { role: 'service', teamId: team, name: 'Agent Two' });
  a3 = await createUser(t.db, { role: 'service', teamId: team, name: 'Agent Three' });
  gone = await createUser(t.db, { role: 'service', teamId: team, name: 'Gone Agent', active: false });
  stranger = await createUser(t.db, { role: 'service', teamId: other, name: 'Other Team Agent' });
  await t.db.query(`INSERT INTO ticket_routing (type, team_id) VALUES ('technical', $1), ('billing', $2)`, [
    team,
    other,
  ]);
  agent = await session(a1);
});
afterAll(() => t.close());

describe(`${TicketsService.name}: opening and assignment`, () => {
  it('routes by type and gives each new ticket to the least-loaded present agent, ties by id', async () => {
    const customer = await createCustomer(t.db);
    const first = await openFor(customer);
    expect((await row(first.id)).assignee_id).toBe(a1.id); // everyone at 0: lowest id
    const second = await openFor(customer);
    expect((await row(second.id)).assignee_id).toBe(a2.id);
    const third = await openFor(customer);
    expect((await row(third.id)).assignee_id).toBe(a3.id);
    // a3 marks themselves away: the next goes to a1 (1 open) rather than a3.
    await tickets.setAway(await session(a3), true);
    expect(await tickets.isAway(await session(a3))).toBe(true);
    const fourth = await openFor(customer);
    expect((await row(fourth.id)).assignee_id).toBe(a1.id);
    // The deactivated agent with no tickets at all never gets one.
    const assignees = await Promise.all(
      [first, second, third, fourth].map(async (x) => (await row(x.id)).assignee_id),
    );
    expect(assignees).not.toContain(gone.id);
    await tickets.setAway(await session(a3), false);
    // Loads now a1 2, a2 1, a3 1: a2 and a3 tie, the lower id wins.
    const fifth = await openFor(customer);
    expect((await row(fifth.id)).assignee_id).toBe(a2.id);
    const stored = await row(first.id);
    expect(stored.team_id).toBe(team);
    expect(stored.number).toMatch(/^T-\d{6}$/);
    expect(stored.tracking_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored.status).toBe('new');
  });

  it('routes another type to its own team', async () => {
    const customer = await createCustomer(t.db);
    const opened = await openFor(customer, 'billing');
    const stored = await row(opened.id);
    expect(stored.team_id).toBe(other);
    expect(stored.assignee_id).toBe(stranger.id);
  });

  it('raises the priority one level for VIP and tier-A customers, not for others', async () => {
    const plain = await createCustomer(t.db);
    await t.db.query(`UPDATE customer SET tier = 'B', vip = false WHERE id = $1`, [plain]);
    const vip = await createCustomer(t.db);
    await t.db.query(`UPDATE customer SET tier = 'C', vip = true WHERE id = $1`, [vip]);
    const tierA = await createCustomer(t.db);
    await t.db.query(`UPDATE customer SET tier = 'A', vip = false WHERE id = $1`, [tierA]);
    expect((await row((await openFor(plain)).id)).priority).toBe('normal');
    expect((await row((await openFor(vip)).id)).priority).toBe('high');
    expect((await row((await openFor(tierA)).id)).priority).toBe('high');
    expect((await row((await openFor(tierA, 'technical', 'urgent')).id)).priority).toBe('urgent');
  });

  it('stores the SLA targets of the priority (a tier row wins) and the due times on the calendar', async () => {
    const customer = await createCustomer(t.db);
    await t.db.query(`UPDATE customer SET tier = 'B', vip = false WHERE id = $1`, [customer]);
    await t.db.query(
      `INSERT INTO sla_policy (priority, tier, first_response_minutes, resolution_minutes, version)
       VALUES ('normal', 'B', 120, 900, 1)`,
    );
    // Monday 2026-11-30 10:00 in Shanghai: 120 business minutes later is 12:00 the same day, on the
    // seeded calendar (09:00–12:00, 13:30–18:00); 900 minutes = 390 left on Monday (10:00–12:00,
    // 13:30–18:00) + 450 on Tuesday + 60 on Wednesday (09:00–10:00) → Wednesday 10:00 = 02:00Z.
    const opened = await tickets.open(
      {
        channel: 'phone',
        type: 'technical',
        subject: 'Call logged after the fact',
        body: 'The customer called at ten.',
        requester: { name: 'Han Meimei', mobile: '13800000000' },
        customerId: customer,
        receivedAt: new Date('2026-11-30T02:00:00Z'),
        locale: 'zh-CN',
      },
      agent,
    );
    const stored = await row(opened.id);
    expect(stored.first_response_target_minutes).toBe(120);
    expect(stored.first_response_due_at.toISOString()).toBe('2026-11-30T04:00:00.000Z');
    expect(stored.resolution_due_at.toISOString()).toBe('2026-12-02T02:00:00.000Z');
    expect(stored.due_at.toISOString()).toBe('2026-11-30T04:00:00.000Z');
    await t.db.query(`DELETE FROM sla_policy WHERE tier = 'B'`);
  });

  it('refuses a received time in the future and a sales rep opening a ticket', async () => {
    const customer = await createCustomer(t.db);
    await expect(
      tickets.open(
        {
          channel: 'phone',
          type: 'technical',
          subject: 's',
          body: 'b',
          requester: { name: 'x', email: 'x@example.com' },
          customerId: customer,
          receivedAt: new Date(Date.now() + 3600_000),
          locale: 'en',
        },
        agent,
      ),
    ).rejects.toMatchObject({ fields: { receivedAt: [{ key: 'tickets.error.received_in_future' }] } });
    const rep = await session(await createUser(t.db, { role: 'sales' }));
    await expect(tickets.newTicketForm(rep)).rejects.toMatchObject({ status: 403 });
  });

  it("pages a queue by due time, forward and back, waiting tickets last, and counts the agent's scope", async () => {
    const agentTwo = await session(a2);
    const customer = await createCustomer(t.db);
    await t.db.query('UPDATE ticket SET deleted_at = now()');
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await openFor(customer)).id);
    // Spread the due times: ticket i due i hours from a fixed morning; the last two wait on the customer.
    for (const [i, id] of ids.entries())
      await t.db.query(
        `UPDATE ticket SET deleted_at = NULL, assignee_id = $2,
                due_at = CASE WHEN $3 THEN NULL ELSE timestamptz '2026-12-01 01:00Z' + make_interval(hours => $4) END,
                status = CASE WHEN $3 THEN 'pending' ELSE 'open' END,
                paused_at = CASE WHEN $3 THEN now() ELSE NULL END
          WHERE id = $1`,
        [id, a2.id, i >= 5, 6 - i],
      );
    // Due order: ids[4] (2 h), ids[3], ids[2], ids[1], ids[0] (6 h), then the waiting ids[5], ids[6] by id.
    const expected = [ids[4], ids[3], ids[2], ids[1], ids[0], ids[5], ids[6]];
    const seen: number[] = [];
    let page = await tickets.queue(agentTwo, 'mine', {}, {}, 3);
    expect(page.total).toBe(7);
    seen.push(...page.rows.map((r) => r.id));
    while (page.next) {
      page = await tickets.queue(agentTwo, 'mine', {}, { after: page.next }, 3);
      seen.push(...page.rows.map((r) => r.id));
    }
    expect(seen).toEqual(expected);
    const back = await tickets.queue(agentTwo, 'mine', {}, { before: page.prev! }, 3);
    expect(back.rows.map((r) => r.id)).toEqual(expected.slice(3, 6));
    const team = await tickets.queue(agentTwo, 'team', {}, {}, 10);
    expect(team.rows.map((r) => r.id)).toEqual(expected);
    const waiting = await tickets.queue(agentTwo, 'waiting', {}, {}, 10);
    expect(waiting.rows.map((r) => r.id)).toEqual([ids[5], ids[6]]);
    expect(await tickets.queueCounts(agentTwo)).toMatchObject({
      mine: 7,
      team: 7,
      waiting: 2,
      unassigned: 0,
    });
    // The other team's agent counts none of them.
    expect(await tickets.queueCounts(await session(stranger))).toMatchObject({ team: 0, mine: 0 });
  });

  it('mails the requester an acknowledgement with the tracking link', async () => {
    const customer = await createCustomer(t.db);
    const opened = await openFor(customer);
    const { rows } = await t.db.query(`SELECT "to", subject, text FROM outbox_mail WHERE text LIKE $1`, [
      `%/portal/tickets/${opened.trackingToken}%`,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].to).toBe('li.lei@example.com');
    expect(rows[0].subject).toBe(`[${opened.number}] The printer driver fails`);
  });

  it('gives two tickets arriving at once to two different agents', async () => {
    const customer = await createCustomer(t.db);
    for (let round = 0; round < 3; round++) {
      const opened = await Promise.all([openFor(customer), openFor(customer)]);
      const assignees = await Promise.all(opened.map(async (o) => (await row(o.id)).assignee_id));
      expect(assignees[0]).not.toBeNull();
      expect(assignees[0]).not.toBe(assignees[1]);
    }
  });
});
