import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../src/common/session-user.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';

/**
 * The queue tabs count unassigned, mine, my team and waiting from totals the database keeps per team,
 * assignee and status (migration KeepTicketQueueTotals). Whatever writes tickets (one row or many,
 * a soft delete, a restore, a hard delete, a truncate), the totals stay what the tickets say, and the
 * tabs show each user's own counts.
 */
let t: TestApp;
let tickets: TicketsService;
let customer: number;
let teamA: number;
let teamB: number;
const ids: Record<string, number> = {};
const users: Record<'admin' | 'one' | 'two', SessionUser> = {} as never;
const accounts: Record<'one', UserRow> = {} as never;

/** Adds `n` tickets (new and open ones running against a due time, as the app stores them). */
async function add(
  n: number,
  status: string,
  teamId: number | null,
  assigneeId: number | null,
): Promise<number[]> {
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO ticket (number, customer_id, requester_name, channel, type, priority, status, subject, team_id,
                         assignee_id, received_at, first_response_target_minutes, resolution_target_minutes,
                         first_response_due_at, resolution_due_at, due_at, paused_at, resolved_at,
                         tracking_token, version)
     SELECT 'T-' || nextval('ticket_id_seq'), $1, 'Requester', 'phone', 'technical', 'normal', $2, 'Subject', $3,
            $4, now(), 240, 1350, now() + interval '4 hours', now() + interval '3 days',
            CASE WHEN $2 IN ('new', 'open') THEN now() + interval '3 days' END,
            CASE WHEN $2 = 'pending' THEN now() END,
            CASE WHEN $2 IN ('resolved', 'closed') THEN now() END,
            md5(random()::text), 1
       FROM generate_series(1, $5)
     RETURNING id`,
    [customer, status, teamId, assigneeId, n],
  );
  return rows.map((r) => r.id);
}

/** The kept totals, and the same figures counted from the tickets themselves. */
async function keptAndCounted() {
  const kept = await t.db.query(
    `SELECT team_id, assignee_id, status, count FROM ticket_queue_total WHERE count <> 0 ORDER BY 1, 2, 3`,
  );
  const counted = await t.db.query(
    `SELECT coalesce(team_id, 0) AS team_id, coalesce(assignee_id, 0) AS assignee_id, status, count(*)::int AS count
       FROM ticket WHERE deleted_at IS NULL AND status IN ('new', 'open', 'pending')
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return { kept: kept.rows, counted: counted.rows };
}

/** The queue tabs on /tickets and the "my tickets" card of My day, as the user reads them. */
async function shown(user: UserRow, lang: 'en' | 'zh-CN') {
  const c = await signedIn(t, user, lang);
  const tabs = /<nav class="tabs queue-tabs"[\s\S]*?<\/nav>/.exec((await c.get('/tickets')).text)![0];
  const myDay = /<section class="card my-tickets">[\s\S]*?<\/section>/.exec((await c.get('/')).text)![0];
  return { tabs: visibleText(tabs), myDay: visibleText(myDay) };
}

async function counts(user: SessionUser) {
  const c = await tickets.queueCounts(user);
  return { unassigned: c.unassigned, mine: c.mine, team: c.team, waiting: c.waiting };
}

