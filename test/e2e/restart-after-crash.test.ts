import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres.js';
import { eventually } from '../helpers/eventually.js';
import { buildKehu } from '../helpers/kehu-process.js';

/**
 * `npm start` after a server ended without stopping (SIGKILL, out of memory): Kehu built and run in
 * its own process with its embedded PostgreSQL, as a new user runs it, killed, and started again on
 * the same data directory.
 */
const ROOT = join(import.meta.dirname, '../..');

let dataDir: string;
const started: ChildProcess[] = [];

interface Server {
  process: ChildProcess;
  url: string;
  /** Everything the server has written to stdout and stderr so far. */
  output: () => string;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: String(port),
      DATA_DIR: dataDir,
      SESSION_SECRET: 'test-secret-test-secret-test-secret',
      LOG_LEVEL: 'log',
      NO_COLOR: '1',
      SEED_DEMO: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`))),
  );
  await Promise.race([
    exited,
    eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 90_000),
  ]);
  exited.catch(() => undefined);
  return { process: child, url, output: () => output };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
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
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await stopLeftPostgres();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('starting again after the server was killed', () => {
  it('a killed server takes its PostgreSQL with it, and starts again on the same data', async () => {
    const first = await startServer();
    const postgres = postgresPid();
    expect(postgres).toBeDefined();
    await kill(first.process);
    // The watchdog stops the PostgreSQL the killed server left.
    await eventually(async () => expect(alive(postgres!)).toBe(false), 30_000);

    const second = await startServer();
    expect((await fetch(`${second.url}/login`)).status).toBe(200);
    expect(second.output()).not.toContain('undefined');
    await kill(second.process);
    await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000);
  }, 240_000);

  it('a PostgreSQL left running on the data directory is stopped, and says so', async () => {
    const first = await startServer();
    const postgres = postgresPid();
    // Everything Kehu started dies at once, as when a container is killed: PostgreSQL is left running.
    const watchdog = watchdogOf(first.process.pid!);
    expect(watchdog).toBeDefined();
    process.kill(watchdog!, 'SIGKILL');
    await kill(first.process);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(alive(postgres!)).toBe(true);

    const second = await startServer();
    expect(second.output()).toContain(`still running in ${join(dataDir, 'postgres')} (pid ${postgres};`);
    expect(second.output()).toContain('has stopped');
    expect(second.output()).not.toMatch(/ERROR.*undefined/);
    expect(alive(postgres!)).toBe(false);
    expect((await fetch(`${second.url}/login`)).status).toBe(200);

    // A clean stop takes PostgreSQL with it.
    const exited = new Promise((resolve) => second.process.once('exit', resolve));
    second.process.kill('SIGTERM');
    await exited;
    await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000);
  }, 240_000);

  it('a Kehu still running on the data directory is left alone, and the second start says why', async () => {
    const first = await startServer();
    const error = await startServer().catch((e: unknown) => e);
    expect(String(error)).toContain(`another Kehu (pid ${first.process.pid}) is running with its PostgreSQL`);
    expect((await fetch(`${first.url}/login`)).status).toBe(200);
    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    first.process.kill('SIGTERM');
    await exited;
    await eventually(async () => expect(postgresPid()).toBeUndefined(), 30_000);
  }, 240_000);
});
