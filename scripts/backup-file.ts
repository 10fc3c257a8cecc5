import 'reflect-metadata';
import { once } from 'node:events';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { ROOT } from '../src/common/paths.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import {
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrate.js';
import { MIGRATIONS } from '../src/database/migrations.js';

/**
 * Kehu's backup file: every row of Kehu's tables as PostgreSQL's COPY text, gzipped, read in one
 * snapshot, with the migrations the database had and its sequences' values. The schema is not in the
 * file: a restore builds it with the same migrations, loads the rows, then applies any newer
 * migrations. It needs only the pg driver, so it works with any PostgreSQL Kehu runs on (the embedded
 * one ships no pg_dump), and a backup restores into any newer Kehu.
 *
 * Left out: the `migrations` table (written by the restore's own migrations), `session` (everyone
 * signs in again) and pg-boss's schema (the job queue: schedules are declared again at start; what
 * waits to be done, mail, webhooks, imports, is kept in Kehu's own tables).
 *
 * The file, line by line: `-- Kehu backup` and the header's JSON; per table `-- table {name, columns}`,
 * its rows, and `\.` (a line COPY text never holds: a backslash in data is written `\\`); `-- sequences`
 * with their values; `-- end` with each table's row count. A file without its end is refused.
 */
const MAGIC = '-- Kehu backup';
const FORMAT = 1;
const LEFT_OUT = new Set(['migrations', 'session']);

interface Header {
  format: number;
  createdAt: string;
  server: string;
  /** The migrations the database had, by name, in the order they were applied. */
  migrations: string[];
}

type Sequences = Record<string, { value: string; called: boolean }>;

/** What a backup or a restore did, for its closing line. */
export interface Summary {
  tables: number;
  rows: number;
}

/** The database to back up or restore into: DATABASE_URL, or the embedded one under DATA_DIR. */
export async function kehuDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) return { url, stop: () => Promise.resolve() };
  const dir = resolve(ROOT, process.env.DATA_DIR ?? '.data', 'postgres');
  // One server per data folder: with Kehu running on it, this stops with a message saying so.
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres(dir);
  try {
    return { url: await ensureDatabase(embedded.serverUrl, 'kehu'), stop: () => embedded.stop() };
  } catch (e) {
    await embedded.stop();
    throw e;
  }
}

const ident = (name: string) => pg.escapeIdentifier(name);

