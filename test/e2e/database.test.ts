import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { ensureDatabase } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migrate.js';
import { SeedService, DEMO_PASSWORD, DEMO_USERS } from '../../src/seed/seed.service.js';
import { isValidUscc } from '../../src/customers/uscc.js';
import { copyTemplateDatabase, startApp, type TestApp } from '../helpers/app.js';
import { BusinessCalendarService } from '../../src/common/calendar/business-calendar.service.js';
import { addBusinessMinutes } from '../../src/common/calendar/business-time.js';
import { Client, visibleText } from '../helpers/client.js';
import { TicketsService } from '../../src/tickets/tickets.service.js';
import { TICKET_QUEUES } from '../../src/tickets/tickets.types.js';
import { UsersService } from '../../src/users/users.service.js';
import { dropDatabase } from '../helpers/databases.js';
import { ENTITIES } from '../../src/entities.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

/** A TCP relay between the app and PostgreSQL that the test can cut and restore, like a database outage. */
class Relay {
  private server?: Server;
  private sockets = new Set<Socket>();
  constructor(
    readonly target: { host: string; port: number },
    public port = 0,
  ) {}
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

/**
 * The demo service desk: tickets in every status, channel and queue of service1 (客服一组), some past
 * their SLA and some warned, answered surveys with low scores among them, requesters to confirm, and
 * due times that are the SLA targets on the business calendar.
 */
async function expectDemoServiceDesk(t: TestApp): Promise<void> {
  const [desk] = (
    await t.db.query(
      `SELECT count(*)::int AS tickets,
              count(DISTINCT status)::int AS statuses,
              count(DISTINCT channel)::int AS channels,
              count(DISTINCT type)::int AS types,
              count(*) FILTER (WHERE status IN ('new', 'open', 'pending') AND assignee_id IS NULL)::int AS unassigned,
              count(*) FILTER (WHERE status IN ('new', 'open', 'pending') AND assignee_id = (SELECT id FROM app_user WHERE email = 'service1@demo.kehu'))::int AS service1_open,
              count(*) FILTER (WHERE status IN ('new', 'open') AND due_at < now())::int AS overdue,
              count(*) FILTER (WHERE status IN ('new', 'open') AND (first_response_warned_at IS NOT NULL OR resolution_warned_at IS NOT NULL) AND due_at > now())::int AS warned,
              count(*) FILTER (WHERE status = 'pending' AND paused_at IS NOT NULL AND due_at IS NULL)::int AS waiting,
              count(*) FILTER (WHERE status = 'resolved' AND resolved_at > now() - interval '7 days')::int AS resolved,
              count(*) FILTER (WHERE requester_unconfirmed)::int AS unconfirmed,
              count(*) FILTER (WHERE team_id IS NULL)::int AS without_team,
              count(*) FILTER (WHERE received_at > now())::int AS future
         FROM ticket`,
    )
  ).rows;
  expect(desk.tickets).toBeGreaterThanOrEqual(55);
  expect(desk).toMatchObject({
    statuses: 5,
    channels: 7,
    types: 4,
    unconfirmed: 2,
    without_team: 0,
    future: 0,
  });
  for (const queue of ['unassigned', 'service1_open', 'overdue', 'warned', 'waiting', 'resolved'])
    expect(desk[queue], queue).toBeGreaterThanOrEqual(3);
  // Every queue holds tickets, as the agent and their manager (who has none of their own) see them.
  const countsOf = async (email: string) => {
    const [{ id }] = (await t.db.query<{ id: number }>(`SELECT id FROM app_user WHERE email = $1`, [email]))
      .rows;
    return t.app.get(TicketsService).queueCounts((await t.app.get(UsersService).findForSession(id))!);
  };
  const agentCounts = await countsOf('service1@demo.kehu');
  const { mine, ...managerCounts } = await countsOf('service-lead@demo.kehu');
  expect(Object.keys(agentCounts).sort()).toEqual([...TICKET_QUEUES].sort());
  expect(
    Object.values(agentCounts).every((n) => n > 0),
    JSON.stringify(agentCounts),
  ).toBe(true);
  expect(
    Object.values(managerCounts).every((n) => n > 0),
    JSON.stringify(managerCounts),
  ).toBe(true);
  expect(mine).toBe(0);
  // The SLA watch's warnings and breaches reached the agents and the service desk's manager.
  const alerted = await t.db.query<{ email: string; warnings: number; breaches: number }>(
    `SELECT u.email, count(*) FILTER (WHERE n.kind LIKE 'ticket\\_%\\_warning')::int AS warnings,
            count(*) FILTER (WHERE n.kind LIKE 'ticket\\_%\\_breached')::int AS breaches
       FROM notification n JOIN app_user u ON u.id = n.user_id
      WHERE u.email IN ('service1@demo.kehu', 'service-lead@demo.kehu') AND n.read_at IS NULL
      GROUP BY u.email ORDER BY u.email`,
  );
  expect(alerted.rows.map((r) => r.email)).toEqual(['service-lead@demo.kehu', 'service1@demo.kehu']);
  for (const r of alerted.rows) expect(Math.min(r.warnings, r.breaches), r.email).toBeGreaterThan(0);
  // My day shows the agent their tickets, due soonest first; a sales rep has no such section.
  const agent = new Client(t.url);
  await agent.login('service1@demo.kehu', DEMO_PASSWORD);
  const day = visibleText((await agent.get('/')).text);
  const [soonest] = (
    await t.db.query<{ number: string }>(
      `SELECT t.number FROM ticket t JOIN app_user u ON u.id = t.assignee_id
        WHERE u.email = 'service1@demo.kehu' AND t.status IN ('new', 'open', 'pending')
        ORDER BY coalesce(t.due_at, 'infinity'), t.id LIMIT 1`,
    )
  ).rows;
  expect(day).toContain('我的工单');
  expect(day).toContain(soonest.number);
  const rep = new Client(t.url);
  await rep.login('sales1@demo.kehu', DEMO_PASSWORD);
  expect(visibleText((await rep.get('/')).text)).not.toContain('我的工单');
  const [surveys] = (
    await t.db.query(
      `SELECT count(*) FILTER (WHERE answered_at IS NOT NULL)::int AS answered,
              count(*) FILTER (WHERE csat <= 2)::int AS low
         FROM survey_response s JOIN ticket t ON t.id = s.ticket_id WHERE t.status IN ('resolved', 'closed')`,
    )
  ).rows;
  expect(surveys.answered).toBeGreaterThanOrEqual(10);
  expect(surveys.low).toBeGreaterThanOrEqual(3);
  // Every type routed, and canned replies in both languages for each service team.
  const routed = await t.db.query(`SELECT count(*)::int AS n FROM ticket_routing`);
  expect(routed.rows[0].n).toBe(4);
  const canned = await t.db.query<{ team: string | null; zh: boolean; en: boolean }>(
    `SELECT tm.name AS team, bool_or(r.body ~ '[一-龥]') AS zh, bool_or(r.body !~ '[一-龥]') AS en
       FROM canned_reply r LEFT JOIN team tm ON tm.id = r.team_id GROUP BY tm.name ORDER BY tm.name`,
  );
  expect(canned.rows).toEqual([
    { team: '客服一组', zh: true, en: true },
    { team: '技术支持', zh: true, en: true },
    { team: null, zh: true, en: true },
  ]);
  // Due times are the targets in business minutes from arrival, as the calendar counts them.
  const calendar = await t.app.get(BusinessCalendarService).calendar();
  const sample = await t.db.query<{ receivedAt: Date; fr: number; frDue: Date; res: number; resDue: Date }>(
    `SELECT received_at AS "receivedAt", first_response_target_minutes AS fr, first_response_due_at AS "frDue",
            resolution_target_minutes AS res, resolution_due_at AS "resDue" FROM ticket ORDER BY id`,
  );
  for (const r of sample.rows) {
    expect(addBusinessMinutes(r.receivedAt, r.fr, calendar)).toEqual(r.frDue);
    expect(addBusinessMinutes(r.receivedAt, r.res, calendar)).toEqual(r.resDue);
  }
}

describe('database', () => {
  it('migrations match the entities, and undo cleanly', async () => {
    const name = `kehu_m_${process.pid}`;
    const url = await ensureDatabase(inject('serverUrl'), name);
    cleanup.push(() => dropDatabase(inject('serverUrl'), name));
    await runMigrations(url);
    const ds = await new DataSource(dataSourceOptions(url, { entities: ENTITIES })).initialize();
    try {
      const drift = await ds.driver.createSchemaBuilder().log();
      expect(drift.upQueries.map((q) => q.query)).toEqual([]);
      while ((await ds.query(`SELECT count(*)::int AS n FROM migrations`))[0].n > 0)
        await ds.undoLastMigration();
      const tables = await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      );
      expect(tables).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('seeds the demo company once, and its logins work', async () => {
    const t = await startApp();
    cleanup.push(() => t.close());
    const seed = t.app.get(SeedService);
    expect(await seed.seedDemoOnce()).toBe(true);
    expect(await seed.seedDemoOnce()).toBe(false);
    const { rows } = await t.db
      .query(`SELECT (SELECT count(*)::int FROM app_user) AS users, (SELECT count(*)::int FROM customer) AS customers,
      (SELECT count(*)::int FROM contact) AS contacts, (SELECT count(*)::int FROM follow_up) AS follow_ups, (SELECT count(*)::int FROM team) AS teams`);
    // The demo company's customers, plus the two lead customers the strangers' tickets made.
    expect(rows[0]).toMatchObject({ users: DEMO_USERS.length, customers: 202, teams: 4 });
    expect(rows[0].contacts).toBeGreaterThan(200);
    expect(rows[0].follow_ups).toBeGreaterThan(100);
    const codes = await t.db.query<{ uscc: string }>(`SELECT uscc FROM customer WHERE uscc IS NOT NULL`);
    expect(codes.rows.every((r) => isValidUscc(r.uscc))).toBe(true);
    for (const u of DEMO_USERS) {
      const c = new Client(t.url);
      await c.login(u.email, DEMO_PASSWORD);
      expect((await c.get('/customers')).status).toBe(200);
    }
    const sales1 = new Client(t.url);
    await sales1.login('sales1@demo.kehu', DEMO_PASSWORD);
    const mine = await t.db.query(
      `SELECT c.id FROM customer c JOIN app_user u ON u.id = c.owner_id WHERE u.email = 'sales2@demo.kehu' LIMIT 1`,
    );
    expect((await sales1.get(`/customers/${mine.rows[0].id}`)).status).toBe(404);
    await expectDemoServiceDesk(t);
    // The whole demo company and a sign-in per demo user: slow on a busy machine, not a speed check.
  }, 120_000);

  it('generates a scaled book of business with valid, unique rows', async () => {
    const { name, url } = await copyTemplateDatabase();
    cleanup.push(() => dropDatabase(inject('serverUrl'), name));
    const ds = await new DataSource(dataSourceOptions(url, { entities: ENTITIES })).initialize();
    try {
      const seed = new SeedService(ds);
      await seed.seedDemoOnce(10);
      // The demo's own deals: its pipeline and its year of won and lost ones.
      const [{ n: demoDeals }] = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM opportunity`,
      );
      await seed.seedScale(3000);
      const [row] = await ds.query(
        `SELECT count(*)::int AS n, count(DISTINCT name)::int AS names, count(DISTINCT uscc)::int AS codes, count(uscc)::int AS with_code FROM customer`,
      );
      // The demo's 10, the two lead customers its unknown ticket requesters made, and the 3000.
      expect(row.n).toBe(3012);
      expect(row.names).toBe(3012);
      expect(row.codes).toBe(row.with_code);
      // Deals on about one customer in four, owned by the customer's owner, in every stage (more
      // early than late), each with the history that led to its stage.
      const [deals] = await ds.query(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE o.owner_id IS DISTINCT FROM c.owner_id)::int AS foreign_owner,
                count(DISTINCT o.stage)::int AS stages,
                count(*) FILTER (WHERE o.stage = 'initial_contact')::int AS first,
                count(*) FILTER (WHERE o.stage = 'negotiation')::int AS last,
                count(*) FILTER (WHERE (o.stage IN ('won', 'lost')) <> (o.closed_at IS NOT NULL))::int AS bad_closed,
                count(*) FILTER (WHERE h.to_stage IS DISTINCT FROM o.stage)::int AS bad_history
           FROM opportunity o JOIN customer c ON c.id = o.customer_id
           LEFT JOIN LATERAL (SELECT (array_agg(to_stage ORDER BY at DESC, id DESC))[1] AS to_stage
                                FROM opportunity_stage_change WHERE opportunity_id = o.id) h ON true`,
      );
      expect(deals.n - demoDeals).toBeGreaterThan(600);
      expect(deals.n - demoDeals).toBeLessThan(900);
      expect(deals).toMatchObject({ foreign_owner: 0, stages: 6, bad_closed: 0, bad_history: 0 });
      expect(deals.first).toBeGreaterThan(deals.last);

      // More deals per owned customer, up to a total, as generated as the first ones.
      expect(await seed.seedScaleDeals(deals.n + 2000)).toBe(deals.n + 2000);
      const [more] = await ds.query(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE o.owner_id IS DISTINCT FROM c.owner_id)::int AS foreign_owner,
                count(DISTINCT o.stage)::int AS stages,
                count(*) FILTER (WHERE (o.stage IN ('won', 'lost')) <> (o.closed_at IS NOT NULL))::int AS bad_closed,
                count(*) FILTER (WHERE h.to_stage IS DISTINCT FROM o.stage)::int AS bad_history,
                max(per.deals)::int AS most_on_one_customer
           FROM opportunity o JOIN customer c ON c.id = o.customer_id
           LEFT JOIN LATERAL (SELECT (array_agg(to_stage ORDER BY at DESC, id DESC))[1] AS to_stage
                                FROM opportunity_stage_change WHERE opportunity_id = o.id) h ON true
           CROSS JOIN LATERAL (SELECT count(*) AS deals FROM opportunity WHERE customer_id = o.customer_id) per`,
      );
      expect(more).toMatchObject({
        n: deals.n + 2000,
        foreign_owner: 0,
        stages: 6,
        bad_closed: 0,
        bad_history: 0,
      });
      expect(more.most_on_one_customer).toBeGreaterThan(1);
      // A total already reached adds nothing.
      expect(await seed.seedScaleDeals(100)).toBe(deals.n + 2000);

      // Tickets up to a total, on the demo's teams: mostly closed, every status, numbered on without
      // gaps, due times running only while new or open, each with its request as the first message.
      expect(await seed.seedScaleTickets(5000)).toBe(5000);
      const [tickets] = await ds.query(
        `SELECT count(*)::int AS n, count(DISTINCT number)::int AS numbers,
                max(substr(number, 3)::int) AS last, count(DISTINCT status)::int AS statuses,
                count(*) FILTER (WHERE status = 'closed')::int AS closed,
                count(*) FILTER (WHERE (due_at IS NOT NULL) <> (status IN ('new', 'open')))::int AS bad_due,
                count(*) FILTER (WHERE team_id IS DISTINCT FROM (SELECT team_id FROM ticket_routing r WHERE r.type = t.type))::int AS unrouted,
                count(*) FILTER (WHERE greatest(received_at, first_responded_at, resolved_at, closed_at) > now())::int AS future,
                count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ticket_message m WHERE m.ticket_id = t.id AND m.from_customer))::int AS silent
           FROM ticket t`,
      );
      expect(tickets).toMatchObject({
        n: 5000,
        numbers: 5000,
        last: 5000,
        statuses: 5,
        bad_due: 0,
        unrouted: 0,
      });
      expect(tickets).toMatchObject({ future: 0, silent: 0 });
      expect(tickets.closed).toBeGreaterThan(3000);
      // The SLA watch ran all along: no running ticket is past a due time or its 80% with the warning
      // or breach still to tell, so a server started on this data has no backlog of alerts to send.
      const [sla] = await ds.query(
        `SELECT count(*) FILTER (WHERE first_responded_at IS NULL AND first_response_due_at <= now()
                                   AND first_response_breached_at IS NULL)::int AS untold_first_response,
                count(*) FILTER (WHERE resolution_due_at <= now() AND resolution_breached_at IS NULL)::int AS untold_resolution,
                count(*) FILTER (WHERE first_response_breached_at IS NOT NULL AND first_response_warned_at IS NULL
                                    OR resolution_breached_at IS NOT NULL AND resolution_warned_at IS NULL)::int AS unwarned,
                count(*) FILTER (WHERE resolution_warned_at IS NOT NULL AND resolution_breached_at IS NULL)::int AS warned_only,
                count(*) FILTER (WHERE resolution_breached_at IS NOT NULL)::int AS breached
           FROM ticket WHERE status IN ('new', 'open')`,
      );
      expect(sla).toMatchObject({ untold_first_response: 0, untold_resolution: 0, unwarned: 0 });
      expect(sla.breached).toBeGreaterThan(0);
      expect(sla.warned_only).toBeGreaterThan(0);
      expect(await seed.seedScaleTickets(100)).toBe(5000);
    } finally {
      await ds.destroy();
    }
  });

  it('answers readyz 503 while PostgreSQL is unreachable and recovers when it returns', async () => {
    const { name, url } = await copyTemplateDatabase();
    cleanup.push(() => dropDatabase(inject('serverUrl'), name));
    const real = new URL(url);
    const relay = new Relay({ host: real.hostname, port: Number(real.port) });
    await relay.open();
    const viaRelay = new URL(url);
    viaRelay.port = String(relay.port);
    const t = await startApp({ databaseUrl: viaRelay.toString() });
    cleanup.push(() => t.close());
    const c = new Client(t.url);
    expect((await c.get('/readyz')).status).toBe(200);

    await relay.cut();
    const down = await c.get('/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text).reason).toMatch(/database/);
    expect((await c.get('/healthz')).status).toBe(200);

    await relay.open();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await c.get('/readyz')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await c.get('/login')).status).toBe(200);
  });
});
