import { createHash } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind TypeORM, for the hot reads a page runs on every request (the lists): one round
 * trip with SQL written out, plain rows back, no query builder or entity mapping on the way.
 */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** Names of the prepared statements, by text (a list has a few dozen shapes: sorts, scopes, filters). */
const names = new Map<string, string>();

/**
 * A statement PostgreSQL prepares once per connection and then runs without planning it again:
 * for hot statements whose plan does not depend on their values (a list page walking an index), where
 * planning costs as much as running. A statement whose best plan depends on its values (a search word:
 * common or rare) is still planned for its values on each run, unless PostgreSQL estimates a plan made
 * without them cheaper; preparing it saves the parsing.
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = names.get(text);
  if (!name) {
    name = `kehu_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
