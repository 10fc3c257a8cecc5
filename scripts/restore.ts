import { resolve } from 'node:path';
import { kehuDatabase, restore } from './backup-file.js';

/**
 * `npm run restore -- FILE`: restores a backup made by `npm run backup` into an empty database
 * (DATABASE_URL, or the embedded one under a new DATA_DIR), then applies any newer migrations. A
 * database that holds tables already is refused. See backup-file.ts.
 */
async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: npm run restore -- FILE');
  const db = await kehuDatabase();
  try {
    const started = performance.now();
    const done = await restore(resolve(process.env.INIT_CWD ?? process.cwd(), file), db.url);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`restored ${done.rows} rows of ${done.tables} tables from ${file} in ${seconds} s`);
  } finally {
    await db.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`restore failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
