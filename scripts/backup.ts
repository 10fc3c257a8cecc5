import { resolve } from 'node:path';
import { backup, kehuDatabase } from './backup-file.js';

/**
 * `npm run backup -- FILE`: writes a backup of Kehu's database (DATABASE_URL, or the embedded one under
 * DATA_DIR, Kehu stopped) to FILE, read in one snapshot while Kehu keeps serving. See backup-file.ts.
 */
async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: npm run backup -- FILE');
  const db = await kehuDatabase();
  try {
    const started = performance.now();
    const done = await backup(db.url, resolve(process.env.INIT_CWD ?? process.cwd(), file));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`backed up ${done.rows} rows of ${done.tables} tables to ${file} in ${seconds} s`);
  } finally {
    await db.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`backup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
