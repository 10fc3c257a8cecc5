import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrate.js';

/** The environment the benchmark scripts run Kehu with: production, quiet, a fixed secret. */
export const BENCH_ENV = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
  LOG_LEVEL: 'warn',
} as const;

/**
 * A migrated throwaway embedded PostgreSQL (fsync off) and a data folder for the app, both in
 * temporary folders. `close()` stops and removes everything.
 */
export async function startThrowawayDatabase(): Promise<{
  url: string;
  dataDir: string;
  /** PostgreSQL's data folder. */
  pgDir: string;
  close: () => Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-bench-'));
  // Its own folder: embedded-postgres hands it to the postgres user, who cannot enter dataDir (mode 700).
  const pgDir = mkdtempSync(join(tmpdir(), 'kehu-bench-pg-'));
  const db = await startEmbeddedPostgres(pgDir, { throwaway: true });
  const url = await ensureDatabase(db.serverUrl, 'kehu');
  await runMigrations(url);
  return {
    url,
    dataDir,
    pgDir,
    close: async () => {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}

/** The real app, as in production, in this process on a throwaway database, for the benchmark scripts. */
export async function startThrowawayApp(): Promise<{
  app: NestExpressApplication;
  dataDir: string;
  close: () => Promise<void>;
}> {
  const db = await startThrowawayDatabase();
  const env = { ...BENCH_ENV, DATABASE_URL: db.url, DATA_DIR: db.dataDir };
  const app = await createApp({ ...loadConfig(env), databaseUrl: db.url });
  return {
    app,
    dataDir: db.dataDir,
    close: async () => {
      await app.close().catch(() => undefined);
      await db.close();
    },
  };
}