/** Kehu's tables (schema public, less those left out), by name, with their stored columns. */
async function tablesOf(db: pg.ClientBase): Promise<{ name: string; columns: string[] }[]> {
  const { rows } = await db.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY c.relname ORDER BY c.relname`,
  );
  return rows.filter((t) => !LEFT_OUT.has(t.name));
}

/** The name a migration is recorded under (its class name, as TypeORM records it). */
const migrationName = (m: (typeof MIGRATIONS)[number]) => m.name;

/** Writes a backup of the database at `url` to `file` (written beside it first, renamed when complete). */
export async function backup(url: string, file: string): Promise<Summary> {
  const db = new pg.Client({ connectionString: url, application_name: 'kehu-backup' });
  await db.connect();
  const partial = `${file}.partial`;
  const gzip = createGzip();
  const out = createWriteStream(partial);
  gzip.pipe(out);
  const write = async (text: string | Buffer) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  try {
    // One snapshot for every table: rows that refer to each other are read as they stood together.
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: applied } = await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    const { rows: server } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const header: Header = {
      format: FORMAT,
      createdAt: new Date().toISOString(),
      server: server[0].v,
      migrations: applied.map((m) => m.name),
    };
    await write(`${MAGIC}\n-- ${JSON.stringify(header)}\n`);
    const counts: Record<string, number> = {};
    const tables = await tablesOf(db);
    for (const t of tables) {
      await write(`-- table ${JSON.stringify(t)}\n`);
      const columns = t.columns.map(ident).join(', ');
      const copy = db.query(copyTo(`COPY (SELECT ${columns} FROM ${ident(t.name)}) TO STDOUT`));
      let rows = 0;
      for await (const chunk of copy as AsyncIterable<Buffer>) {
        for (const byte of chunk) if (byte === 10) rows++;
        await write(chunk);
      }
      counts[t.name] = rows;
      await write('\\.\n');
    }
    // Read after the rows: a sequence is never behind an id the rows hold.
    const sequences: Sequences = {};
    const { rows: names } = await db.query<{ name: string }>(
      "SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
    );
    for (const { name } of names) {
      const { rows } = await db.query<{ value: string; called: boolean }>(
        `SELECT last_value::text AS value, is_called AS called FROM ${ident(name)}`,
      );
      sequences[name] = rows[0];
    }
    await write(`-- sequences ${JSON.stringify(sequences)}\n`);
    await write(`-- end ${JSON.stringify({ rows: counts })}\n`);
    await db.query('COMMIT');
    gzip.end();
    await finished(out);
    renameSync(partial, file);
    return { tables: tables.length, rows: Object.values(counts).reduce((a, b) => a + b, 0) };
  } catch (e) {
    gzip.destroy();
    out.destroy();
    rmSync(partial, { force: true });
    throw e;
  } finally {
    await db.end();
  }
}

/** Builds the schema as the backup's migrations left it (those only; newer ones run after the rows are in). */
async function migrateTo(url: string, names: string[]): Promise<void> {
  const known = new Map(MIGRATIONS.map((m) => [migrationName(m), m]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length)
    throw new Error(
      `the backup is from a newer Kehu (migrations ${unknown.join(', ')}): restore it with that version`,
    );
  const ds = await new DataSource({
    ...dataSourceOptions(url),
    migrations: names.map((n) => known.get(n)!),
    logging: false,
  }).initialize();
  try {
    await ds.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

/**
 * Restores the backup `file` into the empty database at `url`: the backup's migrations, then every
 * row and sequence in one transaction (all or nothing), then the migrations this Kehu has beyond the
 * backup's. While the rows go in, the tables' own triggers (search tokens, kept totals) are off and the
 * foreign keys dropped, as the rows arrive already complete and in any order; the keys are added back,
 * and so checked, before the commit.
 */
export async function restore(file: string, url: string): Promise<Summary> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const reader = lines[Symbol.asyncIterator]();
  const next = async (): Promise<string | undefined> => {
    const r = await reader.next();
    return r.done ? undefined : (r.value as string);
  };
  const db = new pg.Client({ connectionString: url, application_name: 'kehu-restore' });
  await db.connect();
  try {
    if ((await next()) !== MAGIC) throw new Error(`${file} is not a Kehu backup`);
    const header = JSON.parse((await next())?.slice(3) ?? 'null') as Header;
    if (header?.format !== FORMAT)
      throw new Error(`${file}: backup format ${header?.format} is not known here`);
    const { rows: present } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`,
    );
    if (present[0].n > 0)
      throw new Error('the database to restore into is not empty: give a new, empty database');

    await migrateTo(url, header.migrations);

    await db.query('BEGIN');
    const tables = await tablesOf(db);
    const names = tables.map((t) => ident(t.name));
    for (const t of names) await db.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    const { rows: keys } = await db.query<{ tbl: string; name: string; def: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE c.contype = 'f' AND n.nspname = 'public'`,
    );
    for (const k of keys) await db.query(`ALTER TABLE ${k.tbl} DROP CONSTRAINT ${ident(k.name)}`);
    // Rows the migrations wrote (defaults, calendars) give way to the backup's.
    if (names.length) await db.query(`TRUNCATE ${names.join(', ')}`);

    const counts: Record<string, number> = {};
    let end: { rows: Record<string, number> } | undefined;
    for (let line = await next(); line !== undefined; line = await next()) {
      if (line.startsWith('-- table ')) {
        const t = JSON.parse(line.slice(9)) as { name: string; columns: string[] };
        const copy = db.query(
          copyFrom(`COPY ${ident(t.name)} (${t.columns.map(ident).join(', ')}) FROM STDIN`),
        );
        // PostgreSQL's refusal of a row arrives while rows are still being sent: kept, and thrown here.
        let refused: Error | undefined;
        copy.on('error', (e: Error) => (refused ??= e));
        let rows = 0;
        try {
          for (let row = await next(); row !== '\\.'; row = await next()) {
            if (row === undefined)
              throw new Error(`${file} ends inside table ${t.name}: the backup is incomplete`);
            if (refused) throw refused;
            rows++;
            if (!copy.write(`${row}\n`)) await once(copy, 'drain');
          }
          copy.end();
          await finished(copy);
        } catch (e) {
          // Ends the COPY (none of its rows kept) unless PostgreSQL ended it already.
          if (!refused) copy.destroy();
          throw e;
        }
        counts[t.name] = rows;
      } else if (line.startsWith('-- sequences ')) {
        const sequences = JSON.parse(line.slice(13)) as Sequences;
        for (const [name, s] of Object.entries(sequences))
          await db.query('SELECT setval($1::regclass, $2::bigint, $3)', [ident(name), s.value, s.called]);
      } else if (line.startsWith('-- end ')) {
        end = JSON.parse(line.slice(7)) as { rows: Record<string, number> };
      } else {
        throw new Error(`${file}: unexpected line "${line.slice(0, 60)}"`);
      }
    }
    if (!end) throw new Error(`${file} has no end: the backup is incomplete`);
    for (const [name, n] of Object.entries(end.rows))
      if (counts[name] !== n)
        throw new Error(`${file}: table ${name} holds ${counts[name] ?? 0} rows of ${n}`);

    for (const k of keys) await db.query(`ALTER TABLE ${k.tbl} ADD CONSTRAINT ${ident(k.name)} ${k.def}`);
    for (const t of names) await db.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    await db.query('COMMIT');
    await runMigrations(url);
    await db.query('ANALYZE');
    return { tables: Object.keys(counts).length, rows: Object.values(counts).reduce((a, b) => a + b, 0) };
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    lines.close();
    await db.end();
  }
}
