import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { buildKehu, type KehuProcess, startKehuProcess } from '../helpers/kehu-process.js';

/**
 * `npm start` after a server ended without stopping (SIGKILL, out of memory): Kehu built and run in
 * its own process with its embedded PostgreSQL, as a new user runs it, killed, and started again on
 * the same data directory.
 */
let dataDir: string;
const started: KehuProcess[] = [];
/** A server a test leaves running on the data directory for the next one. */
let running: KehuProcess | undefined;

/** Kehu on its embedded PostgreSQL in the test's data directory, kept between starts. */
async function startServer(): Promise<KehuProcess> {
  const server = await startKehuProcess({ LOG_LEVEL: 'log' }, { dataDir });
  started.push(server);
  return server;
}

/** The pid of the embedded PostgreSQL running on the data directory, if one runs. */
function postgresPid(): number | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n', 1)[0]);
  return alive(pid) ? pid : undefined;
}

/** Whether process `pid` runs (a zombie, ended but not yet reaped by its adoptive parent, does not). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** The watchdog the server started for its PostgreSQL: a node process given the server's pid. */
function watchdogOf(serverPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('-e') && args.includes(String(serverPid))) return Number(entry);
    } catch {
      // The process ended meanwhile.
    }
  }
  return undefined;
}

/** Stops a PostgreSQL a failed test may have left on the data directory. */
async function stopLeftPostgres(): Promise<void> {
  const left = postgresPid();
  if (left) process.kill(left, 'SIGINT');
  await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000).catch(() => undefined);
}

beforeAll(() => {
  // The server as `npm start` runs it: compiled.
  buildKehu();
  dataDir = mkdtempSync(join(tmpdir(), 'kehu-restart-'));
  // As a data directory made by hand: PostgreSQL (its own user when Kehu runs as root) reaches its folder.
  chmodSync(dataDir, 0o755);
}, 120_000);

afterAll(async () => {
  for (const server of started) await server.stop();
  await stopLeftPostgres();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('starting again after the server was killed', () => {
  it('a killed server takes its PostgreSQL with it, and starts again on the same data', async () => {
    const first = await startServer();
    const postgres = postgresPid();
    expect(postgres).toBeDefined();
    await first.kill();
    // The watchdog stops the PostgreSQL the killed server left.
    await eventually(async () => expect(alive(postgres!)).toBe(false), 30_000);

    const second = await startServer();
    expect((await fetch(`${second.url}/login`)).status).toBe(200);
    expect(second.output()).not.toContain('undefined');
    await second.kill();
    await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000);
  }, 240_000);

  it('a PostgreSQL left running on the data directory is stopped, and says so', async () => {
    const first = await startServer();
    const postgres = postgresPid();
    // Everything Kehu started dies at once, as when a container is killed: PostgreSQL is left running.
    const watchdog = watchdogOf(first.process.pid!);
    expect(watchdog).toBeDefined();
    process.kill(watchdog!, 'SIGKILL');
    await first.kill();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(alive(postgres!)).toBe(true);

    const second = await startServer();
    expect(second.output()).toContain(`still running in ${join(dataDir, 'postgres')} (pid ${postgres};`);
    expect(second.output()).toContain('has stopped');
    expect(second.output()).not.toMatch(/ERROR.*undefined/);
    expect(alive(postgres!)).toBe(false);
    expect((await fetch(`${second.url}/login`)).status).toBe(200);
    // Left running: the next test's Kehu on the data directory (a start less).
    running = second;
  }, 240_000);

  it('a Kehu still running on the data directory is left alone, and the second start says why', async () => {
    const first = running ?? (await startServer());
    running = undefined;
    const error = await startServer().catch((e: unknown) => e);
    expect(String(error)).toContain(`another Kehu (pid ${first.process.pid}) is running with its PostgreSQL`);
    expect((await fetch(`${first.url}/login`)).status).toBe(200);
    // A clean stop takes PostgreSQL with it.
    await first.stop();
    await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000);
  }, 240_000);
});
