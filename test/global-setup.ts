import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import {
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrate.js';
import { dropDatabase } from './helpers/databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    templateDb: string;
    /** This run's own name, for what test files share within it (test/helpers/kehu-process.ts). */
    runId: string;
  }
}

/**
 * One PostgreSQL for the whole run (embedded, fsync off; or TEST_DATABASE_URL's server), migrated
 * once into a template database. Each test file copies the template (test/helpers/app.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedDatabase | undefined;
  let dir: string | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    dir = mkdtempSync(join(tmpdir(), 'kehu-test-pg-'));
    embedded = await startEmbeddedPostgres(dir, { throwaway: true });
    serverUrl = embedded.serverUrl;
  }
  const templateDb = `kehu_template_${process.pid}`;
  await dropDatabase(serverUrl, templateDb);
  const url = await ensureDatabase(serverUrl, templateDb);
  await runMigrations(url);
  // pg-boss creates its own schema on first start; doing it once here spares every test file that work.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(PgBoss.getConstructionPlans('pgboss'));
  await client.end();

  project.provide('serverUrl', serverUrl);
  project.provide('templateDb', templateDb);
  const runId = `${process.pid}-${Date.now()}`;
  project.provide('runId', runId);
  return async () => {
    for (const end of ['lock', 'done', 'failed'])
      rmSync(join(tmpdir(), `kehu-build-${runId}.${end}`), { recursive: true, force: true });
    await dropDatabase(serverUrl, templateDb).catch(() => undefined);
    await embedded?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
