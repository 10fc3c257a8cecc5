import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../src/common/session-user.js';
import { queueCountText } from '../../src/tickets/queue-count.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import type { TicketQueue } from '../../src/tickets/tickets.types.js';
import { UsersService } from '../../src/users/users.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import type { Client } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { scansOf, StatementRecorder } from '../helpers/statements.js';

/**
 * The queues follow the list pattern (README, How it scales), checked on 20,000 tickets, most of
 * them closed: a queue's page and its capped count are one statement that reads the ticket indexes
 * in due order, never the whole table, for the admin, a manager and an agent (each ticket carries its
 * customer's name, as a deal does: a module does not join another module's table); the counts of all
 * queues are one statement.
 */
const TICKETS = 20_000;

let t: TestApp;
let tickets: TicketsService;
const recorder = new StatementRecorder();
const users: Record<string, SessionUser> = {};
const accounts: Record<string, UserRow> = {};

beforeAll(async () => {
  t = await startApp();
  tickets = t.app.get(TicketsService);
  const teams = [await createTeam(t.db), await createTeam(t.db), await createTeam(t.db)];
  const agents: UserRow[] = [];
  for (const [i, team] of teams.entries())
    for (let k = 0; k < 3; k++)
      agents.push(await createUser(t.db, { role: 'service', teamId: team, name: `Agent ${i}-${k}` }));
  const manager = await createUser(t.db, { role: 'manager', teamId: teams[0] });
  await t.db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, teams[0]]);
  const admin = await createUser(t.db, { role: 'admin' });
  const customer = await createCustomer(t.db);
  await t.db.query(`UPDATE customer SET tier = 'A' WHERE id = $1`, [customer]);
  // Ticket g: team g % 3 (every 50th without a team), agent by g; 85% closed, then resolved, open, new, pending.
  await t.db.query(
    `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
                         assignee_id, received_at, first_response_target_minutes, resolution_target_minutes,
                         first_response_due_at, resolution_due_at, due_at, paused_at, resolved_at, closed_at,
                         tracking_token, version)
     SELECT 'T-' || lpad(g::text, 6, '0'), $2, 'Requester ' || g, 'portal', 'technical', 'normal', s.status,
            'Subject ' || g, CASE WHEN g % 50 = 0 THEN NULL ELSE ($3::int[])[1 + g % 3] END,
            CASE WHEN g % 7 = 0 THEN NULL ELSE ($4::int[])[1 + g % 9] END,
            now() - make_interval(mins => g * 10), 240, 1350,
            now() - make_interval(mins => g * 10) + interval '4 hours',
            now() - make_interval(mins => g * 10) + interval '3 days',
            CASE WHEN s.status IN ('new', 'open') THEN now() - make_interval(mins => g * 10) + interval '4 hours' END,
            CASE WHEN s.status = 'pending' THEN now() END,
            CASE WHEN s.status IN ('resolved', 'closed') THEN now() - make_interval(mins => g * 10) + interval '1 hour' END,
            CASE WHEN s.status = 'closed' THEN now() END,
            md5(g::text), 1
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 100 < 85 THEN 'closed' WHEN g % 100 < 90 THEN 'resolved'
                                       WHEN g % 100 < 95 THEN 'open' WHEN g % 100 < 97 THEN 'new' ELSE 'pending' END AS status) s`,
    [TICKETS, customer, teams, agents.map((a) => a.id)],
  );
  await t.db.query('VACUUM ANALYZE ticket');
  const find = t.app.get(UsersService);
  Object.assign(accounts, { admin, manager, agent: agents[1] });
  users.admin = (await find.findForSession(admin.id))!;
  users.manager = (await find.findForSession(manager.id))!;
  users.agent = (await find.findForSession(agents[1].id))!;
  // Teams' names are reference data kept in memory, loaded once like the users' directory above.
  await find.teamChoices();
  recorder.install();
}, 180_000);

afterAll(async () => {
  recorder.uninstall();
  await t.close();
});

const QUEUES: TicketQueue[] = ['unassigned', 'mine', 'team', 'breaching', 'waiting', 'resolved'];

