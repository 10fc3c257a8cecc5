import pg from 'pg';
import PgBoss from 'pg-boss';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres.js';
import { Client, visibleText } from '../helpers/client.js';
import { copyTemplateDatabase, dropDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { buildKehu, type KehuProcess, startKehuProcess } from '../helpers/kehu-process.js';
import { createContact, createCustomer, createTeam, createUser, PASSWORD } from '../helpers/factories.js';
import { RoundRobinProxy } from '../helpers/round-robin-proxy.js';

/**
 * Two Kehu processes on one database behind a round-robin load balancer, as production runs them:
 * a session made on one is good on the other, each scheduled job runs once however many instances
 * keep its schedule, and the jobs of an instance killed mid-run are finished by the one left.
 */
const DAY = 86_400_000;

/** An SMTP peer that keeps what it accepts and, while `hold` is set, leaves senders waiting for its answer. */
class HoldingSmtp {
  readonly received: { to: string[]; raw: string }[] = [];
  /** Senders waiting for an answer, by their session, released by release(); one that hangs up is forgotten. */
  private readonly waiting = new Map<string, () => void>();
  hold = false;
  port = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose: (session) => this.waiting.delete(session.id),
    onData: (stream, session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accept = () => {
          this.received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString(),
          });
          done();
        };
        if (this.hold) this.waiting.set(session.id, accept);
        else accept();
      });
    },
  });

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }
  get held(): number {
    return this.waiting.size;
  }
  async start(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }
  release(): void {
    this.hold = false;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const accept of waiting) accept();
  }
  to(email: string) {
    return this.received.filter((m) => m.to.includes(email));
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let database: { name: string; url: string };
let db: pg.Pool;
let smtp: HoldingSmtp;
let proxy: RoundRobinProxy;
let a: KehuProcess;
let b: KehuProcess;

/** The runs pg-boss holds for a job, by state. */
async function runs(name: string, since = new Date(0)): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM pgboss.job WHERE name = $1 AND created_on >= $2 GROUP BY state',
    [name, since],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

beforeAll(async () => {
  buildKehu();
  database = await copyTemplateDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 3 });
  smtp = new HoldingSmtp();
  await smtp.start();
  const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url };
  [a, b] = await Promise.all([startKehuProcess(env), startKehuProcess(env)]);
  proxy = await new RoundRobinProxy([a.url, b.url]).start();
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await proxy?.stop();
  await smtp?.stop();
  await db?.end();
  if (database) await dropDatabase(inject('serverUrl'), database.name);
}, 60_000);

