import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres.js';
import { eventually } from './eventually.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * Compiles Kehu and its scripts as `npm start` and `npm run <script>` do (into dist/), once per test
 * run: the first file to ask builds while the others wait for it, so no server starts from a dist/
 * another file is rewriting.
 */
export function buildKehu(): void {
  const stamp = join(tmpdir(), `kehu-build-${inject('runId')}`);
  try {
    mkdirSync(`${stamp}.lock`);
  } catch {
    const until = Date.now() + 300_000;
    while (!existsSync(`${stamp}.done`)) {
      if (existsSync(`${stamp}.failed`)) throw new Error('compiling Kehu failed in another test file');
      if (Date.now() > until) throw new Error('waited five minutes for another test file to compile Kehu');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
    return;
  }
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT });
  } catch (e) {
    writeFileSync(`${stamp}.failed`, '');
    throw e;
  }
  writeFileSync(`${stamp}.done`, '');
}

/** The path of a compiled file under dist/ (`dist/scripts/backup.js`). */
export const built = (path: string) => join(ROOT, 'dist', path);

export interface KehuProcess {
  process: ChildProcess;
  url: string;
  /** Everything the server has written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, as a service manager stops it; waits for the exit (SIGKILL after `graceMs`, default 20 s). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: gone at once, nothing finished. */
  kill(): Promise<void>;
}

export interface KehuProcessOptions {
  /**
   * The data folder (DATA_DIR). One given here outlives the process, so the next start finds what
   * this one left (its embedded PostgreSQL among it); by default the process has a folder of its
   * own, removed when it exits.
   */
  dataDir?: string;
  /** How long the server may take to answer /readyz (default 90 s). */
  readyWithinMs?: number;
}

/**
 * Kehu as production runs it: the compiled server in a process of its own, on DATABASE_URL when `env`
 * gives one (else on the embedded PostgreSQL of its data folder), answering /readyz. Call buildKehu()
 * first. A server that exits before it is ready rejects with what it wrote.
 */
export async function startKehuProcess(
  env: Record<string, string> = {},
  opts: KehuProcessOptions = {},
): Promise<KehuProcess> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kehu-process-'));
  const child = spawn(process.execPath, [built('src/main.js')], {
    env: {
      PATH: process.env.PATH,
      TZ: 'UTC',
      NODE_ENV: 'test',
      PORT: String(port),
      DATA_DIR: dataDir,
      SESSION_SECRET: 'test-secret-test-secret-test-secret',
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
      SEED_DEMO: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (!opts.dataDir) void exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (running()) child.kill('SIGKILL');
    await exited;
  };
  const stop = async (graceMs = 20_000) => {
    if (running()) child.kill('SIGTERM');
    const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  await Promise.race([
    exited.then((code) => {
      throw new Error(`the server exited (${code ?? child.signalCode}):\n${output}`);
    }),
    eventually(
      async () => expect((await fetch(`${url}/readyz`)).status).toBe(200),
      opts.readyWithinMs ?? 90_000,
      50,
    ),
  ]).catch(async (e: unknown) => {
    await kill();
    throw e;
  });
  return { process: child, url, output: () => output, exited, stop, kill };
}
