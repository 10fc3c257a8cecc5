import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerForm, signedIn, startApp, type TestApp } from '../helpers/app.js';
import { visibleText } from '../helpers/client.js';
import { createContact, createCustomer, createTeam, createUser, type UserRow } from '../helpers/factories.js';
import { runAndWait, uploadAndCheck } from '../helpers/imports.js';
import type { QueryRunner } from 'typeorm';
import { RecodeIndustries1795365100000 } from '../../migrations/1795365100000-RecodeIndustries.js';
import { usccCheckChar } from '../../src/customers/uscc.js';

/** A valid code, different for each `n`. */
const uscc = (n: number) => {
  const body = `9133010${String(n).padStart(10, '0')}`;
  return body + usccCheckChar(body);
};

let t: TestApp;
let rep: UserRow;

beforeAll(async () => {
  t = await startApp();
  rep = await createUser(t.db, { role: 'sales', name: '陈静' });
});
afterAll(() => t.close());

/**
 * A ledger as a small company keeps it: a title row and a line about who made it above the header,
 * full-width mobiles and (+86), 类 tiers, landlines with bracketed area codes and 转 extensions,
 * colloquial industries, one industry no list knows, a code repeated on two rows, and notes.
 */
const LEDGER: (string | number)[][] = [
  ['2026年客户台账'],
  ['制表：销售二部', '', '', '', '', '', '', '', '', '更新：2026-01-05'],
  ['序号', '客户名称', '统一社会信用代码', '联系人', '手机', '座机', '邮箱', '客户级别', '所属行业', '备注'],
  [
    1,
    '成都蜀锦文化传媒有限公司',
    uscc(1),
    '刘洋',
    '１３８１２３４５６７８',
    '（028）8670 4030转802',
    'liu@qq.com',
    'A类',
    '文化传媒',
    '春节前送礼',
  ],
  [
    2,
    '重庆两江物流有限公司',
    uscc(2),
    '何静',
    '（+86）13900001111',
    '(023)67204030',
    '',
    'B类',
    '物流运输',
    '',
  ],
  [
    3,
    '北京京华地产有限公司',
    '',
    '赵磊',
    '＋８６ １３７ ００００ ２２２２',
    '(010)85264435 转 12',
    'ZHAO@QQ.COM',
    'c类',
    '房地产',
    '',
  ],
  [
    4,
    '上海申江酒店管理有限公司',
    uscc(4),
    '钱芳',
    '(+86) 136-0000-3333',
    '（021）44082075',
    '',
    'B级',
    '餐饮酒店',
    '只在工作日联系',
  ],
  [
    5,
    '杭州西湖能源科技有限公司',
    uscc(1),
    '孙丽',
    '13500004444',
    '0571 8765 4321',
    '',
    'A类',
    '能源环保',
    '与第1行同一家',
  ],
  [6, '苏州园区宠物医院', '', '周杰', '13300005555', '', '', 'C类', '宠物服务', ''],
  [7, '广州羊城教育培训中心', '', '吴敏', '15800006666', '020-3838 1234 ext 5', '', 'B类', '教育培训', ''],
];

const csvOf = (rows: (string | number)[][]) =>
  rows
    .map((r) =>
      r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(','),
    )
    .join('\r\n');