describe('two Kehu instances on one database', () => {
  it('a login through the load balancer holds on both instances: sessions live in PostgreSQL', async () => {
    const team = await createTeam(db);
    const rep = await createUser(db, { role: 'sales', teamId: team, name: 'Round Robin Rep' });
    const c = new Client(proxy.url);
    // The login page comes from one instance, the form is posted to the other (its CSRF token too).
    await c.login(rep.email, PASSWORD);
    const first = proxy.served.length;
    for (let i = 0; i < 4; i++) {
      const page = await c.get('/');
      expect(page.status).toBe(200);
      expect(visibleText(page.text)).toContain('Round Robin Rep');
    }
    expect(new Set(proxy.served.slice(first))).toEqual(new Set([0, 1]));
    // The same cookie straight at each instance.
    for (const url of [a.url, b.url]) {
      const direct = await fetch(`${url}/`, {
        headers: { cookie: `kehu.sid=${c.sessionId}` },
        redirect: 'manual',
      });
      expect(direct.status).toBe(200);
      expect(await direct.text()).toContain('Round Robin Rep');
    }
    // Signing out on one ends the session on both.
    await c.post('/logout');
    for (const url of [a.url, b.url]) {
      const after = await fetch(`${url}/`, {
        headers: { cookie: `kehu.sid=${c.sessionId}` },
        redirect: 'manual',
      });
      expect(after.status).toBe(303);
    }
  });

  it('each scheduled rule, reminder, survey and mail runs once, with both instances keeping the schedules', async () => {
    // Both instances declared the same schedules: one of each, not one per instance.
    const { rows: schedules } = await db.query<{ name: string; cron: string; n: number }>(
      'SELECT name, cron FROM pgboss.schedule ORDER BY name',
    );
    expect(new Set(schedules.map((s) => s.name)).size).toBe(schedules.length);
    expect(schedules.map((s) => s.name)).toEqual(
      expect.arrayContaining(['rules.vip-idle', 'rules.contract-survey', 'contracts.overdue-installments']),
    );

    // The scene: a quiet VIP customer (the VIP rule), a contract completed eight days ago (its
    // satisfaction survey), an overdue installment (the owner's reminder), an overdue follow-up (the
    // morning digest, a job with no guard of its own against running twice).
    const team = await createTeam(db);
    const owner = await createUser(db, { role: 'sales', teamId: team, name: 'Owner Once' });
    const vip = await createCustomer(db, {
      name: 'Quiet VIP Ltd',
      ownerId: owner.id,
      lastInteractionAt: new Date(Date.now() - 100 * DAY),
    });
    await db.query(
      `UPDATE customer SET vip = true, next_step = 'Call back', next_step_at = now() - interval '2 days' WHERE id = $1`,
      [vip],
    );
    const customer = await createCustomer(db, { name: 'Done Deal Co', ownerId: owner.id });
    const contact = await createContact(db, customer, 'Primary Person');
    await db.query(
      `UPDATE contact SET email = 'primary.person@example.com', "primary" = true WHERE id = $1`,
      [contact],
    );
    const { rows: contracts } = await db.query<{ id: number }>(
      `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, signed_on, status, completed_at, version)
       VALUES ('HT-TWO-0001', $1, 'Done Deal Co', $2, 'Rollout', '1000.00', '2026-01-05', 'completed', now() - interval '8 days', 1),
              ('HT-TWO-0002', $1, 'Done Deal Co', $2, 'Support', '5000.00', '2026-01-05', 'signed', NULL, 1)
       RETURNING id`,
      [customer, owner.id],
    );
    await db.query(
      `INSERT INTO payment_installment (contract_id, position, due_on, amount) VALUES ($1, 1, current_date - 10, '2500.00')`,
      [contracts[1].id],
    );

    // Their schedules fall due now (every minute), on both instances' clocks; once pg-boss has queued
    // this minute's runs, they go back to their own times.
    const jobs = [
      'rules.vip-idle',
      'rules.contract-survey',
      'contracts.overdue-installments',
      'follow-ups.digest',
    ];
    const since = (await db.query<{ now: Date }>('SELECT now()')).rows[0].now;
    const original = new Map(schedules.map((s) => [s.name, s.cron]));
    await db.query(`UPDATE pgboss.schedule SET cron = '* * * * *' WHERE name = ANY($1)`, [jobs]);
    try {
      await eventually(async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(DISTINCT data->>'name')::int AS n FROM pgboss.job WHERE name = '__pgboss__send-it' AND data->>'name' = ANY($1) AND created_on >= $2`,
          [jobs, since],
        );
        expect(rows[0].n).toBe(jobs.length);
      }, 70_000);
    } finally {
      for (const j of jobs)
        await db.query('UPDATE pgboss.schedule SET cron = $2 WHERE name = $1', [j, original.get(j)]);
    }

    // Each job ran once, and did its work once. (The survey rule also runs on the hour by its own
    // schedule, so its runs are not counted; its survey is.)
    await eventually(async () => {
      for (const j of jobs.filter((j) => j !== 'rules.contract-survey'))
        expect(await runs(j, since), j).toEqual({ completed: 1 });
      expect((await runs('rules.contract-survey', since)).completed).toBeGreaterThanOrEqual(1);
    }, 70_000);
    const count = async (sql: string, params: unknown[]) =>
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0].n;
    expect(await count(`rule_firing WHERE rule = 'vip_idle' AND subject_id = $1`, [vip])).toBe(1);
    expect(await count(`task WHERE assignee_id = $1 AND source_id = $2`, [owner.id, vip])).toBe(1);
    expect(await count(`survey_response WHERE contract_id = $1`, [contracts[0].id])).toBe(1);
    expect(
      await count(`payment_installment WHERE contract_id = $1 AND reminded_on IS NOT NULL`, [
        contracts[1].id,
      ]),
    ).toBe(1);
    expect(await count(`notification WHERE user_id = $1 AND kind = 'overdue_follow_ups'`, [owner.id])).toBe(
      1,
    );

    // Every mail leaves the outbox and reaches the SMTP peer once, whichever instance's flush took it.
    await eventually(async () => {
      expect(await count(`outbox_mail WHERE status <> 'sent'`, [])).toBe(0);
      expect(smtp.to('primary.person@example.com')).toHaveLength(1);
      expect(smtp.to(owner.email)).toHaveLength(3);
    }, 70_000);
    const { rows: mails } = await db.query<{ subject: string }>(
      'SELECT subject FROM outbox_mail WHERE "to" = $1 ORDER BY subject',
      [owner.email],
    );
    expect(mails).toEqual([
      { subject: '1 overdue follow-up' },
      { subject: '1 overdue installment (¥2,500.00)' },
      { subject: expect.stringContaining('VIP customer') },
    ]);
  }, 200_000);

  it('the jobs of an instance killed mid-run are finished by the other: none lost, none done twice', async () => {
    const team = await createTeam(db);
    const first = await createUser(db, { role: 'sales', teamId: team, name: 'First Reset' });
    const second = await createUser(db, { role: 'sales', teamId: team, name: 'Second Reset' });
    const admin = await createUser(db, { role: 'admin', name: 'Admin Two' });
    const c = new Client(a.url);
    await c.login(admin.email, PASSWORD);
    await c.get('/admin/users');
    const flushes = await runs('outbox.flush');
    const finished = (flushes.completed ?? 0) + (flushes.failed ?? 0);

    // Instance A sends a mail and starts its flush at once; the SMTP peer keeps it waiting.
    smtp.hold = true;
    expect(
      (await c.post(`/admin/users/${first.id}/password`, { password: 'a-new-long-password-1' })).status,
    ).toBe(303);
    await eventually(async () => expect(smtp.held).toBe(1));
    const { rows: active } = await db.query<{ id: string }>(
      `SELECT id FROM pgboss.job WHERE name = 'outbox.flush' AND state = 'active'`,
    );
    expect(active).toHaveLength(1);
    const killedRun = active[0].id;
    // A second mail on A: its flush run waits in the queue behind the busy one.
    expect(
      (await c.post(`/admin/users/${second.id}/password`, { password: 'a-new-long-password-2' })).status,
    ).toBe(303);

    // A dies mid-send.
    await a.kill();
    await eventually(async () => expect(smtp.held).toBe(0));
    expect(smtp.to(first.email)).toHaveLength(0);
    // Its run stays "active" until its expiry (15 minutes), its leased mail until the lease ends (5
    // minutes); here those minutes pass at once, and pg-boss's housekeeping (B's, every 10 minutes)
    // runs now.
    smtp.release();
    await db.query(
      `UPDATE pgboss.job SET started_on = started_on - interval '16 minutes' WHERE name = 'outbox.flush' AND id = $1`,
      [killedRun],
    );
    await db.query(`UPDATE outbox_mail SET next_attempt_at = now() WHERE status = 'pending'`);
    const housekeeping = new PgBoss({
      connectionString: database.url,
      schema: 'pgboss',
      supervise: false,
      schedule: false,
      migrate: false,
    });
    await housekeeping.start();
    try {
      await housekeeping.maintain();
    } finally {
      await housekeeping.stop({ graceful: false, wait: true });
    }
    const { rows: back } = await db.query<{ state: string }>('SELECT state FROM pgboss.job WHERE id = $1', [
      killedRun,
    ]);
    expect(back).toEqual([{ state: 'retry' }]);

    // B, alone now, takes both runs up and delivers each mail once.
    await eventually(async () => {
      const now = await runs('outbox.flush');
      expect(now.active ?? 0).toBe(0);
      expect(now.created ?? 0).toBe(0);
      expect(now.retry ?? 0).toBe(0);
      expect(now.failed ?? 0).toBe(flushes.failed ?? 0);
      expect(smtp.to(first.email)).toHaveLength(1);
      expect(smtp.to(second.email)).toHaveLength(1);
    }, 70_000);
    expect((await runs('outbox.flush')).completed ?? 0).toBeGreaterThanOrEqual(finished + 2);
    const { rows } = await db.query<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM outbox_mail WHERE "to" = ANY($1)`,
      [[first.email, second.email]],
    );
    expect(rows).toEqual([
      { status: 'sent', attempts: 1 },
      { status: 'sent', attempts: 1 },
    ]);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  }, 150_000);
});
