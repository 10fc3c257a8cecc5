import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusinessCalendarService } from '../../src/common/calendar/business-calendar.service.js';
import type { SessionUser } from '../../src/common/session-user.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * The SLA watch on the real database: the 80% warning and the breach each reach the assignee and the
 * team's manager once (in-app and by mail), a first-response breach raises the priority one level
 * and alerts the manager, and two runs at once tell nobody twice. Times are given to the watch, so
 * the cases do not depend on when the suite runs. The seeded calendar is checked against the 2026
 * State Council notice the SLA clock's unit tests use.
 */
let t: TestApp;
let tickets: TicketsService;
let team: number;
let agent: UserRow;
let manager: UserRow;
let me: SessionUser;

const sh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

beforeAll(async () => {
  t = await startApp();
  // The watch runs here with the times the cases give it, never on its minute schedule with today's time.
  await t.db.query(`DELETE FROM pgboss.schedule WHERE name = 'tickets.sla-watch'`);
  tickets = t.app.get(TicketsService);
  team = await createTeam(t.db);
  agent = await createUser(t.db, { role: 'service', teamId: team, name: 'Sla Agent' });
  manager = await createUser(t.db, { role: 'manager', teamId: team, name: 'Sla Manager' });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
  await t.db.query(`INSERT INTO ticket_routing (type, team_id) VALUES ('technical', $1)`, [team]);
  me = (await t.app.get(UsersService).findForSession(agent.id))!;
});
afterAll(() => t.close());

/** A normal-priority ticket logged by the agent as received at `receivedAt` (Shanghai wall time). */
async function logged(receivedAt: string): Promise<number> {
  const customer = await createCustomer(t.db);
  await t.db.query(`UPDATE customer SET tier = 'C', vip = false WHERE id = $1`, [customer]);
  const { id } = await tickets.open(
    {
      channel: 'phone',
      type: 'technical',
      subject: `Line down ${receivedAt}`,
      body: 'The line is down.',
      requester: { name: 'Zhang Wei', mobile: '13900000000' },
      customerId: customer,
      receivedAt: sh(receivedAt),
      locale: 'zh-CN',
    },
    me,
  );
  return id;
}

const notes = async (ticketId: number) =>
  (
    await t.db.query<{ user_id: number; kind: string }>(
      `SELECT user_id, kind FROM notification WHERE link = $1 AND kind LIKE 'ticket\\_%' AND kind <> 'ticket_assigned'
        ORDER BY user_id, kind`,
      [`/tickets/${ticketId}`],
    )
  ).rows;

