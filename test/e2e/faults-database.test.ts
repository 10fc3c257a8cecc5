import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDatabase,
  freePort,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../src/database/embedded-postgres.js';
import { Client, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createUser, PASSWORD } from '../helpers/factories.js';
import { SmtpPeer } from '../helpers/smtp.js';
import { buildKehu, type KehuProcess, startKehuProcess } from '../helpers/kehu-process.js';

/**
 * PostgreSQL stopped for 30 seconds under light load: Kehu built and run in its own process, as in
 * production, on a PostgreSQL of its own (DATABASE_URL) that the test stops and starts again on the
 * same port, as a database restart or failover does.
 */
const OUTAGE_MS = 30_000;

let pgDir: string;
let pgPort: number;
let postgres: EmbeddedDatabase | undefined;
let databaseUrl: string;
let db: pg.Pool;
let smtp: SmtpPeer;
let server: KehuProcess;

async function startPostgres(): Promise<void> {
  postgres = await startEmbeddedPostgres(pgDir, { port: pgPort });
}

beforeAll(async () => {
  buildKehu();
  const base = mkdtempSync(join(tmpdir(), 'kehu-outage-'));
  // PostgreSQL (its own user when the tests run as root) reaches its folder.
  chmodSync(base, 0o755);
  pgDir = join(base, 'postgres');
  pgPort = await freePort();
  await startPostgres();
  databaseUrl = await ensureDatabase(postgres!.serverUrl, 'kehu');
  smtp = await SmtpPeer.onFreePort();
  await smtp.start();

  server = await startKehuProcess({ DATABASE_URL: databaseUrl, SMTP_URL: smtp.url });
  db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // The test's own connections die with the outage too; a pool reports that as an error event.
  db.on('error', () => undefined);
}, 180_000);

/** Ends the test's load; called by the test, and after a failure by afterAll. */
let stopLoad: () => void = () => undefined;

afterAll(async () => {
  stopLoad();
  // A test that failed during the outage leaves PostgreSQL stopped: the server stops on it.
  if (!postgres && pgDir) await startPostgres();
  await server?.stop();
  await db?.end();
  await postgres?.stop();
  await smtp?.stop();
  if (pgDir) rmSync(join(pgDir, '..'), { recursive: true, force: true });
}, 60_000);

/** A few requests a second, as a handful of users make them, until `until` resolves. */
async function lightLoad(
  rep: Client,
  reader: Client,
  until: Promise<unknown>,
): Promise<{ name: string; status: number }[]> {
  const posted: { name: string; status: number }[] = [];
  let done = false;
  void until.then(() => (done = true));
  while (!done) {
    // Names unlike each other, so that none is taken for a duplicate of another.
    const name = `Outage ${randomBytes(8).toString('hex')}`;
    const started = Date.now();
    const [created] = await Promise.all([
      rep.post('/customers/new', { kind: 'company', tier: 'C', status: 'lead', name }).catch(() => undefined),
      reader.get('/customers').catch(() => undefined),
    ]);
    posted.push({ name, status: created?.status ?? 0 });
    await sleep(Math.max(0, 400 - (Date.now() - started)));
  }
  return posted;
}