beforeAll(async () => {
  t = await startApp();
  tickets = t.app.get(TicketsService);
  customer = await createCustomer(t.db);
  teamA = await createTeam(t.db);
  teamB = await createTeam(t.db);
  const admin = await createUser(t.db, { role: 'admin' });
  const one = await createUser(t.db, { role: 'service', teamId: teamA });
  const two = await createUser(t.db, { role: 'service', teamId: teamB });
  ids.one = one.id;
  ids.two = two.id;
  accounts.one = one;
  const find = t.app.get(UsersService);
  users.admin = (await find.findForSession(admin.id))!;
  users.one = (await find.findForSession(one.id))!;
  users.two = (await find.findForSession(two.id))!;
  // Team A: three new unassigned, two open and one waiting for agent one, one resolved, one open for
  // agent two (of team B); team B: two open for agent two, one waiting unassigned; no team: one new.
  await add(3, 'new', teamA, null);
  await add(2, 'open', teamA, one.id);
  await add(1, 'pending', teamA, one.id);
  await add(1, 'resolved', teamA, one.id);
  await add(1, 'open', teamA, two.id);
  await add(2, 'open', teamB, two.id);
  await add(1, 'pending', teamB, null);
  await add(1, 'new', null, null);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('the queue totals the database keeps', () => {
  it("give each user's tabs their counts: the admin all, an agent their teams', the unteamed and their own", async () => {
    expect(await counts(users.admin)).toEqual({ unassigned: 5, mine: 0, team: 11, waiting: 2 });
    expect(await counts(users.one)).toEqual({ unassigned: 4, mine: 3, team: 8, waiting: 1 });
    expect(await counts(users.two)).toEqual({ unassigned: 2, mine: 3, team: 5, waiting: 1 });
    const { kept, counted } = await keptAndCounted();
    expect(kept).toEqual(counted);
  });

  it('follow a ticket taken, put on hold, resolved, moved to another team, deleted and restored', async () => {
    const [taken] = (
      await t.db.query<{ id: number }>(
        `SELECT id FROM ticket WHERE team_id = $1 AND assignee_id IS NULL ORDER BY id LIMIT 1`,
        [teamA],
      )
    ).rows;
    await t.db.query(`UPDATE ticket SET assignee_id = $2, status = 'open' WHERE id = $1`, [
      taken.id,
      ids.one,
    ]);
    expect(await counts(users.one)).toEqual({ unassigned: 3, mine: 4, team: 8, waiting: 1 });
    await t.db.query(`UPDATE ticket SET status = 'pending', due_at = NULL, paused_at = now() WHERE id = $1`, [
      taken.id,
    ]);
    expect(await counts(users.one)).toEqual({ unassigned: 3, mine: 4, team: 8, waiting: 2 });
    await t.db.query(
      `UPDATE ticket SET status = 'resolved', resolved_at = now(), paused_at = NULL WHERE id = $1`,
      [taken.id],
    );
    expect(await counts(users.one)).toEqual({ unassigned: 3, mine: 3, team: 7, waiting: 1 });
    // Agent two's ticket in team A moves to team B: agent one no longer sees it, agent two still does.
    await t.db.query(`UPDATE ticket SET team_id = $1 WHERE team_id = $2 AND assignee_id = $3`, [
      teamB,
      teamA,
      ids.two,
    ]);
    expect(await counts(users.one)).toEqual({ unassigned: 3, mine: 3, team: 6, waiting: 1 });
    expect(await counts(users.two)).toEqual({ unassigned: 2, mine: 3, team: 5, waiting: 1 });
    await t.db.query(`UPDATE ticket SET deleted_at = now() WHERE team_id IS NULL`);
    expect(await counts(users.admin)).toEqual({ unassigned: 3, mine: 0, team: 9, waiting: 2 });
    await t.db.query(`UPDATE ticket SET deleted_at = NULL WHERE team_id IS NULL`);
    expect(await counts(users.admin)).toEqual({ unassigned: 4, mine: 0, team: 10, waiting: 2 });
    const { kept, counted } = await keptAndCounted();
    expect(kept).toEqual(counted);
  });

  it('stay what the tickets say through statements that write many tickets at once', async () => {
    await add(150, 'open', teamA, null);
    await add(40, 'pending', teamB, ids.two);
    // A hand-over: everything of agent two goes to agent one, in one statement.
    await t.db.query(`UPDATE ticket SET assignee_id = $1 WHERE assignee_id = $2`, [ids.one, ids.two]);
    // A bulk assignment of 60 of the unassigned, and a hard delete of 20 others.
    await t.db.query(
      `UPDATE ticket SET assignee_id = $1 WHERE id IN (SELECT id FROM ticket WHERE assignee_id IS NULL AND team_id = $2 ORDER BY id LIMIT 60)`,
      [ids.one, teamA],
    );
    await t.db.query(
      `DELETE FROM ticket WHERE id IN (SELECT id FROM ticket WHERE assignee_id IS NULL AND team_id = $1 ORDER BY id DESC LIMIT 20)`,
      [teamA],
    );
    const { kept, counted } = await keptAndCounted();
    expect(kept).toEqual(counted);
    // Past 99 a tab says "99+", as the bell does (the count stops at the cap), and so does My day.
    expect(await counts(users.one)).toMatchObject({ unassigned: 73 });
    const en = await shown(accounts.one, 'en');
    expect(en.tabs).toContain('Unassigned 73');
    expect(en.tabs).toContain('Mine 99+');
    expect(en.myDay).toContain('My tickets 99+');
    expect(en.myDay).toContain('All my tickets (99+)');
    const zh = await shown(accounts.one, 'zh-CN');
    expect(zh.tabs).toContain('未分配 73');
    expect(zh.tabs).toContain('我的 99+');
    expect(zh.myDay).toContain('我的工单 99+');
    expect(zh.myDay).toContain('我的全部工单（99+）');
    expect(await counts(users.two)).toMatchObject({ mine: 0 });
  });

  it('are emptied with the tickets when the table is emptied', async () => {
    await t.db.query('TRUNCATE ticket CASCADE');
    expect((await t.db.query('SELECT count(*)::int AS n FROM ticket_queue_total')).rows[0].n).toBe(0);
    expect(await counts(users.admin)).toEqual({ unassigned: 0, mine: 0, team: 0, waiting: 0 });
  });
});
