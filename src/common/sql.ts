import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind TypeORM, for the hot reads a page runs on every request (the lists): one round
 * trip with SQL written out, plain rows back, no query builder or entity mapping on the way.
 */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
