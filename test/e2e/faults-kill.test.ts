import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { Client } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import {
  createContact,
  createCustomer,
  createTeam,
  createUser,
  PASSWORD,
  type UserRow,
} from '../helpers/factories.js';
import { buildKehu, type KehuProcess, startKehuProcess } from '../helpers/kehu-process.js';

/**
 * Kehu killed (SIGKILL) in the middle of an approval, a merge, a hand-over and a webhook delivery, and
 * stopped (SIGTERM) under load: built and run in its own process with its embedded PostgreSQL, as
 * `npm start` runs it. The import's case is test/e2e/import-interrupted.test.ts.
 *
 * "In the middle" is made certain rather than hoped for: the test holds a row lock, in a transaction of
 * its own, on a row each operation writes late, so that each waits there with its earlier writes made
 * and not committed; the webhook's receiver holds its request unanswered.
 */
let dataDir: string;
let server: KehuProcess | undefined;
let db: pg.Pool;

/** The URL of the embedded PostgreSQL the server started, from its postmaster.pid (port on line 4). */
function databaseUrl(): string {
  const lines = readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
  return `postgres://kehu:kehu-local@127.0.0.1:${lines[3]}/kehu`;
}

/** Kehu on its embedded PostgreSQL in the test's data directory (kept between starts), and `db` on it. */
async function startServer(): Promise<void> {
  server = await startKehuProcess({ LOG_LEVEL: 'log' }, { dataDir });
  db = new pg.Pool({ connectionString: databaseUrl(), max: 3 });
  db.on('error', () => undefined);
}

/** The pid of the PostgreSQL running on the data directory, if one runs. */
function postgresPid(): number | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n', 1)[0]);
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')) ? undefined : pid;
  } catch {
    return undefined;
  }
}

/** Stops a PostgreSQL a failed test may have left on the data directory. */
async function stopLeftPostgres(): Promise<void> {
  const left = postgresPid();
  if (left) process.kill(left, 'SIGINT');
  await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000).catch(() => undefined);
}

/**
 * A webhook receiver that answers 200, after `delayMs` (a slow receiver), or leaves the next request
 * unanswered when `holdNext` is set (its sender is killed meanwhile).
 */
