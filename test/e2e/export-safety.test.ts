import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createUser, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let admin: UserRow;
let owner: UserRow;

/** Cells a spreadsheet would run as formulas, and ordinary text beside them. */
const DANGEROUS = [
  '=HYPERLINK("http://evil.example","click")',
  "+SUM(1+1)*cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\tTabbed Ltd',
];
const HARMLESS = 'Plain Trading Ltd';

beforeAll(async () => {
  t = await startApp();
  admin = await createUser(t.db, { role: 'admin' });
  owner = await createUser(t.db, { role: 'sales', name: 'Export Owner' });
  for (const name of [...DANGEROUS, HARMLESS]) await createCustomer(t.db, { ownerId: owner.id, name });
  // Other text columns are defused too: an address, a contact's name and title.
  const id = await createCustomer(t.db, { ownerId: owner.id, name: 'Contact Columns Ltd' });
  await t.db.query(`UPDATE customer SET address = '-1+1', website = NULL WHERE id = $1`, [id]);
  await t.db.query(
    `INSERT INTO contact (customer_id, name, title, "primary", version) VALUES ($1, '@王芳', '=1+1', true, 1)`,
    [id],
  );
});
afterAll(() => t.close());

async function download(format: 'xlsx' | 'csv'): Promise<Buffer> {
  const c = await signedIn(t, admin, 'en');
  const res = await fetch(`${t.url}/customers/export?format=${format}&owner=${owner.id}`, {
    headers: { cookie: `kehu.sid=${c.sessionId}` },
  });
  expect(res.status).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  // The export is audited once the file is written: wait for it, so no write is cut off at the end.
  await eventually(async () => {
    const { rows } = await t.db.query(
      `SELECT 1 FROM audit_entry WHERE action = 'export' AND actor_id = $1 AND diff->'format'->>'to' = $2`,
      [admin.id, format],
    );
    expect(rows).toHaveLength(1);
  });
  return body;
}

/** Header row and data rows, every cell as the text a spreadsheet would hold. */
async function xlsxRows(body: Buffer): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(new Uint8Array(body).buffer);
  const rows: string[][] = [];
  book.worksheets[0].eachRow((row) => {
    const cells = (row.values as unknown[]).slice(1);
    rows.push(Array.from(cells, (v) => (v === undefined || v === null ? '' : String(v as string | number))));
  });
  return rows;
}

function check(rows: string[][]) {
  const [headers, ...data] = rows;
  const col = (name: string) => headers.indexOf(name);
  const names = data.map((r) => r[col('Customer name')]);
  for (const name of DANGEROUS) expect(names).toContain(`'${name}`);
  expect(names).toContain(HARMLESS);
  // No cell of the file starts with a formula character.
  for (const row of data) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  const contactRow = data.find((r) => r[col('Customer name')] === 'Contact Columns Ltd')!;
  expect(contactRow[col('Address')]).toBe("'-1+1");
  expect(contactRow[col('Contact')]).toBe("'@王芳");
  expect(contactRow[col('Contact title')]).toBe("'=1+1");
}

describe('exported files and formulas', () => {
  it('defuses = + - @ and tab in every XLSX cell, and stores no formula', async () => {
    const body = await download('xlsx');
    const rows = await xlsxRows(body);
    check(rows);
    expect(rows).toHaveLength(DANGEROUS.length + 3);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(body).buffer);
    book.worksheets[0].eachRow((row) =>
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)),
    );
  });

  it('defuses the same cells in CSV', async () => {
    const body = await download('csv');
    const rows = parse(body.toString('utf8').replace(/^\ufeff/, ''), {
      relax_column_count: true,
    }) as string[][];
    check(rows);
    expect(rows).toHaveLength(DANGEROUS.length + 3);
  });
});
