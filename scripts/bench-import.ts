import 'reflect-metadata';
import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { CustomerImportService } from '../src/customers/import/customer-import.service.js';
import { sheetHeaders } from '../src/customers/customer-sheet.js';
import { generateCustomer, rng } from '../src/seed/generate.js';
import { SeedService } from '../src/seed/seed.service.js';
import { UsersService } from '../src/users/users.service.js';
import { startThrowawayApp } from './throwaway-app.js';

/**
 * Imports N generated customers (default 100,000) from a CSV and from an XLSX file into a throwaway
 * embedded PostgreSQL, end to end (reading, checks, duplicate search, writing), and prints rows per
 * second and the peak resident memory of each run. `npm run bench:import -- 100000`.
 */
const COUNT = Number(process.argv[2] ?? 100_000);

function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss)) };
}

async function main(): Promise<void> {
  const { app, dataDir: dir, close } = await startThrowawayApp();
  try {
    await app.get(SeedService).seedDemoOnce(0);
    const user = (await app.get(UsersService).list()).find((u) => u.email === 'manager@demo.kehu')!;
    const session = (await app.get(UsersService).findForSession(user.id))!;

    // The files, as a user would bring them: Chinese headers, mobiles, e-mails, tiers.
    // Different customers in each file, so each import creates all of its rows.
    const rowsFrom = (first: number) => {
      const r = rng(first);
      return Array.from({ length: COUNT }, (_, i) => {
        const c = generateCustomer(first + i, [1], 1, r);
        const p = c.contacts[0];
        return [
          c.name,
          c.kind,
          c.uscc ?? '',
          '',
          '',
          c.province,
          c.city,
          c.district,
          c.address,
          '',
          c.tier,
          c.vip ? 'Y' : 'N',
          '',
          c.source,
          c.status,
          '',
          c.tags.join(', '),
          '',
          p.name,
          p.title ?? '',
          p.mobile,
          '',
          p.email ?? '',
          '',
        ];
      });
    };
    const headers = sheetHeaders('zh-CN');
    const csvPath = join(dir, 'customers.csv');
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    writeFileSync(
      csvPath,
      '\ufeff' + [headers, ...rowsFrom(1_000_000)].map((row) => row.map(quote).join(',')).join('\r\n'),
    );
    const xlsxPath = join(dir, 'customers.xlsx');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: xlsxPath,
      useStyles: false,
      useSharedStrings: true,
    });
    const sheet = book.addWorksheet('客户');
    sheet.addRow(headers).commit();
    for (const row of rowsFrom(3_000_000)) sheet.addRow(row).commit();
    await book.commit();

    const imports = app.get(CustomerImportService);
    for (const [label, path, name] of [
      ['CSV', csvPath, 'customers.csv'],
      ['XLSX', xlsxPath, 'customers.xlsx'],
    ] as const) {
      const upload = join(dir, `upload-${label}`);
      copyFileSync(path, upload);
      const memory = sampleRss();
      const started = performance.now();
      const id = await imports.upload(session, {
        originalname: name,
        path: upload,
        size: statSync(upload).size,
      });
      const job = await imports.get(session, id);
      // The check and the import run as background jobs, as for a user; the script waits for them.
      const until = async (statuses: string[]) => {
        for (;;) {
          const { status } = await imports.get(session, id);
          if (statuses.includes(status)) return status;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await imports.setMapping(session, id, job.mapping);
      await until(['checked', 'failed']);
      const checked = performance.now();
      await imports.start(session, id, 'skip', {});
      await until(['done', 'failed']);
      const seconds = (performance.now() - started) / 1000;
      const done = await imports.get(session, id);
      const peak = memory.stop();
      console.log(
        `${label.padEnd(4)} ${COUNT} rows (${(statSync(path).size / 1e6).toFixed(1)} MB): ${seconds.toFixed(1)} s, ${Math.round(COUNT / seconds)} rows/s ` +
          `(check ${((checked - started) / 1000).toFixed(1)} s), peak RSS ${Math.round(peak / 1e6)} MB, status ${done.status}, ` +
          `created ${done.counts.created}, skipped ${done.counts.skipped}`,
      );
    }
  } finally {
    await close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
