import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { copyTemplateDatabase, dropDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, PASSWORD } from '../helpers/factories.js';
import { uploadAndCheck } from '../helpers/imports.js';
import { buildKehu, type KehuProcess, startKehuProcess } from '../helpers/kehu-process.js';

/**
 * "If the server stops, nothing of the import is stored": Kehu built and run in its own process, as
 * in production, killed while an import is writing, then started again.
 */
let database: { name: string; url: string };
let db: pg.Pool;
let dataDir: string;
let server: KehuProcess | undefined;

/** The server on the test's database and data folder, kept between its starts. */
const startServer = () =>
  startKehuProcess({ DATABASE_URL: database.url, LOG_LEVEL: 'error' }, { dataDir, readyWithinMs: 60_000 });

beforeAll(async () => {
  // The server as `npm start` runs it: compiled.
  buildKehu();
  database = await copyTemplateDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  dataDir = mkdtempSync(join(tmpdir(), 'kehu-data-'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db.end();
  await dropDatabase(inject('serverUrl'), database.name);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an import cut off by the server stopping', () => {
  it('stores nothing of it, and runs it again when the server is back', async () => {
    const rep = await createUser(db, { role: 'sales' });
    server = await startServer();
    const c = new Client(server.url);
    await c.login(rep.email, PASSWORD);
    const names = Array.from({ length: 25_000 }, (_, i) => `Interrupted Trading ${i} Ltd`);
    const id = await uploadAndCheck(db, c, 'big.csv', Buffer.from(['Company name', ...names].join('\n')));
    const count = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM customer WHERE name LIKE 'Interrupted Trading %'`))
        .rows[0].n as number;
    // How many customer ids were ever drawn (a fresh sequence reports last_value 1 before its first draw).
    const sequence = async () =>
      Number(
        (await db.query(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM customer_id_seq`))
          .rows[0].n,
      );
    const idsBefore = await sequence();
    await c.get(`/customers/import/${id}`);
    expect((await c.post(`/customers/import/${id}/run`, { duplicates: 'skip' })).status).toBe(303);

    // The first 10,000 customers are written (progress says so), the transaction still open: stop.
    await eventually(
      async () => {
        const { rows } = await db.query('SELECT status, progress FROM customer_import WHERE id = $1', [id]);
        expect(rows[0]).toMatchObject({ status: 'importing' });
        expect(rows[0].progress).toBeGreaterThanOrEqual(10_000);
      },
      60_000,
      10,
    );
    // The server's connection that writes them: it holds the customer table open for writing, in a
    // transaction no one else can see yet (ids were drawn for the rows, none is visible).
    const { rows: writers } = await db.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.relation = 'customer'::regclass AND l.mode = 'RowExclusiveLock'
          AND a.datname = current_database() AND a.application_name = 'kehu'`,
    );
    expect(writers).toHaveLength(1);
    expect((await sequence()) - idsBefore).toBeGreaterThanOrEqual(10_000);
    await server.kill();

    // Only once the killed server's connections are all gone is the question settled (until then an
    // open transaction shows nothing either way): none of its rows was kept.
    await eventually(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'kehu'`,
      );
      expect(rows[0].n).toBe(0);
    }, 30_000);
    expect(await count()).toBe(0);
    const job = await db.query('SELECT status FROM customer_import WHERE id = $1', [id]);
    expect(job.rows[0].status).toBe('importing');

    server = await startServer();
    await eventually(async () => {
      const { rows } = await db.query('SELECT status, counts FROM customer_import WHERE id = $1', [id]);
      expect(rows[0].status).toBe('done');
      expect(rows[0].counts.created).toBe(25_000);
    }, 60_000);
    expect(await count()).toBe(25_000);
  }, 180_000);
});
