import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import {
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../database/embedded-postgres.js';
import { runMigrations } from '../database/migrate.js';
import { SeedService } from './seed.service.js';
import { ENTITIES } from '../entities.js';

/**
 * `npm run seed` seeds the demo company if it never was; `npm run seed -- --scale N` adds N generated
 * customers with contacts and follow-ups and prints how long it took, `--tickets N` tickets until the
 * service desk holds N (on the demo company's teams); `npm run seed -- --admin EMAIL`
 * creates the first admin of a real installation and prints its password. Without DATABASE_URL it uses
 * the embedded PostgreSQL under DATA_DIR (stop Kehu first: one server per data folder).
 */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? '') : undefined;
}

async function main(): Promise<void> {
  const scaleArg = option('--scale');
  const scale = scaleArg === undefined ? 0 : Number(scaleArg);
  if (scaleArg !== undefined && !(Number.isInteger(scale) && scale > 0))
    throw new Error('--scale takes a positive whole number');
  const ticketsArg = option('--tickets');
  const tickets = ticketsArg === undefined ? 0 : Number(ticketsArg);
  if (ticketsArg !== undefined && !(Number.isInteger(tickets) && tickets > 0))
    throw new Error('--tickets takes a positive whole number');
  const adminEmail = option('--admin');
  if (adminEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(adminEmail))
    throw new Error('--admin takes an e-mail address');
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    config.databaseUrl = await ensureDatabase(embedded.serverUrl, 'kehu');
  }
  try {
    await runMigrations(config.databaseUrl);
    const ds = await new DataSource(
      dataSourceOptions(config.databaseUrl, { entities: ENTITIES }),
    ).initialize();
    const seed = new SeedService(ds);
    if (adminEmail) {
      const password = await seed.createAdmin(adminEmail);
      console.log(
        password
          ? `admin ${adminEmail} created with the password ${password} (change it after signing in)`
          : `${adminEmail} exists already`,
      );
    } else {
      console.log((await seed.seedDemoOnce()) ? 'demo company seeded' : 'demo company already seeded');
    }
    if (scale) {
      const started = performance.now();
      await seed.seedScale(scale);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `seeded ${scale} customers in ${seconds.toFixed(1)} s (${Math.round(scale / seconds)} customers/s)`,
      );
    }
    if (tickets) {
      const started = performance.now();
      const held = await seed.seedScaleTickets(tickets);
      const seconds = (performance.now() - started) / 1000;
      console.log(`the service desk holds ${held} tickets (${seconds.toFixed(1)} s)`);
    }
    await ds.destroy();
  } finally {
    await embedded?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
