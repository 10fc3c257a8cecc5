import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { freePort } from '../src/database/embedded-postgres.js';
import { DEMO_PASSWORD } from '../src/seed/seed.service.js';
import { peakRssBytes, postmasterPid, processCpuMs, processTreeCpuMs, resetPeakRss } from './proc-stats.js';
import { SERVER_ENV, SERVER_NODE_ARGS } from './server-launch.js';
import { BENCH_ENV, startThrowawayDatabase } from './throwaway-app.js';
import { ENTITIES } from '../src/entities.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../src/main.js');

export interface BenchServer {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  /** The server's DATA_DIR, a temporary folder removed by stop(). */
  dataDir: string;
  /** A connection to the server's database, for picking ids and checking results. */
  db: DataSource;
  /** CPU time (user + system) the server process has used so far, in milliseconds. */
  cpuMs(): number;
  /** CPU time the PostgreSQL server (all its processes) has used so far, in milliseconds. */
  databaseCpuMs(): number;
  /** The server process's peak resident memory (VmHWM) since it started or since resetPeakRss(). */
  peakRssBytes(): number;
  resetPeakRss(): void;
  stop(): Promise<void>;
}

/**
 * Kehu as it runs in production, for the benchmark scripts: a throwaway embedded PostgreSQL, migrated
 * and seeded by `seed`, then `node dist/src/main.js` in its own process, so the load a script generates
 * does not share the server's event loop. `nodeArgs` go to that node (e.g. `--cpu-prof`).
 */
export async function startBenchServer(
  opts: { seed?: (db: DataSource) => Promise<void>; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<BenchServer> {
  const database = await startThrowawayDatabase();
  const db = await new DataSource(dataSourceOptions(database.url, { entities: ENTITIES })).initialize();
  const stopDatabase = async () => {
    await db.destroy().catch(() => undefined);
    await database.close();
  };
  let child: ChildProcess | undefined;
  try {
    await opts.seed?.(db);
    const port = await freePort();
    // The node options and environment `npm start` and the Dockerfile give the server.
    child = spawn(process.execPath, [...SERVER_NODE_ARGS, ...(opts.nodeArgs ?? []), MAIN], {
      env: {
        ...process.env,
        ...SERVER_ENV,
        ...BENCH_ENV,
        DATABASE_URL: database.url,
        DATA_DIR: database.dataDir,
        PORT: String(port),
        BASE_URL: `http://127.0.0.1:${port}`,
        ...opts.env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const running = child;
    const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(url, exited);
    const pid = running.pid!;
    const postmaster = postmasterPid(database.pgDir);
    return {
      url,
      pid,
      dataDir: database.dataDir,
      db,
      cpuMs: () => processCpuMs(pid),
      databaseCpuMs: () => (postmaster ? processTreeCpuMs(postmaster) : 0),
      peakRssBytes: () => peakRssBytes(pid),
      resetPeakRss: () => resetPeakRss(pid),
      stop: async () => {
        if (running.exitCode === null) {
          running.kill('SIGTERM');
          const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        await stopDatabase();
      },
    };
  } catch (e) {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await stopDatabase();
    throw e;
  }
}

/** Polls /readyz until the server answers 200; fails if the process ends first or takes over two minutes. */
async function waitUntilReady(url: string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`the server exited with code ${exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server was not ready within two minutes');
}

/** Signs a demo user in, as the login form does; returns the cookies a browser would then send. */
export async function signIn(base: string, email: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: DEMO_PASSWORD }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  // The first page after signing in sets the language cookie a browser then keeps sending.
  const first = await fetch(`${base}/`, { headers: { cookie: session }, redirect: 'manual' });
  return [session, ...first.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}
