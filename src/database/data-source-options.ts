import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

/**
 * One definition of how Kehu talks to PostgreSQL; used by the app, the CLI and the tests. The app's
 * modules register their own entities; tools that need them all pass `ENTITIES` (src/entities.ts).
 */
export function dataSourceOptions(
  url: string,
  opts: { poolSize?: number; logging?: boolean; entities?: Function[] } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: opts.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // Failed queries are reported by whoever catches them; TypeORM's own error log would print their parameters.
    logging: opts.logging ? ['error', 'warn', 'migration'] : ['warn'],
    // An idle connection is kept two minutes (pg's default: 10 s), so that the background jobs' runs a
    // minute apart (the mail and webhook checks) reuse it rather than PostgreSQL starting a backend,
    // exchanging a password and filling its caches for each: most of an idle instance's database CPU.
    extra: {
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 120_000,
      application_name: 'kehu',
      // No parallel plans: Kehu's statements are short, and a parallel plan's workers take ~5–7 ms to
      // start (and cores from other requests). The dashboard's reads of the records of the days
      // changed since the last count, estimated large because those days are known only at run time,
      // were planned parallel and spent that start-up for no rows (~10 ms per figure).
      options: '-c max_parallel_workers_per_gather=0',
    },
  };
}