async function xlsxOf(rows: (string | number)[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('台账');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('importing ledgers as people keep them', () => {
  it.each([
    ['GB18030 CSV', '2026年客户台账.csv', () => Promise.resolve(iconv.encode(csvOf(LEDGER), 'gb18030'))],
    ['XLSX', '2026年客户台账.xlsx', () => xlsxOf(LEDGER)],
  ])(
    'imports a %s with title rows, full-width mobiles, 类 tiers, bracketed landlines and colloquial industries',
    async (kind, name, make) => {
      await t.db.query(`DELETE FROM customer WHERE name LIKE ANY($1)`, [
        LEDGER.slice(3).map((r) => String(r[1])),
      ]);
      const c = await signedIn(t, rep, 'zh-CN');
      const id = await uploadAndCheck(t.db, c, name, await make());
      const { rows: jobs } = await t.db.query(
        'SELECT header_row, encoding, counts FROM customer_import WHERE id = $1',
        [id],
      );
      expect(jobs[0].header_row).toBe(3);
      expect(jobs[0].encoding).toBe(kind === 'XLSX' ? null : 'gb18030');
      // No row is refused: the repeated code is a duplicate of row 4, the unknown industry is to be mapped.
      expect(jobs[0].counts).toEqual({ ok: 6, errors: 0, duplicates: 1 });
      const page = await c.get(`/customers/import/${id}`);
      const preview = visibleText(page.text);
      expect(preview).toContain('表头位于第 3 行');
      expect(preview.includes('GB18030（GBK）')).toBe(kind !== 'XLSX');
      expect(preview).toContain('将新建的客户');
      expect(preview).toContain('成都蜀锦文化传媒有限公司');
      expect(preview).toContain('与本文件第 4 行重复');
      expect(preview).toMatch(/待对应的值[\s\S]*宠物服务/);
      const unknownKey = /name="value\[(v\d+)\]"/.exec(page.text)![1];

      // The pet hospital's industry is mapped by hand; the repeated code's row updates the first row's customer.
      expect(await runAndWait(t.db, c, id, { duplicates: 'update', [`value[${unknownKey}]`]: 'Q' })).toBe(
        'done',
      );
      const { rows } = await t.db.query(
        `SELECT c.name, c.uscc, c.tier, c.industry, c.notes, ct.mobile, ct.phone, ct.email
         FROM customer c LEFT JOIN contact ct ON ct.customer_id = c.id AND ct."primary"
        WHERE c.name = ANY($1) ORDER BY c.id`,
        [LEDGER.slice(3).map((r) => String(r[1]))],
      );
      expect(rows).toEqual([
        {
          name: '成都蜀锦文化传媒有限公司',
          uscc: uscc(1),
          tier: 'A',
          industry: 'D',
          notes: '与第1行同一家',
          mobile: '13812345678',
          phone: '028-86704030-802',
          email: 'liu@qq.com',
        },
        {
          name: '重庆两江物流有限公司',
          uscc: uscc(2),
          tier: 'B',
          industry: 'G',
          notes: null,
          mobile: '13900001111',
          phone: '023-67204030',
          email: null,
        },
        {
          name: '北京京华地产有限公司',
          uscc: null,
          tier: 'C',
          industry: 'K',
          notes: null,
          mobile: '13700002222',
          phone: '010-85264435-12',
          email: 'zhao@qq.com',
        },
        {
          name: '上海申江酒店管理有限公司',
          uscc: uscc(4),
          tier: 'B',
          industry: 'H',
          notes: '只在工作日联系',
          mobile: '13600003333',
          phone: '021-44082075',
          email: null,
        },
        {
          name: '苏州园区宠物医院',
          uscc: null,
          tier: 'C',
          industry: 'Q',
          notes: null,
          mobile: '13300005555',
          phone: null,
          email: null,
        },
        {
          name: '广州羊城教育培训中心',
          uscc: null,
          tier: 'B',
          industry: 'P',
          notes: null,
          mobile: '15800006666',
          phone: '020-38381234-5',
          email: null,
        },
      ]);
      // The repeated row's contact joined the customer its first row became.
      const { rows: contacts } = await t.db.query(
        `SELECT ct.name FROM contact ct JOIN customer c ON c.id = ct.customer_id WHERE c.uscc = $1 ORDER BY ct.id`,
        [uscc(1)],
      );
      expect(contacts.map((r) => r.name)).toEqual(['刘洋', '孙丽']);
    },
  );

  it('has the customer form fold full-width forms, refuse name@qq..com and keep notes', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    await c.get('/customers/new');
    const refused = await c.post(
      '/customers/new',
      customerForm({
        name: '长沙湘江软件有限公司',
        contactName: '唐宁',
        contactMobile: '（＋８６）１３８００００７７７７',
        contactEmail: 'tang@qq..com',
      }),
    );
    expect(refused.status).toBe(422);
    expect(visibleText(refused.text)).toContain('请输入有效的邮箱地址');
    const saved = await c.post(
      '/customers/new',
      customerForm({
        name: '长沙湘江软件有限公司',
        tier: 'Ａ类',
        industry: 'I',
        notes: '第一行\n第二行',
        contactName: '唐宁',
        contactMobile: '（＋８６）１３８００００７７７７',
        contactEmail: 'ＴＡＮＧ＠ｑｑ．ｃｏｍ',
      }),
    );
    expect(saved.status).toBe(303);
    const { rows } = await t.db.query(
      `SELECT c.id, c.tier, c.industry, c.notes, ct.mobile, ct.email FROM customer c JOIN contact ct ON ct.customer_id = c.id WHERE c.name = '长沙湘江软件有限公司'`,
    );
    expect(rows).toEqual([
      {
        id: rows[0].id,
        tier: 'A',
        industry: 'I',
        notes: '第一行\n第二行',
        mobile: '13800007777',
        email: 'tang@qq.com',
      },
    ]);
    const page = visibleText((await c.get(`/customers/${rows[0].id}`)).text);
    expect(page).toContain('备注 第一行');
    expect(page).toContain('行业 信息技术');
  });

  it('lets the user say which row holds the headers', async () => {
    const c = await signedIn(t, rep, 'en');
    const file = csvOf([['Customer list'], ['客户名称', '手机'], ['成都天府软件有限公司', '13812340000']]);
    const uploaded = await c.upload('/customers/import', { name: 'list.csv', content: Buffer.from(file) });
    const id = uploaded.location!.split('/').pop()!;
    let page = visibleText((await c.get(`/customers/import/${id}`)).text);
    expect(page).toContain('Headers found in row 2');
    expect(page).toContain('read as UTF-8');
    expect((await c.post(`/customers/import/${id}/header`, { headerRow: '1' })).status).toBe(303);
    const { rows } = await t.db.query('SELECT header_row, headers FROM customer_import WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ header_row: 1, headers: ['Customer list'] });
    page = visibleText((await c.get(`/customers/import/${id}`)).text);
    expect(page).toContain('Headers found in row 1');
    // A row that is not among the file's first rows is refused.
    expect((await c.post(`/customers/import/${id}/header`, { headerRow: '40' })).status).toBe(422);
  });

  it('names the column as the file has it, and which rule failed', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    const file = csvOf([
      ['客户名称', '联系人', '手机', '邮箱'],
      ['南京紫金科技有限公司', '王五', '1381234567', 'name@qq..com'],
      ['南京钟山科技有限公司', '赵六', '23812345678', ''],
    ]);
    const id = await uploadAndCheck(t.db, c, 'errors.csv', Buffer.from(file));
    const preview = visibleText((await c.get(`/customers/import/${id}`)).text);
    expect(preview).toContain('第 C 列（手机）：手机：手机号应为 11 位，此号码位数不对。');
    expect(preview).toContain('第 D 列（邮箱）：邮箱：');
    expect(preview).toContain('第 C 列（手机）：手机：虽为 11 位，但不是中国大陆手机号的号段');
  });

  it('re-imports an export with "update existing" without writing anything for unchanged customers', async () => {
    const team = await createTeam(t.db);
    const manager = await createUser(t.db, { role: 'manager', teamId: team, name: '郑经理' });
    const owner = await createUser(t.db, { role: 'sales', teamId: team, name: '冯销售' });
    const customer = await createCustomer(t.db, {
      ownerId: owner.id,
      name: '西安秦川机械有限公司',
      uscc: uscc(77),
    });
    await t.db.query(`UPDATE customer SET industry = 'C', tier = 'A', notes = '老客户' WHERE id = $1`, [
      customer,
    ]);
    // A contact with neither mobile nor e-mail: matched by name.
    await createContact(t.db, customer, '卫东');
    await t.db.query(`UPDATE contact SET "primary" = true WHERE customer_id = $1`, [customer]);
    const c = await signedIn(t, manager, 'zh-CN');
    const exported = await c.get(`/customers/export?format=csv&q=${encodeURIComponent('秦川')}`);
    expect(exported.status).toBe(200);
    // The owner column holds the owner's name; the import takes it back.
    expect(exported.text).toContain('冯销售');
    expect(exported.text).toContain('老客户');
    const before = await t.db.query('SELECT version, updated_at FROM customer WHERE id = $1', [customer]);
    const audits = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE entity = 'customer' AND entity_id = $1`,
      [String(customer)],
    );

    const id = await uploadAndCheck(t.db, c, 'export.csv', Buffer.from(exported.text));
    expect(await runAndWait(t.db, c, id, { duplicates: 'update' })).toBe('done');
    const after = await t.db.query('SELECT version, updated_at FROM customer WHERE id = $1', [customer]);
    expect(after.rows[0]).toEqual(before.rows[0]);
    const auditsAfter = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE entity = 'customer' AND entity_id = $1`,
      [String(customer)],
    );
    expect(auditsAfter.rows[0].n).toBe(audits.rows[0].n);
    const contacts = await t.db.query(
      'SELECT name FROM contact WHERE customer_id = $1 AND deleted_at IS NULL',
      [customer],
    );
    expect(contacts.rows).toEqual([{ name: '卫东' }]);
    const { rows } = await t.db.query('SELECT counts FROM customer_import WHERE id = $1', [id]);
    expect(rows[0].counts.updated).toBe(0);
  });

  it('keeps the in-file duplicate check fast once the rows table has statistics from an earlier import', async () => {
    const c = await signedIn(t, rep, 'en');
    const big = (prefix: string) => {
      const lines = ['Customer name,Mobile'];
      for (let i = 0; i < 20_000; i++) {
        // Every hundredth row repeats the one before it, so there are repeats to find.
        const n = i % 100 === 99 ? i - 1 : i;
        lines.push(`${prefix}${n}号客户,1${String(3_000_000_000 + n).slice(0, 10)}`);
      }
      return Buffer.from(lines.join('\n'));
    };
    const timed = async (content: Buffer) => {
      const start = Date.now();
      const id = await uploadAndCheck(t.db, c, 'big.csv', content);
      const took = Date.now() - start;
      const { rows } = await t.db.query('SELECT counts FROM customer_import WHERE id = $1', [id]);
      expect(rows[0].counts.duplicates).toBe(200);
      // Discarded: its rows go, and the table's statistics as the next import finds them are from it.
      await c.get(`/customers/import/${id}`);
      expect((await c.post(`/customers/import/${id}/discard`)).status).toBe(303);
      await t.db.query('ANALYZE customer_import_row');
      return took;
    };
    const first = await timed(big('甲'));
    const second = await timed(big('乙'));
    expect(second).toBeLessThanOrEqual(Math.max(2 * first, 3000));
  }, 300_000);

  it('moves existing customers’ industries to the GB/T 4754-2017 sections, and back', async () => {
    const old = ['manufacturing', 'food', 'retail', 'wholesale', 'it', 'services', 'healthcare', 'other'];
    const ids: number[] = [];
    for (const code of old) {
      const id = await createCustomer(t.db, { name: `行业迁移 ${code} 有限公司` });
      await t.db.query('UPDATE customer SET industry = $2 WHERE id = $1', [id, code]);
      ids.push(id);
    }
    const runner = {
      query: (sql: string, params?: unknown[]) => t.db.query(sql, params),
    } as unknown as QueryRunner;
    const industries = async () =>
      (await t.db.query('SELECT industry FROM customer WHERE id = ANY($1) ORDER BY id', [ids])).rows.map(
        (r) => r.industry,
      );
    const migration = new RecodeIndustries1795365100000();
    await migration.up(runner);
    expect(await industries()).toEqual(['C', 'C', 'F', 'F', 'I', 'L', 'Q', null]);
    await migration.down(runner);
    expect(await industries()).toEqual([
      'manufacturing',
      'manufacturing',
      'wholesale',
      'wholesale',
      'it',
      'services',
      'healthcare',
      null,
    ]);
    await migration.up(runner);
  });
});
