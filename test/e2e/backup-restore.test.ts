import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttachmentsService } from '../../src/common/attachments/attachments.service.js';
import { ensureDatabase } from '../../src/database/embedded-postgres.js';
import { DEMO_PASSWORD, SeedService } from '../../src/seed/seed.service.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { dropDatabase } from '../helpers/databases.js';
import { buildKehu, built, startKehuProcess } from '../helpers/kehu-process.js';

/**
 * `npm run backup` and `npm run restore`, as an admin runs them (the compiled scripts, on DATABASE_URL):
 * the demo company's year is backed up, changed and partly deleted, and restored into a new database,
 * where every table holds what it held at the backup, row for row, attachments' bytes included, and
 * Kehu starts on it and shows it.
 */
const run = promisify(execFile);

let source: TestApp;
let dir: string;
/** The backup of the demo company, and what every table held when it was made. */
let file: string;
let before: Record<string, string>;
/** Two customers changed after the backup; an attachment stored before it; an admin's session then. */
let picked: { id: number; name: string }[];
let stored: { id: number };
let adminSession: string;
/** What `npm run backup` answered, and whether the database was the same after it. */
let made: { code: number; output: string };
let unchanged: boolean;
const databases: string[] = [];

/** A new, empty database on the test server. */
async function emptyDatabase(): Promise<string> {
  const name = `kehu_r_${randomBytes(5).toString('hex')}`;
  databases.push(name);
  return ensureDatabase(inject('serverUrl'), name);
}

