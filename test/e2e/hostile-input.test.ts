import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres.js';
import { Client, visibleText } from '../helpers/client.js';
import { copyTemplateDatabase, dropDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { createUser, PASSWORD } from '../helpers/factories.js';
import { repeated, SHEET_WITH_TWO_SHARED, writeHostileWorkbook } from '../helpers/hostile-workbooks.js';
import { buildKehu } from '../helpers/kehu-process.js';

/**
 * Workbooks built to exhaust a reader, uploaded to Kehu run as `npm start` runs it (its own process,
 * a 256 MB heap): each is refused with a message in the user's language, the server stays up, and
 * its memory stays within budget. Also the row limit (IMPORT_MAX_ROWS, here 1,000), and the mapping
 * page, which shows a file's first rows without reading the file again.
 */
const ROOT = join(import.meta.dirname, '../..');
/** Peak resident memory the server may reach while refusing all of the files below. */
const MEMORY_BUDGET_MB = 450;

let database: { name: string; url: string };
let db: pg.Pool;
let dataDir: string;
let fixtures: string;
let server: { process: ChildProcess; url: string; output: () => string };
let c: Client;

beforeAll(async () => {
  buildKehu();
  database = await copyTemplateDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  dataDir = mkdtempSync(join(tmpdir(), 'kehu-data-'));
  fixtures = mkdtempSync(join(tmpdir(), 'kehu-hostile-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--max-old-space-size=256', join(ROOT, 'dist/src/main.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      SESSION_SECRET: 'test-secret-test-secret-test-secret',
      LOG_LEVEL: 'error',
      SEED_DEMO: 'false',
      IMPORT_MAX_ROWS: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await untilReady(url);
  server = { process: child, url, output: () => output };
  const rep = await createUser(db, { role: 'sales' });
  await db.query(`UPDATE app_user SET locale = 'zh-CN' WHERE id = $1`, [rep.id]);
  c = new Client(url);
  await c.login(rep.email, PASSWORD);
}, 120_000);

afterAll(async () => {
  if (server?.process.exitCode === null) {
    const stopped = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGTERM');
    await stopped;
  }
  await db.end();
  await dropDatabase(inject('serverUrl'), database.name);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(fixtures, { recursive: true, force: true });
});

async function untilReady(url: string): Promise<void> {
  await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 60_000);
}

/** The server's peak resident memory so far (VmHWM), in MB. */
function peakMemoryMb(): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function upload(name: string, content: Buffer) {
  await c.get('/customers/import');
  return c.upload('/customers/import', { name, content });
}

/**
 * Uploads the file and gives what the user sees of its refusal, after checking it was refused (422),
 * the server still answers and nothing of the file was kept.
 */
async function refusal(name: string): Promise<string> {
  const path = join(fixtures, name);
  const reply = await upload(name, readFileSync(path));
  expect({ status: reply.status, log: reply.status === 422 ? '' : server.output() }).toEqual({
    status: 422,
    log: '',
  });
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  // Nothing is kept of a refused file.
  expect(readdirSync(join(dataDir, 'imports'))).toEqual([]);
  const { rows } = await db.query('SELECT count(*)::int AS n FROM customer_import');
  expect(rows[0].n).toBe(0);
  return visibleText(reply.text);
}

describe('crafted workbooks', () => {
  it('a shared string split by comments into millions of pieces', async () => {
    // 12 million pieces: as a string built by appending, over 300 MB of heap.
    await writeHostileWorkbook(join(fixtures, 'comments.xlsx'), {
      sharedStrings: repeated('<si><t>', 'ab<!---->', 12_000_000, '</t></si><si><t>x</t></si>'),
      sheetData: SHEET_WITH_TWO_SHARED,
    });
    expect(await refusal('comments.xlsx')).toContain('超过 32,767 个字符');
  }, 120_000);

  it('a cell value split by CDATA sections and entities', async () => {
    await writeHostileWorkbook(join(fixtures, 'cdata.xlsx'), {
      sheetData: repeated(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>',
        'a&amp;<![CDATA[b]]>',
        8_000_000,
        '</t></is></c></row>',
      ),
    });
    expect(await refusal('cdata.xlsx')).toContain('超过 32,767 个字符');
  }, 120_000);

  it('a shared-strings table of millions of empty strings', async () => {
    await writeHostileWorkbook(join(fixtures, 'count.xlsx'), {
      sharedStrings: repeated('', '<si/>', 30_000_000, ''),
      sheetData: SHEET_WITH_TWO_SHARED,
    });
    expect(await refusal('count.xlsx')).toContain('解压后的数据量远超客户名单应有的大小');
  }, 120_000);

  it('a shared-strings table of hundreds of megabytes', async () => {
    // 7,000 strings of 30,000 characters: 210 MB of text, each string within Excel's limit.
    await writeHostileWorkbook(join(fixtures, 'big-strings.xlsx'), {
      sharedStrings: repeated('', `<si><t>${'x'.repeat(30_000)}</t></si>`, 7_000, ''),
      sheetData: SHEET_WITH_TWO_SHARED,
    });
    expect(await refusal('big-strings.xlsx')).toContain('解压后的数据量远超客户名单应有的大小');
  }, 120_000);

  it('a zip bomb: a sheet that inflates past 512 MB', async () => {
    await writeHostileWorkbook(join(fixtures, 'bomb.xlsx'), {
      sheetData: repeated(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>',
        '<!---->',
        80_000_000,
        '',
      ),
    });
    expect(await refusal('bomb.xlsx')).toContain('解压后的数据量远超客户名单应有的大小');
  }, 180_000);

  it('values in column XFD, which would make every row 16,384 cells wide', async () => {
    await writeHostileWorkbook(join(fixtures, 'wide.xlsx'), {
      sheetData: repeated('', '<row><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>', 200_000, ''),
    });
    expect(await refusal('wide.xlsx')).toContain('有数据的列超过 1,000 列');
  }, 120_000);

  it('left the server within its memory budget', () => {
    expect(server.process.exitCode).toBeNull();
    expect(peakMemoryMb()).toBeLessThan(MEMORY_BUDGET_MB);
  });
});

describe('the row limit (IMPORT_MAX_ROWS)', () => {
  const csv = (rows: number) =>
    Buffer.from(['名称', ...Array.from({ length: rows }, (_, i) => `限额测试公司${i}`)].join('\n'));

  it('refuses a file with one row more, naming the limit', async () => {
    writeFileSync(join(fixtures, 'over.csv'), csv(1001));
    expect(await refusal('over.csv')).toContain('超过 1,000 行');
  });

  it('takes a file at the limit', async () => {
    const reply = await upload('at-limit.csv', csv(1000));
    expect(reply.status).toBe(303);
  });

  it("shows a file's first rows on the mapping page from the upload's read, not by reading it again", async () => {
    const reply = await upload('kept.csv', Buffer.from('名称,手机\n北京保留样例有限公司,13812345678\n'));
    expect(reply.status).toBe(303);
    // The stored file is gone: a page that read it again would have nothing to show.
    const { rows } = await db.query(`SELECT file_path FROM customer_import WHERE file_name = 'kept.csv'`);
    rmSync(rows[0].file_path);
    const page = await c.get(reply.location!);
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('北京保留样例有限公司');
    expect(visibleText(page.text)).toContain('13812345678');
  });
});
