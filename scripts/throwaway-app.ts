import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrate.js';

/**
 * The real app, as in production, on a throwaway embedded PostgreSQL (fsync off) in temporary
 * folders, for the benchmark scripts. `close()` stops and removes everything.
 */
export async function startThrowawayApp(): Promise<{
  app: NestExpressApplication;
  dataDir: string;
  close: () => Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-bench-'));
  // Its own folder: embedded-postgres hands it to the postgres user, who cannot enter dataDir (mode 700).
  const pgDir = mkdtempSync(join(tmpdir(), 'kehu-bench-pg-'));
  const db = await startEmbeddedPostgres(pgDir, { throwaway: true });
  const url = await ensureDatabase(db.serverUrl, 'kehu');
  await runMigrations(url);
  const env = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
  };
  const app = await createApp({ ...loadConfig(env), databaseUrl: url });
  return {
    app,
    dataDir,
    close: async () => {
      await app.close().catch(() => undefined);
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}
