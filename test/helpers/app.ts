import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import { inject } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { Client } from './client.js';
import { copyTemplateDatabase, dropDatabase } from './databases.js';
import { PASSWORD } from './factories.js';

export interface TestApp {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  /** A direct connection to this app's database, for arranging rows and checking what was stored. */
  db: pg.Pool;
  config: AppConfig;
  close(): Promise<void>;
}

export { copyTemplateDatabase };

/** The real Kehu app on its own database copy, listening on a free port. */
export async function startApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const database = await copyTemplateDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-data-'));
  const config: AppConfig = {
    ...loadConfig({
      NODE_ENV: 'test',
      SESSION_SECRET: 'test-secret-test-secret-test-secret',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    }),
    databaseUrl: database.url,
    ...overrides,
  };
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const db = new pg.Pool({ connectionString: database.url, max: 3 });
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    db,
    config,
    async close() {
      await app.close();
      await db.end();
      await dropDatabase(inject('serverUrl'), database.name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A client signed in as `user` (made by the factories, with their password), with the user's
 * language set to `lang`, having read a page so it holds a CSRF token.
 */
export async function signedIn(
  t: TestApp,
  user: { id: number; email: string },
  lang: 'en' | 'zh-CN' = 'en',
): Promise<Client> {
  await t.db.query('UPDATE app_user SET locale = $2 WHERE id = $1', [user.id, lang]);
  const c = new Client(t.url);
  await c.login(user.email, PASSWORD);
  await c.get('/');
  return c;
}

/** The customer form's required choices, with the fields a test sets. */
export const customerForm = (fields: Record<string, string>) => ({
  kind: 'company',
  tier: 'C',
  status: 'lead',
  ...fields,
});
