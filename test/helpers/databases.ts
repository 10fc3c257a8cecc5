import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { ensureDatabase, withDatabase } from '../../src/database/embedded-postgres.js';

/**
 * Drops a test file's database once its connections are gone. A pool's end() resolves while its
 * connections are still closing; forcing the drop at that moment would send those half-closed
 * clients a "terminating connection" error nobody listens to any more, an uncaught exception in the
 * test file. So the drop first waits (a few seconds at most) for the sessions to end by themselves,
 * and forces only what is left after that.
 */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    for (let waited = 0; waited < 5000; waited += 50) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (rows[0].n === 0) break;
      await sleep(50);
    }
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * A fresh copy of the migrated template database for one test file. Here rather than beside
 * startApp (app.ts), so that a file which runs Kehu in processes of its own does not load the app.
 */
export async function copyTemplateDatabase(): Promise<{ name: string; url: string }> {
  const name = `kehu_t_${randomBytes(5).toString('hex')}`;
  return { name, url: await ensureDatabase(inject('serverUrl'), name, inject('templateDb')) };
}