describe.each(['admin', 'manager', 'agent'])('the queues of the %s', (who) => {
  it.each(QUEUES)(
    '%s: one statement for the page and its count, reading no more tickets than it needs',
    async (queue) => {
      const user = users[who];
      const { result, statements } = await recorder.during(() => tickets.queue(user, queue, {}));
      // The page and its count: one statement, its rows with their customers' names (agents' and
      // teams' names are in memory; out of a request, whether that memory is current costs a look at
      // the reference version).
      const run = statements.filter((s) => !s.text.includes('reference_version'));
      expect(run).toHaveLength(1);
      const lists = statements.filter((s) => s.text.includes('FROM ticket t'));
      expect(lists).toHaveLength(1);
      const { seqScan, looked } = await scansOf(t.db, lists[0], 'ticket');
      expect(seqScan).toBe(false);
      expect(looked).toBeLessThan(TICKETS / 4);
      // Only an agent has tickets of their own.
      expect(result.rows.length > 0).toBe(queue !== 'mine' || who === 'agent');
      expect(result.rows.filter((r) => r.customerName === '')).toEqual([]);
      expect(result.rows.filter((r) => r.teamId !== null && !/^Team /.test(r.teamName ?? ''))).toEqual([]);
      expect(result.rows.filter((r) => r.teamId === null && r.teamName !== null)).toEqual([]);
    },
  );

  it.each(['team', 'resolved'] as const)(
    "%s: filters by the customer's tier in the same statements, reading no more tickets than it needs",
    async (queue) => {
      const { result, statements } = await recorder.during(() =>
        tickets.queue(users[who], queue, { tier: 'A' }),
      );
      expect(result.rows.length).toBeGreaterThan(0);
      const run = statements.filter((s) => !s.text.includes('reference_version'));
      expect(run).toHaveLength(1);
      const lists = statements.filter((s) => s.text.includes('FROM ticket t'));
      expect(lists).toHaveLength(1);
      const { seqScan, looked } = await scansOf(t.db, lists[0], 'ticket');
      expect(seqScan).toBe(false);
      expect(looked).toBeLessThan(TICKETS / 4);
      const other = await recorder.during(() => tickets.queue(users[who], queue, { tier: 'B' }));
      expect(other.result.rows).toHaveLength(0);
    },
  );

  it('counts every queue in one statement without reading the whole table', async () => {
    const { statements } = await recorder.during(() => tickets.queueCounts(users[who]));
    expect(statements).toHaveLength(1);
    const { seqScan, looked } = await scansOf(t.db, statements[0], 'ticket');
    expect(seqScan).toBe(false);
    expect(looked).toBeLessThan(TICKETS / 2);
  });
});

/** The number each queue's tab shows on a queues page. */
function tabsOf(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/data-queue="(\w+)">[^<]*<span class="count">([^<]*)<\/span>/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
}

describe.each(['admin', 'manager', 'agent'])('the queues page of the %s', (who) => {
  let c: Client;
  beforeAll(async () => {
    c = await signedIn(t, accounts[who]);
    await c.get('/tickets'); // reference data loaded once, as after any change
  });

  it.each(QUEUES)('%s: the page, its count and every tab in one statement', async (queue) => {
    const { result: reply, statements } = await recorder.during(() => c.get(`/tickets?queue=${queue}`));
    expect(reply.status).toBe(200);
    // The session, the bell's count, the queue with every tab's count.
    expect(statements.length).toBeLessThanOrEqual(2);
    const read = statements.filter((s) => /\bFROM ticket\b/.test(s.text));
    expect(read).toHaveLength(1);
    const { seqScan, looked } = await scansOf(t.db, read[0], 'ticket');
    expect(seqScan).toBe(false);
    expect(looked).toBeLessThan(TICKETS / 4);
    // The tabs say what the queues' own count says.
    const counts = await tickets.queueCounts(users[who]);
    expect(tabsOf(reply.text)).toEqual(
      Object.fromEntries(QUEUES.map((q) => [q, String(queueCountText(counts[q]))])),
    );
  });

  it.each(['unassigned', 'mine', 'team'] as const)(
    '%s: the page reads about a page of tickets, however many the queue holds',
    async (queue) => {
      const { result, statements } = await recorder.during(() =>
        tickets.queue(users[who], queue, {}, {}, 10),
      );
      const list = statements.find((s) => s.text.includes('FROM ticket t'))!;
      const { looked } = await scansOf(t.db, list, 'ticket');
      // Each walk (a team's, the tickets of no team, the user's own) stops where the merged page
      // does: a ticket in two of them (its team's and its assignee's) read twice at most.
      expect(looked).toBeLessThanOrEqual(2 * 11 + 3);
      expect(result.rows.length).toBe(queue === 'mine' && who !== 'agent' ? 0 : 10);
    },
  );
});
