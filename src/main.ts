import 'reflect-metadata';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type AppConfig } from './config/config.js';
import {
  ensureDatabase,
  ownShutdownSignals,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from './database/embedded-postgres.js';
import { runMigrations } from './database/migrate.js';
import { CustomersService } from './customers/customers.service.js';
import { DEMO_PASSWORD, DEMO_USERS, SeedService } from './seed/seed.service.js';

const logger = new Logger('Kehu');

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

/** Started here, so a failed start can stop it again. */
let embedded: EmbeddedDatabase | undefined;

async function main(): Promise<void> {
  const config = readConfig();
  if (!config.databaseUrl) {
    const dir = join(config.dataDir, 'postgres');
    logger.log(`no DATABASE_URL: starting the embedded PostgreSQL in ${dir}`);
    embedded = await startEmbeddedPostgres(dir, {
      onNotice: (line) => logger.warn(line),
      // PostgreSQL's own word when it is told to stop or fails, in the server's log (it says why).
      onLog: (text) => {
        for (const line of text.split('\n'))
          if (/PANIC|shutdown request|lock file|terminated by signal/.test(line))
            logger.log(`PostgreSQL: ${line.trim()}`);
      },
    });
    config.databaseUrl = await ensureDatabase(embedded.serverUrl, 'kehu');
  }
  await runMigrations(config.databaseUrl, (line) => logger.log(line));
  const app = await createApp(config);
  const seeded = config.seedDemo && (await app.get(SeedService).seedDemoOnce());
  await app.get(CustomersService).rebuildKeys();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    try {
      // New connections are refused and the requests under way finish; then the jobs stop (a run under
      // way finishes) and the database connections close (app.close()).
      await new Promise<void>((resolve) => app.getHttpServer().close(() => resolve()));
      await app.close();
    } catch (e) {
      logger.error(`while stopping: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await embedded?.stop();
      process.exit(0);
    }
  };
  // In order: requests and jobs first, then the database (see embedded-postgres.ts).
  ownShutdownSignals();
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // An error nothing caught leaves the process in an unknown state: it ends, its PostgreSQL with it
  // (what cannot be caught, running out of memory, is left to the watchdog in embedded-postgres.ts).
  const crash = (e: unknown) => {
    logger.error(`stopping after an error nothing caught: ${describeError(e)}`);
    void embedded
      ?.stop()
      .catch(() => undefined)
      .finally(() => process.exit(1));
    if (!embedded) process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  await app.listen(config.port);
  logger.log(`Kehu is running at ${config.baseUrl}`);
  if (seeded || (embedded && config.seedDemo)) {
    logger.log(`demo logins (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => u.email).join(', ')}`);
  }
}

/** An error as the log shows it: never "undefined", whatever was thrown. */
function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.stack ?? e.cause.message}` : '';
    return (e.stack ?? e.message) + cause;
  }
  if (e === undefined || e === null || e === '')
    return 'the start failed without saying why (see the lines above)';
  return typeof e === 'object' ? JSON.stringify(e) : String(e as string | number);
}

main().catch(async (e: unknown) => {
  logger.error(describeError(e));
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
