import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

/** One definition of how Kehu talks to PostgreSQL; used by the app, the CLI and the tests. */
export function dataSourceOptions(
  url: string,
  opts: { poolSize?: number; logging?: boolean } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // Failed queries are reported by whoever catches them; TypeORM's own error log would print their parameters.
    logging: opts.logging ? ['error', 'warn', 'migration'] : ['warn'],
    extra: { max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000, application_name: 'kehu' },
  };
}