describe('PostgreSQL stopped for 30 seconds', () => {
  it('answers 503 (readyz, and a page in the user’s language), keeps nothing half-written, and serves again by itself', async () => {
    const rep = await createUser(db, { role: 'sales', locale: 'en' });
    const reader = await createUser(db, { role: 'sales', locale: 'zh-CN' });
    const en = new Client(server.url);
    await en.login(rep.email, PASSWORD);
    await en.get('/customers/new');
    const made = await en.submit('/account/tokens', { name: 'integration' });
    const token = /<code class="token">([^<]+)<\/code>/.exec(made.text)![1];
    await en.get('/customers/new');
    const zh = new Client(server.url);
    await zh.login(reader.email, PASSWORD);
    await zh.get('/');

    // An admin's hand-over under way when the database stops: the rep already deactivated, the
    // second of their customers not yet moved (the test holds its row).
    const admin = await createUser(db, { role: 'admin' });
    const adminPages = new Client(server.url);
    await adminPages.login(admin.email, PASSWORD);
    await adminPages.get('/');
    const leaving = await createUser(db, { role: 'sales' });
    const owned = [
      await createCustomer(db, { ownerId: leaving.id, name: '停库交接一号有限公司' }),
      await createCustomer(db, { ownerId: leaving.id, name: '停库交接二号有限公司' }),
    ];
    const holder = new pg.Client({ connectionString: databaseUrl });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM customer WHERE id = $1 FOR UPDATE', [owned[1]]);
    const handOver = adminPages.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: 'pool' });
    await eventually(
      async () => {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.mode = 'RowExclusiveLock'
            WHERE a.application_name = 'kehu' AND a.wait_event_type = 'Lock' AND l.relation = 'app_user'::regclass`,
        );
        expect(rows).toHaveLength(1);
      },
      15_000,
      50,
    );

    const back = new Promise<void>((resolve) => (stopLoad = resolve));
    const load = lightLoad(en, zh, back);
    await sleep(1500);

    await postgres!.stop();
    postgres = undefined;
    const down = Date.now();
    await holder.end().catch(() => undefined);
    expect((await handOver).status).toBe(503);

    // The probe says so, within its two seconds' bound.
    await eventually(async () => {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
    }, 10_000);
    // Pages: a 503 that says what happened, in each user's language, with nothing internal.
    const enPage = await en.get('/customers');
    expect(enPage.status).toBe(503);
    expect(enPage.headers.get('content-type')).toMatch(/text\/html/);
    expect(visibleText(enPage.text)).toContain('Kehu cannot reach its database');
    const zhPage = await zh.get('/customers');
    expect(zhPage.status).toBe(503);
    expect(visibleText(zhPage.text)).toContain('Kehu 暂时无法连接数据库');
    for (const page of [enPage, zhPage]) {
      expect(page.text).not.toMatch(/ECONNREFUSED|QueryFailedError|at .*\.js:\d+|postgres:\/\//);
      expect(page.headers.get('retry-after')).toBe('30');
    }
    // The API answers in its own form.
    const api = await fetch(`${server.url}/api/v1/customers`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ statusCode: 503, error: 'unavailable' });

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));
    await startPostgres();
    // Back by itself: no restart of Kehu, the same sessions.
    await eventually(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), 30_000);
    await eventually(async () => expect((await en.get('/customers')).status).toBe(200), 15_000);
    expect((await zh.get('/customers')).status).toBe(200);
    await sleep(1500);
    stopLoad();
    const posted = await load;
    expect(server.process.exitCode).toBeNull();

    // Nothing half-written: each customer the load saved is whole (with its audit entry), each one
    // refused is absent but for at most the one whose commit the stop cut off (committed, its answer
    // lost: whole too, which is why the 503 page asks to look before sending again), and saves went
    // through again once the database was back.
    const { rows } = await db.query<{ name: string; audited: boolean }>(
      `SELECT c.name, EXISTS (SELECT 1 FROM audit_entry a WHERE a.entity = 'customer' AND a.entity_id = c.id::text AND a.action = 'create') AS audited
         FROM customer c WHERE c.name LIKE 'Outage %'`,
    );
    const stored = new Map(rows.map((r) => [r.name, r.audited]));
    expect([...stored.values()].every(Boolean)).toBe(true);
    const saved = posted.filter((p) => p.status === 303);
    const refused = posted.filter((p) => p.status !== 303);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((p) => p.status)), server.output()).toEqual(new Set([503]));
    for (const p of saved) expect(stored.has(p.name), p.name).toBe(true);
    expect(refused.filter((p) => stored.has(p.name)).length).toBeLessThanOrEqual(1);
    expect(posted.at(-1)!.status).toBe(303);

    // The hand-over cut off kept nothing: the rep is active and owns both customers.
    expect((await db.query('SELECT active FROM app_user WHERE id = $1', [leaving.id])).rows).toEqual([
      { active: true },
    ]);
    expect(
      (await db.query('SELECT DISTINCT owner_id FROM customer WHERE id = ANY($1)', [owned])).rows,
    ).toEqual([{ owner_id: leaving.id }]);

    // The background jobs are back too: a mail asked for now goes out.
    const c = new Client(server.url);
    await c.login(admin.email, PASSWORD);
    const target = await createUser(db, { role: 'sales' });
    const reset = await c.submit(
      `/admin/users/${target.id}/edit`,
      { password: 'a-brand-new-password' },
      `/admin/users/${target.id}/password`,
    );
    expect(reset.status).toBe(303);
    await eventually(async () => expect(smtp.received.some((m) => m.to.includes(target.email))).toBe(true));
  }, 120_000);
});