/** Runs scripts/<script>.ts as `npm run <script> -- file` does; answers its exit code and output. */
async function script(name: 'backup' | 'restore', file: string, databaseUrl: string) {
  try {
    const { stdout } = await run(process.execPath, [built(`scripts/${name}.js`), file], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    });
    return { code: 0, output: stdout };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** Every Kehu table's row count and a checksum of its rows, by table (sessions and migrations aside). */
async function fingerprint(url: string): Promise<Record<string, string>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows: tables } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('session', 'migrations')
        ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const t = pg.escapeIdentifier(name);
      const { rows } = await db.query<{ n: number; sum: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS sum FROM ${t} x`,
      );
      out[name] = `${rows[0].n} ${rows[0].sum}`;
    }
    return out;
  } finally {
    await db.end();
  }
}

/** Bytes that COPY's text format must escape: backslashes, tabs, newlines, NUL, and every other byte. */
const AWKWARD = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.from([0, 9, 10, 13, 92, 92, 46, 10, 92, 46, 255]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\n%%EOF\n'),
]);

beforeAll(async () => {
  // The scripts as `npm run backup` runs them: compiled.
  buildKehu();
  dir = mkdtempSync(join(tmpdir(), 'kehu-backup-'));
  source = await startApp();
  if (!(await source.app.get(SeedService).seedDemoOnce())) throw new Error('the demo company was not seeded');
  // What COPY's text must carry exactly: a file's raw bytes, and text with tabs, newlines,
  // backslashes, a "\." line, emoji and Chinese.
  const { rows: admins } = await source.db.query<{ id: number }>(
    `SELECT id FROM app_user WHERE email = 'admin@demo.kehu'`,
  );
  const adminId = admins[0].id;
  const { rows: contracts } = await source.db.query<{ id: number }>(
    'SELECT id FROM contract ORDER BY id LIMIT 1',
  );
  stored = await source.app
    .get(DataSource)
    .transaction((m) =>
      source.app
        .get(AttachmentsService)
        .store(
          m,
          { kind: 'contract', id: contracts[0].id },
          { fileName: '合同 扫描\t件.pdf', bytes: AWKWARD, uploadedById: adminId },
        ),
    );
  ({ rows: picked } = await source.db.query<{ id: number; name: string }>(
    'SELECT id, name FROM customer ORDER BY id LIMIT 2',
  ));
  const notes = 'first line\nsecond\tline \\ back\\slash\n\\.\n😀 华信（北京）';
  await source.db.query('UPDATE customer SET notes = $2 WHERE id = $1', [picked[0].id, notes]);
  const admin = new Client(source.url);
  await admin.login('admin@demo.kehu', DEMO_PASSWORD);
  adminSession = admin.sessionId!;

  // Jobs would keep writing while the checksums are read: this backup is taken of a still database
  // (the last test takes one while rows are being written).
  await source.app.close();
  before = await fingerprint(source.config.databaseUrl!);
  file = join(dir, 'kehu.backup');
  made = await script('backup', file, source.config.databaseUrl!);
  unchanged = JSON.stringify(await fingerprint(source.config.databaseUrl!)) === JSON.stringify(before);
}, 180_000);

afterAll(async () => {
  // The source app was stopped before the backup; its database is dropped here.
  if (source) {
    await source.app.close().catch(() => undefined);
    await source.db.end();
    await dropDatabase(inject('serverUrl'), new URL(source.config.databaseUrl!).pathname.slice(1));
  }
  for (const name of databases) await dropDatabase(inject('serverUrl'), name);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('backup and restore', () => {
  it('a restored database holds every row of the backup, and Kehu serves it', async () => {
    expect(made.output).toMatch(/^backed up \d+ rows of \d+ tables to .* in [\d.]+ s$/m);
    expect(made.code).toBe(0);
    expect(unchanged).toBe(true);
    // The demo year is in it: customers, deals, contracts, tickets, audit, attachments.
    for (const table of ['customer', 'opportunity', 'contract', 'ticket', 'audit_entry', 'attachment'])
      expect(Number(before[table].split(' ')[0]), table).toBeGreaterThan(0);

    // After the backup: a customer renamed, another deleted, the attachment removed.
    await source.db.query(`UPDATE customer SET name = 'Renamed after the backup' WHERE id = $1`, [
      picked[0].id,
    ]);
    await source.db.query('DELETE FROM attachment WHERE id = $1', [stored.id]);
    await source.db.query(`UPDATE customer SET deleted_at = now() WHERE id = $1`, [picked[1].id]);

    const target = await emptyDatabase();
    const restored = await script('restore', file, target);
    expect(restored.output).toMatch(/^restored \d+ rows of \d+ tables from .* in [\d.]+ s$/m);
    expect(restored.code).toBe(0);
    expect(await fingerprint(target)).toEqual(before);

    // Kehu on the restored database: sessions were not kept, the data was.
    const kehu = await startKehuProcess({ DATABASE_URL: target });
    try {
      const stale = await fetch(`${kehu.url}/`, {
        headers: { cookie: `kehu.sid=${adminSession}` },
        redirect: 'manual',
      });
      expect(stale.status).toBe(303);
      const c = new Client(kehu.url);
      await c.login('admin@demo.kehu', DEMO_PASSWORD);
      const first = visibleText((await c.get(`/customers/${picked[0].id}`)).text);
      expect(first).toContain(picked[0].name);
      expect(first).not.toContain('Renamed after the backup');
      const second = await c.get(`/customers/${picked[1].id}`);
      expect(second.status).toBe(200);
      expect(visibleText(second.text)).toContain(picked[1].name);
      const download = await fetch(`${kehu.url}/attachments/${stored.id}`, {
        headers: { cookie: `kehu.sid=${c.sessionId}` },
      });
      expect(download.status).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(
        createHash('sha256').update(AWKWARD).digest('hex'),
      );
      const audit = await c.get('/audit');
      expect(audit.status).toBe(200);
      // New rows take new ids: the sequences came back too.
      const db = new pg.Client({ connectionString: target });
      await db.connect();
      const { rows: fresh } = await db.query<{ id: number }>(
        `INSERT INTO team (name, version) VALUES ('After the restore', 1) RETURNING id`,
      );
      await db.end();
      const { rows: teams } = await source.db.query<{ max: number }>('SELECT max(id)::int AS max FROM team');
      expect(fresh[0].id).toBeGreaterThan(teams[0].max);
    } finally {
      await kehu.stop();
    }
  }, 180_000);

  it('refuses a database that is not empty, and a backup file that was cut short', async () => {
    const full = await emptyDatabase();
    expect((await script('restore', file, full)).code).toBe(0);
    const again = await script('restore', file, full);
    expect(again.code).toBe(1);
    expect(again.output).toContain('restore failed: the database to restore into is not empty');

    const text = gunzipSync(readFileSync(file));
    const cut = join(dir, 'cut.backup');
    writeFileSync(cut, gzipSync(text.subarray(0, Math.floor(text.length * 0.6))));
    const target = await emptyDatabase();
    const refused = await script('restore', cut, target);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/restore failed: .*the backup is incomplete/);
    // Nothing of it was kept.
    const db = new pg.Client({ connectionString: target });
    await db.connect();
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer');
    await db.end();
    expect(rows[0].n).toBe(0);
  }, 120_000);
  it('a backup taken while rows are written holds each transaction whole or not at all', async () => {
    // A customer and its contact, written together, over and over, while the backup runs.
    let written = 0;
    let writing = true;
    const writer = (async () => {
      const db = await source.db.connect();
      try {
        while (writing) {
          await db.query('BEGIN');
          const { rows } = await db.query<{ id: number }>(
            `INSERT INTO customer (kind, name, status, name_key, search_text, version)
             VALUES ('company', $1, 'lead', $1, $1, 1) RETURNING id`,
            [`Writer ${written}`],
          );
          await db.query(
            `INSERT INTO contact (customer_id, name, version) VALUES ($1, 'Writer contact', 1)`,
            [rows[0].id],
          );
          await db.query('COMMIT');
          written++;
        }
      } finally {
        db.release();
      }
    })();
    try {
      while (written < 20) await new Promise((r) => setTimeout(r, 20));
      const live = join(dir, 'live.backup');
      expect((await script('backup', live, source.config.databaseUrl!)).code).toBe(0);
      const target = await emptyDatabase();
      expect((await script('restore', live, target)).code).toBe(0);
      writing = false;
      await writer;

      const db = new pg.Client({ connectionString: target });
      await db.connect();
      const { rows } = await db.query<{ customers: number; contacts: number; lone: number }>(
        `SELECT count(*)::int AS customers,
                count(k.id)::int AS contacts,
                count(*) FILTER (WHERE k.id IS NULL)::int AS lone
           FROM customer c LEFT JOIN contact k ON k.customer_id = c.id AND k.name = 'Writer contact'
          WHERE c.name LIKE 'Writer %'`,
      );
      await db.end();
      // Some pairs are in the backup, the later ones not, and no customer came without its contact.
      expect(rows[0].customers).toBeGreaterThanOrEqual(20);
      expect(rows[0].customers).toBeLessThan(written);
      expect(rows[0].lone).toBe(0);
      expect(rows[0].contacts).toBe(rows[0].customers);
    } finally {
      writing = false;
      await writer;
    }
  }, 120_000);
});
