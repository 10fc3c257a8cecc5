import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SERVER_ENV, SERVER_NODE_ARGS } from '../scripts/server-launch.js';
import { HASH_COST } from '../src/users/password.js';

/**
 * The server is launched the same way by `npm start` and the Dockerfile, and with that launch the
 * memory a sign-in's password hash takes is given back once it is done: four people signing in
 * (one per libuv worker thread) used to leave ~78 MB resident for good.
 */
const run = promisify(execFile);
const MB = 1024 * 1024;

/**
 * A node process launched with `env` and the server's node options hashes `rounds` times four
 * passwords at once, at the sign-in's cost (every libuv worker thread hashes); answers how much its
 * resident memory grew, in MB.
 */
async function residentGrowthAfterHashing(env: Record<string, string>, rounds: number): Promise<number> {
  const script = `
    const argon2 = (await import('argon2')).default;
    const { readFileSync } = await import('node:fs');
    const cost = JSON.parse(process.argv[1]);
    const resident = () => Number(/^VmRSS:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    const before = resident();
    for (let round = 0; round < ${rounds}; round++)
      await Promise.all([0, 1, 2, 3].map((i) => argon2.hash('password-' + round + '-' + i, cost)));
    process.stdout.write(String(resident() - before));
  `;
  const { stdout } = await run(
    process.execPath,
    [...SERVER_NODE_ARGS, '--input-type=module', '-e', script, JSON.stringify(HASH_COST)],
    { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '', UV_THREADPOOL_SIZE: '4', ...env } },
  );
  return Number(stdout) / MB;
}

describe('the server launch', () => {
  it('npm start and the Dockerfile give the server the same node options and environment', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts.start;
    const env = Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v}`);
    expect(start).toContain(`${env.join(' ')} node ${SERVER_NODE_ARGS.join(' ')} dist/src/main.js`);

    const dockerfile = readFileSync('Dockerfile', 'utf8');
    // The final stage (the image that runs) sets the environment and runs node with the options.
    const runStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const envLine = /^ENV (.+)$/m.exec(runStage)?.[1].split(/\s+/) ?? [];
    for (const e of env) expect(envLine).toContain(e);
    expect(runStage).toContain(
      `CMD ["node", ${SERVER_NODE_ARGS.map((a) => `"${a}"`).join(', ')}, "dist/src/main.js"]`,
    );
  });

  it.runIf(process.platform === 'linux')(
    'hashing passwords four at a time leaves no memory behind',
    async () => {
      const growth = await residentGrowthAfterHashing({ ...SERVER_ENV }, 3);
      // One hash's block is 19 MiB; what is left is a few MB of code and buffers, not four blocks.
      expect(growth).toBeLessThan(15);
    },
  );
});