class HoldingReceiver {
  readonly received: { id: string; type: string }[] = [];
  delayMs = 0;
  holdNext = false;
  private held: ServerResponse[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { id, type } = JSON.parse(body) as { id: string; type: string };
        this.received.push({ id, type });
        if (this.holdNext) {
          this.holdNext = false;
          this.held.push(res);
        } else setTimeout(() => res.writeHead(200).end('ok'), this.delayMs);
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

const receiver = new HoldingReceiver();

beforeAll(async () => {
  // The server as `npm start` runs it: compiled.
  buildKehu();
  dataDir = mkdtempSync(join(tmpdir(), 'kehu-kill-'));
  // PostgreSQL (its own user when the tests run as root) reaches its folder.
  chmodSync(dataDir, 0o755);
  await receiver.start();
  await startServer();
  // The receiver is told of every customer created.
  await db.query(
    `INSERT INTO webhook_endpoint (url, events, secret, internal, active, version)
     VALUES ($1, '{customer.created}', 'receiver-secret-0123456789', true, true, 1)`,
    [receiver.url],
  );
}, 180_000);

/** The test's lock-holding connections: a failed test's are ended in afterAll, letting the server stop. */
const holders: pg.Client[] = [];

async function lockHolder(): Promise<pg.Client> {
  const holder = new pg.Client({ connectionString: databaseUrl() });
  holder.on('error', () => undefined);
  await holder.connect();
  holders.push(holder);
  return holder;
}

afterAll(async () => {
  for (const holder of holders) await holder.end().catch(() => undefined);
  await server?.stop();
  await db?.end().catch(() => undefined);
  await receiver.stop();
  await stopLeftPostgres();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

/** A client signed in through the login form, holding a CSRF token. */
async function signIn(user: UserRow): Promise<Client> {
  const c = new Client(server!.url);
  await c.login(user.email, PASSWORD);
  await c.get('/');
  return c;
}

/** A personal API token made on My account → API tokens. */
async function apiFor(user: UserRow): Promise<ApiClient> {
  const c = await signIn(user);
  const made = await c.submit('/account/tokens', { name: 'integration' });
  const token = /<code class="token">([^<]+)<\/code>/.exec(made.text)?.[1];
  if (!token) throw new Error(`no token on the page (${made.status})`);
  return new ApiClient(server!.url, token);
}

describe('killed in the middle', () => {
  it('leaves an approval, a merge, a hand-over and a webhook delivery done or not at all, and finishes them after the restart', async () => {
    // ---- The scene ----
    const team = await createTeam(db);
    const manager = await createUser(db, { role: 'manager', teamId: team });
    await db.query('UPDATE team SET manager_id = $1 WHERE id = $2', [manager.id, team]);
    const rep = await createUser(db, { role: 'sales', teamId: team });
    const admin = await createUser(db, { role: 'admin' });
    const leaving = await createUser(db, { role: 'sales', teamId: team, name: 'Leaving Rep' });
    const leavingCustomers = [
      await createCustomer(db, { ownerId: leaving.id, name: '离职交接一号有限公司' }),
      await createCustomer(db, { ownerId: leaving.id, name: '离职交接二号有限公司' }),
    ];
    const survivor = await createCustomer(db, { ownerId: rep.id, name: '合并保留科技有限公司' });
    const merged = await createCustomer(db, { ownerId: rep.id, name: '合并并入贸易有限公司' });
    const mergedContacts = [await createContact(db, merged, '王五'), await createContact(db, merged, '赵六')];

    const repApi = await apiFor(rep);
    const managerApi = await apiFor(manager);
    const created = await repApi.post('/api/v1/contracts', {
      customerId: survivor,
      title: '服务器扩容项目',
      startOn: '2027-01-01',
      endOn: '2027-12-31',
      lines: [{ item: '服务器', unit: '台', quantity: '2', unitPrice: '68000.00' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const contract = created.body as { id: number; version: number };
    const submitted = await repApi.post(`/api/v1/contracts/${contract.id}/submit`, {
      version: contract.version,
    });
    expect(submitted.body).toMatchObject({ status: 'pending_approval' });
    const adminPages = await signIn(admin);
    const repPages = await signIn(rep);

    /** What each operation leaves in the database. */
    const state = async () => {
      const q = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows;
      return {
        approval: {
          contract: (await q('SELECT status FROM contract WHERE id = $1', [contract.id]))[0].status as string,
          rounds: await q(
            `SELECT status FROM approval_round WHERE subject_kind = 'contract' AND subject_id = $1`,
            [contract.id],
          ),
          decisions: (
            await q(
              `SELECT count(*)::int AS n FROM approval_approver a JOIN approval_step s ON s.id = a.step_id
                 JOIN approval_round r ON r.id = s.round_id
                WHERE r.subject_kind = 'contract' AND r.subject_id = $1 AND a.decision IS NOT NULL`,
              [contract.id],
            )
          )[0].n as number,
          audited: (
            await q(
              `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'approval_approve' AND entity = 'approval'
                  AND entity_id IN (SELECT id::text FROM approval_round WHERE subject_kind = 'contract' AND subject_id = $1)`,
              [contract.id],
            )
          )[0].n as number,
        },
        merge: {
          mergedAway: (
            await q('SELECT deleted_at IS NOT NULL AS gone FROM customer WHERE id = $1', [merged])
          )[0].gone as boolean,
          contactsAt: (
            await q('SELECT DISTINCT customer_id FROM contact WHERE id = ANY($1)', [mergedContacts])
          ).map((r) => r.customer_id as number),
          audited: (
            await q(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'merge' AND entity_id = $1`, [
              String(survivor),
            ])
          )[0].n as number,
        },
        handOver: {
          active: (await q('SELECT active FROM app_user WHERE id = $1', [leaving.id]))[0].active as boolean,
          owners: (
            await q('SELECT DISTINCT owner_id FROM customer WHERE id = ANY($1)', [leavingCustomers])
          ).map((r) => r.owner_id as number | null),
        },
        webhook: await q(
          `SELECT d.status, d.attempts, v.id AS event FROM webhook_delivery d JOIN webhook_event v ON v.id = d.event_id
            WHERE v.type = 'customer.created' ORDER BY d.id`,
          [],
        ),
      };
    };
    const before = await state();
    expect(before).toMatchObject({
      approval: { contract: 'pending_approval', rounds: [{ status: 'pending' }], decisions: 0, audited: 0 },
      merge: { mergedAway: false, contactsAt: [merged], audited: 0 },
      handOver: { active: true, owners: [leaving.id] },
      webhook: [],
    });

    // ---- Each operation held halfway ----
    const holder = await lockHolder();
    await holder.query('BEGIN');
    // The approval waits to mark the contract approved, its decision, step, round and audit entry written;
    await holder.query('SELECT 1 FROM contract WHERE id = $1 FOR UPDATE', [contract.id]);
    // the merge waits to move the second contact, the survivor already updated and the first moved;
    await holder.query('SELECT 1 FROM contact WHERE id = $1 FOR UPDATE', [mergedContacts[1]]);
    // the hand-over waits to move the second customer, the rep already deactivated and signed out.
    await holder.query('SELECT 1 FROM customer WHERE id = $1 FOR UPDATE', [leavingCustomers[1]]);

    const answers = Promise.allSettled([
      managerApi.post(`/api/v1/contracts/${contract.id}/approve`, { comment: '同意' }),
      adminPages.post(`/customers/${survivor}/merge`, { otherId: String(merged) }),
      adminPages.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: 'pool' }),
    ]);
    // The webhook: a customer created, its delivery sent, the receiver not answering.
    receiver.holdNext = true;
    const trigger = await repPages.post('/customers/new', {
      kind: 'company',
      tier: 'C',
      status: 'lead',
      name: '钩子通知测试有限公司',
    });
    expect(trigger.status).toBe(303);

    // Three of Kehu's sessions wait on the test's locks, each with its first writes made.
    const waiting = await eventually(
      async () => {
        const { rows } = await db.query<{ tables: string[] }>(
          `SELECT array_agg(DISTINCT c.relname::text) AS tables
             FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.mode = 'RowExclusiveLock'
             JOIN pg_class c ON c.oid = l.relation AND c.relkind = 'r'
            WHERE a.datname = current_database() AND a.application_name = 'kehu' AND a.wait_event_type = 'Lock'
            GROUP BY a.pid`,
        );
        expect(rows).toHaveLength(3);
        return rows.map((r) => r.tables);
      },
      30_000,
      50,
    );
    expect(waiting.some((t) => t.includes('approval_round') && t.includes('audit_entry'))).toBe(true);
    expect(waiting.some((t) => t.includes('customer') && t.includes('contact'))).toBe(true);
    expect(waiting.some((t) => t.includes('app_user'))).toBe(true);
    await eventually(async () => expect(receiver.received).toHaveLength(1));

    // ---- Killed ----
    await server!.kill();
    await answers;
    await holder.end().catch(() => undefined);
    await db.end().catch(() => undefined);
    // Its watchdog stops the PostgreSQL it leaves; the next start would stop it otherwise.
    await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000);

    await startServer();
    // Not at all: nothing of the three operations was kept, the delivery waits to be sent.
    const after = await state();
    expect({ ...after, webhook: undefined }).toEqual({ ...before, webhook: undefined });
    expect(after.webhook).toEqual([{ status: 'pending', attempts: 0, event: receiver.received[0].id }]);

    // ---- After the restart ----
    // The delivery cut off is sent again once its lease (two minutes) runs out: the test moves that
    // clock, and the receiver gets the same event again, answered this time.
    await db.query(`UPDATE webhook_delivery SET next_attempt_at = now() WHERE status = 'pending'`);
    const repAgain = await signIn(rep);
    expect(
      (
        await repAgain.post('/customers/new', {
          kind: 'company',
          tier: 'C',
          status: 'lead',
          name: '重启之后贸易有限公司',
        })
      ).status,
    ).toBe(303);
    await eventually(async () => {
      const { webhook } = await state();
      expect(webhook.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    }, 30_000);
    const first = receiver.received[0].id;
    expect(receiver.received.filter((r) => r.id === first)).toHaveLength(2);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(2);

    // The three operations, asked again, are done once, whole.
    expect(
      (await (await apiFor(manager)).post(`/api/v1/contracts/${contract.id}/approve`, { comment: '同意' }))
        .status,
    ).toBe(200);
    const adminAgain = await signIn(admin);
    expect((await adminAgain.post(`/customers/${survivor}/merge`, { otherId: String(merged) })).status).toBe(
      303,
    );
    expect(
      (await adminAgain.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: 'pool' })).status,
    ).toBe(303);
    expect(await state()).toMatchObject({
      approval: { contract: 'approved', rounds: [{ status: 'approved' }], decisions: 1, audited: 1 },
      merge: { mergedAway: true, contactsAt: [survivor], audited: 1 },
      handOver: { active: false, owners: [null] },
    });
  }, 240_000);
});

describe('stopped (SIGTERM) under load', () => {
  it('finishes the requests under way, refuses new ones, stops its jobs and its PostgreSQL, and exits 0', async () => {
    const rep = await createUser(db, { role: 'sales' });
    const c = await signIn(rep);
    // A job under way when the signal comes: a webhook delivery to a receiver slow to answer.
    receiver.delayMs = 4000;
    const seen = receiver.received.length;
    const hooked = await c.post('/customers/new', {
      kind: 'company',
      tier: 'C',
      status: 'lead',
      name: '停机时通知有限公司',
    });
    expect(hooked.status).toBe(303);
    await eventually(async () => expect(receiver.received).toHaveLength(seen + 1), 15_000, 50);
    const eventId = receiver.received[seen].id;
    const holder = await lockHolder();
    // A request under way when the signal comes: a customer's save, waiting on the row the test holds.
    const pending = await createCustomer(db, { ownerId: rep.id, name: '停机前编辑有限公司' });
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM customer WHERE id = $1 FOR UPDATE', [pending]);
    const page = await c.get(`/customers/${pending}/edit`);
    expect(receiver.received).toHaveLength(seen + 1);
    expect(page.status).toBe(200);
    const version = /name="version" value="(\d+)"/.exec(page.text)![1];
    const inFlight = c.post(`/customers/${pending}/edit`, {
      kind: 'company',
      tier: 'B',
      status: 'lead',
      name: '停机前编辑有限公司',
      version,
    });
    await eventually(
      async () => {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'kehu' AND wait_event_type = 'Lock'`,
        );
        expect(rows).toHaveLength(1);
      },
      15_000,
      50,
    );
    // Light load meanwhile, a few requests a second.
    const load: Promise<number>[] = [];
    const loading = setInterval(() => {
      load.push(
        c.get('/customers').then(
          (r) => r.status,
          () => 0,
        ),
      );
    }, 250);

    const exited = server!.exited;
    server!.process.kill('SIGTERM');
    // New connections are refused once the server stops listening.
    await eventually(
      async () => {
        const answer = await fetch(`${server!.url}/healthz`).then(
          () => 'answered',
          () => 'refused',
        );
        expect(answer).toBe('refused');
      },
      10_000,
      50,
    );
    // The request under way is still waiting; let it through.
    await holder.query('COMMIT');
    await holder.end();
    const saved = await inFlight;
    clearInterval(loading);
    expect(saved.status).toBe(303);
    expect(await exited).toBe(0);
    await db.end();
    // Its PostgreSQL stopped with it.
    expect(postgresPid()).toBeUndefined();
    const statuses = await Promise.all(load);
    expect(statuses.every((s) => s === 200 || s === 0)).toBe(true);
    expect(server!.output()).toContain('SIGTERM: stopping');
    expect(server!.output()).not.toMatch(/ERROR/);

    const stopping = server!.output();

    // What it saved is there when it starts again.
    await startServer();
    const { rows } = await db.query('SELECT tier FROM customer WHERE id = $1', [pending]);
    expect(rows[0].tier).toBe('B');
    // The delivery under way was let finish and recorded: not sent again.
    const deliveries = await db.query('SELECT status, attempts FROM webhook_delivery WHERE event_id = $1', [
      eventId,
    ]);
    expect(deliveries.rows, stopping).toEqual([{ status: 'delivered', attempts: 1 }]);
    expect(receiver.received.filter((r) => r.id === eventId)).toHaveLength(1);
  }, 180_000);
});
