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
  /** SIGTERM, as a service manager stops it; waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: gone at once, nothing finished. */
  kill(): Promise<void>;
}

/**
 * Kehu as production runs it: the compiled server in a process of its own on DATABASE_URL (given in
 * `env`), with a data folder of its own, answering /readyz. Call buildKehu() first.
 */
export async function startKehuProcess(env: Record<string, string>): Promise<KehuProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-process-'));
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
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void gone.then(() => rmSync(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await gone;
  };
  await Promise.race([
    gone.then(() => {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }),
    eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 60_000),
  ]).catch(async (e: unknown) => {
    await end('SIGKILL');
    throw e;
  });
  return {
    process: child,
    url,
    output: () => output,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
