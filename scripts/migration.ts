import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { DataSource } from 'typeorm';
import { ROOT } from '../src/common/paths.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import {
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrate.js';
import { ENTITIES } from '../src/entities.js';

/**
 * `npm run migration:generate -- AddThing`: writes migrations/<timestamp>-AddThing.ts with the SQL that
 * brings the migrated schema in line with the entities, and lists it in src/database/migrations.ts.
 * `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database).
 * Generation always diffs against a throwaway embedded PostgreSQL, so it needs no server.
 */
async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (command === 'run') return run();
  if (command === 'generate' && name && /^[A-Z][A-Za-z0-9]+$/.test(name)) return generate(name);
  throw new Error('usage: migration run | migration generate VerbNoun');
}

async function run(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(join(ROOT, process.env.DATA_DIR ?? '.data', 'postgres'));
    url = await ensureDatabase(embedded.serverUrl, 'kehu');
  }
  try {
    await runMigrations(url, console.log);
  } finally {
    await embedded?.stop();
  }
}

async function generate(name: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kehu-migration-'));
  const db = await startEmbeddedPostgres(dir, { throwaway: true });
  try {
    const url = await ensureDatabase(db.serverUrl, 'kehu');
    await runMigrations(url);
    const ds = await new DataSource(dataSourceOptions(url, { entities: ENTITIES })).initialize();
    const sql = await ds.driver.createSchemaBuilder().log();
    await ds.destroy();
    if (!sql.upQueries.length) {
      console.log('entities and migrations agree: nothing to generate');
      return;
    }
    const stamp = Date.now();
    const className = `${name}${stamp}`;
    const q = (s: string) =>
      '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
    const lines = (qs: { query: string }[]) =>
      qs.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
    const file = `${stamp}-${name}`;
    await writeFormatted(
      join(ROOT, 'migrations', `${file}.ts`),
      `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(sql.upQueries)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines([...sql.downQueries].reverse())}
  }
}
`,
    );
    const indexFile = join(ROOT, 'src', 'database', 'migrations.ts');
    const index = readFileSync(indexFile, 'utf8')
      .replace(/^((?:\/\/.*\n)+)/, `$1import { ${className} } from '../../migrations/${file}.js';\n`)
      .replace(/export const MIGRATIONS = \[([^\]]*)\];/, (_, list: string) => {
        const items = list
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .concat(className);
        return `export const MIGRATIONS = [\n${items.map((i) => `  ${i},`).join('\n')}\n];`;
      });
    await writeFormatted(indexFile, index);
    console.log(`wrote migrations/${file}.ts`);
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes TypeScript as the project formats it (prettier, with the project's settings). */
async function writeFormatted(path: string, source: string): Promise<void> {
  const options = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(source, { ...options, filepath: path }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