describe(`${TicketsService.name}: the SLA watch`, () => {
  it('the seeded calendar holds the 2026 holidays and 调休 make-up days the unit tests use', async () => {
    const calendar = await t.app.get(BusinessCalendarService).calendar();
    const of2026 = (days: ReadonlySet<string>) => [...days].filter((d) => d.startsWith('2026-')).sort();
    expect(of2026(calendar.makeUpDays)).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    const holidays = of2026(calendar.holidays);
    expect(holidays).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
    for (const d of ['2026-02-15', '2026-02-23', '2026-05-05', '2026-10-01', '2026-10-07'])
      expect(holidays).toContain(d);
    expect(holidays).not.toContain('2026-02-14');
    expect(holidays).not.toContain('2026-10-08');
  });

  it('warns at 80% of the first-response target, once, to the assignee and the team manager', async () => {
    // Mon 2026-11-23 09:00, normal (240 minutes) on the seeded calendar (09:00–12:00, 13:30–18:00):
    // 80% = 192 minutes → 180 by noon and 12 after lunch, 13:42; due at 14:30.
    const id = await logged('2026-11-23 09:00');
    const { rows: instants } = await t.db.query(
      `SELECT first_response_warning_due_at AS fr, resolution_warning_due_at AS res FROM ticket WHERE id = $1`,
      [id],
    );
    // 80% of the resolution's 1350 = 1080: Monday and Tuesday in full, Wednesday's morning → 12:00.
    expect(instants).toEqual([{ fr: sh('2026-11-23 13:42'), res: sh('2026-11-25 12:00') }]);
    await tickets.watchSla(sh('2026-11-23 13:40'));
    expect(await notes(id)).toEqual([]);
    await tickets.watchSla(sh('2026-11-23 13:45'));
    expect(await notes(id)).toEqual([
      { user_id: agent.id, kind: 'ticket_first_response_warning' },
      { user_id: manager.id, kind: 'ticket_first_response_warning' },
    ]);
    await tickets.watchSla(sh('2026-11-23 14:00'));
    expect(await notes(id)).toHaveLength(2);
    // One mail each, in the recipient's language (the factories make English-speaking users).
    const { rows } = await t.db.query(
      `SELECT "to" FROM outbox_mail WHERE subject LIKE 'SLA warning:%' AND subject LIKE $1 ORDER BY "to"`,
      ['%Line down 2026-11-23 09:00%'],
    );
    expect(rows.map((r) => r.to).sort()).toEqual([agent.email, manager.email].sort());
  });

  it('a first-response breach marks the ticket, raises its priority and alerts the manager, once', async () => {
    const id = await logged('2026-11-24 09:00');
    // At 15:00 the first response (due 14:30) is overdue. Two watches at once: one tells.
    const runs = await Promise.all([
      tickets.watchSla(sh('2026-11-24 15:00')),
      tickets.watchSla(sh('2026-11-24 15:00')),
    ]);
    expect(runs.map((r) => r.breaches).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const stored = (
      await t.db.query(
        `SELECT priority, first_response_breached_at, first_response_warned_at, first_response_target_minutes,
                resolution_due_at FROM ticket WHERE id = $1`,
        [id],
      )
    ).rows[0];
    expect(stored.priority).toBe('high');
    expect(stored.first_response_breached_at).toEqual(sh('2026-11-24 15:00'));
    expect(stored.first_response_warned_at).toEqual(sh('2026-11-24 15:00'));
    // High: 60 / 900 from arrival: resolution 900 = Tue 450 + Wed 450 → Wed 11-25 18:00.
    expect(stored.first_response_target_minutes).toBe(60);
    expect(stored.resolution_due_at).toEqual(sh('2026-11-25 18:00'));
    expect(await notes(id)).toEqual([
      { user_id: agent.id, kind: 'ticket_first_response_breached' },
      { user_id: manager.id, kind: 'ticket_escalated' },
      { user_id: manager.id, kind: 'ticket_first_response_breached' },
    ]);
    await tickets.watchSla(sh('2026-11-24 15:30'));
    expect(await notes(id)).toHaveLength(3);
    const history = (
      await t.db.query(
        `SELECT action, diff FROM audit_entry WHERE entity = 'ticket' AND entity_id = $1 AND action = 'escalate'`,
        [String(id)],
      )
    ).rows;
    expect(history).toEqual([{ action: 'escalate', diff: { priority: { from: 'normal', to: 'high' } } }]);
  });

  it('warns at 80% of the resolution target and tells its breach, without escalating', async () => {
    // Mon 2026-11-30 09:00, normal: resolution 1350 minutes on the seeded calendar (450 a day): 80%
    // = 1080 = Monday and Tuesday in full and Wednesday's morning → Wed 12-02 12:00; due at the end of
    // Wednesday, 18:00.
    const id = await logged('2026-11-30 09:00');
    const view = await tickets.detail(id, me);
    await tickets.reply(id, me, { body: 'On it.', internal: false, version: view.ticket.version });
    await t.db.query('UPDATE ticket SET first_responded_at = $2 WHERE id = $1', [id, sh('2026-11-30 09:10')]);
    await tickets.watchSla(sh('2026-12-01 17:59'));
    expect(await notes(id)).toEqual([]);
    await tickets.watchSla(sh('2026-12-02 11:59'));
    expect(await notes(id)).toEqual([]);
    await tickets.watchSla(sh('2026-12-02 13:45'));
    expect(await notes(id)).toEqual([
      { user_id: agent.id, kind: 'ticket_resolution_warning' },
      { user_id: manager.id, kind: 'ticket_resolution_warning' },
    ]);
    await tickets.watchSla(sh('2026-12-03 09:00'));
    expect((await notes(id)).map((n) => n.kind)).toEqual([
      'ticket_resolution_breached',
      'ticket_resolution_warning',
      'ticket_resolution_breached',
      'ticket_resolution_warning',
    ]);
    const row = (await t.db.query('SELECT priority, resolution_breached_at FROM ticket WHERE id = $1', [id]))
      .rows[0];
    expect(row).toEqual({ priority: 'normal', resolution_breached_at: sh('2026-12-03 09:00') });
  });

  it('a running ticket stored without its warning instants gets them from the watch, and its warning on time', async () => {
    // As a ticket written before the instants were kept: Mon 2026-11-16 09:00, normal.
    const id = await logged('2026-11-16 09:00');
    await t.db.query(
      `UPDATE ticket SET first_response_warning_due_at = NULL, resolution_warning_due_at = NULL WHERE id = $1`,
      [id],
    );
    await tickets.watchSla(sh('2026-11-16 13:40'));
    const { rows } = await t.db.query(
      `SELECT first_response_warning_due_at AS fr, resolution_warning_due_at AS res FROM ticket WHERE id = $1`,
      [id],
    );
    expect(rows).toEqual([{ fr: sh('2026-11-16 13:42'), res: sh('2026-11-18 12:00') }]);
    expect(await notes(id)).toEqual([]);
    await tickets.watchSla(sh('2026-11-16 13:43'));
    expect(await notes(id)).toEqual([
      { user_id: agent.id, kind: 'ticket_first_response_warning' },
      { user_id: manager.id, kind: 'ticket_first_response_warning' },
    ]);
  });

  it('an answered ticket gets no first-response alert; a paused one none at all', async () => {
    const answered = await logged('2026-11-26 09:00');
    await t.db.query('UPDATE ticket SET first_responded_at = $2 WHERE id = $1', [
      answered,
      sh('2026-11-26 09:30'),
    ]);
    const waiting = await logged('2026-11-26 09:00');
    const view = await tickets.detail(waiting, me);
    await tickets.change(waiting, me, { status: 'pending', version: view.ticket.version });
    await tickets.watchSla(sh('2026-11-26 14:00'));
    expect(await notes(answered)).toEqual([]);
    expect(await notes(waiting)).toEqual([]);
  });
});
