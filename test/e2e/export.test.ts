import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { createCustomer, createUser, PASSWORD, type UserRow } from '../helpers/factories.js';

let t: TestApp;
let rep: UserRow;

beforeAll(async () => {
  t = await startApp();
  rep = await createUser(t.db, { role: 'sales', locale: 'zh-CN' });
  const other = await createUser(t.db, { role: 'sales' });
  const mine = await createCustomer(t.db, { ownerId: rep.id, name: '北京华信科技有限公司' });
  await t.db.query(
    `INSERT INTO contact (customer_id, name, mobile, email, "primary", version) VALUES ($1, '王芳', '13812345678', 'wang@example.cn', true, 1)`,
    [mine],
  );
  await createCustomer(t.db, { ownerId: rep.id, name: '=HYPERLINK("http://evil.example","click")' });
  await createCustomer(t.db, { ownerId: other.id, name: 'Someone Else’s Ltd' });
  // Exporting is a right the admin gives per role (default admin and manager): here reps have it.
  await t.db.query(
    `INSERT INTO setting (key, value, version) VALUES ('customer_export', '{"admin": true, "manager": true, "sales": true, "service": false}', 1)`,
  );
});
afterAll(() => t.close());

async function download(path: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const c = new Client(t.url);
  await c.login(rep.email, PASSWORD);
  const cookie = `kehu.sid=${c.sessionId}`;
  const res = await fetch(t.url + path, { headers: { cookie } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

describe('exporting customers', () => {
  it('writes the user’s own customers to XLSX, Chinese intact, formulas defused', async () => {
    const file = await download('/customers/export?format=xlsx');
    expect(file.status).toBe(200);
    expect(file.type).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(file.body).buffer);
    const sheet = book.worksheets[0];
    const rows = sheet
      .getSheetValues()
      .filter(Boolean)
      .map((r) => (r as unknown[]).slice(1));
    expect(rows[0].slice(0, 3)).toEqual(['客户名称', '客户类型', '统一社会信用代码']);
    const names = rows.slice(1).map((r) => r[0]);
    expect(names).toContain('北京华信科技有限公司');
    expect(names).toContain('\'=HYPERLINK("http://evil.example","click")');
    expect(names).not.toContain('Someone Else’s Ltd');
    const huaxin = rows.find((r) => r[0] === '北京华信科技有限公司')!;
    expect(huaxin).toContain('13812345678');
    expect(typeof huaxin[rows[0].indexOf('手机')]).toBe('string');
    const audit = await t.db.query(`SELECT diff FROM audit_entry WHERE action = 'export' AND actor_id = $1`, [
      rep.id,
    ]);
    expect(audit.rows[0].diff.count).toEqual({ to: 2 });
  });

  it('writes CSV with a byte-order mark and honours the filters', async () => {
    const file = await download('/customers/export?format=csv&q=bjhx');
    expect(file.status).toBe(200);
    expect(file.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(file.body.toString('utf8').slice(1)) as string[][];
    expect(rows).toHaveLength(2);
    expect(rows[1][0]).toBe('北京华信科技有限公司');
    expect(rows[1][rows[0].indexOf('邮箱')]).toBe('wang@example.cn');
  });

  it('refuses an unknown format with a page saying so in the user language, and exports nothing', async () => {
    const refused = await download('/customers/export?format=pdf');
    expect(refused.status).toBe(422);
    expect(refused.type).toContain('text/html');
    expect(visibleText(refused.body.toString('utf8'))).toContain('页面地址中有无法识别的参数（format）');
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'export' AND actor_id = $1 AND diff->'format'->>'to' = 'pdf'`,
      [rep.id],
    );
    expect(rows[0].n).toBe(0);
  });
});
