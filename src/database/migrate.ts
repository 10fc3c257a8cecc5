import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

const MIGRATION_LOCK = 7_245_001;

/**
 * Applies pending migrations. An advisory lock makes instances that start together take turns,
 * so each migration runs once.
 */
export async function runMigrations(
  url: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const ds = await new DataSource({ ...dataSourceOptions(url), logging: false }).initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    // The migrations' uuid columns default to uuid_generate_v4(); TypeORM creates the extension only
    // when it is handed the entities, and migrations run without them.
    await runner.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`migration applied: ${m.name}`);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}
