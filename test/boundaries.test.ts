import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * The module boundaries of DESIGN.md ("A module owns…"), as .dependency-cruiser.cjs states them:
 * the kernel imports no module, modules meet only through services, types, policies and declared
 * contracts, entities and repositories stay home, and no folder cycles.
 */
describe('module boundaries', () => {
  it('dependency-cruiser finds no violation in src/', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
        '--config',
        '.dependency-cruiser.cjs',
        '--output-type',
        'err',
        'src',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }));
    expect(stdout).toContain('no dependency violations found');
  }, 60_000);
});
