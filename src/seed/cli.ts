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

/**
 * `npm run seed` seeds the demo company if it never was; `npm run seed -- --scale N` adds N generated
 * customers with contacts and follow-ups and prints how long it took. Without DATABASE_URL it uses
 * the embedded PostgreSQL under DATA_DIR (stop Kehu first: one server per data folder).
 */
async function main(): Promise<void> {
  const arg = process.argv.indexOf('--scale');
  const scale = arg >= 0 ? Number(process.argv[arg + 1]) : 0;
  if (arg >= 0 && !(Number.isInteger(scale) && scale > 0))
    throw new Error('--scale takes a positive whole number');
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    config.databaseUrl = await ensureDatabase(embedded.serverUrl, 'kehu');
  }
  try {
    await runMigrations(config.databaseUrl);
    const ds = await new DataSource(dataSourceOptions(config.databaseUrl)).initialize();
    const seed = new SeedService(ds);
    console.log((await seed.seedDemoOnce()) ? 'demo company seeded' : 'demo company already seeded');
    if (scale) {
      const started = performance.now();
      await seed.seedScale(scale);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `seeded ${scale} customers in ${seconds.toFixed(1)} s (${Math.round(scale / seconds)} customers/s)`,
      );
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
