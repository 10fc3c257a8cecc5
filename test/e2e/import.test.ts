import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { Client, visibleText } from '../helpers/client.js';
import { eventually } from '../helpers/eventually.js';
import { createCustomer, createUser, type UserRow } from '../helpers/factories.js';
import { runAndWait, uploadAndCheck } from '../helpers/imports.js';
import { usccCheckChar } from '../../src/customers/uscc.js';

let t: TestApp;
let rep: UserRow;
let other: UserRow;

beforeAll(async () => {
  t = await startApp({ importMaxBytes: 200_000 });
  rep = await createUser(t.db, { role: 'sales', name: '李明' });
  other = await createUser(t.db, { role: 'sales', name: '张伟' });
});
afterAll(() => t.close());

describe('importing customers', () => {
  it('reads a GBK CSV from Excel, shows errors and duplicates, and imports the good rows', async () => {
    await createCustomer(t.db, { ownerId: other.id, name: '上海蓝海贸易有限公司' });
    const csv = [
      '客户名称,联系人,手机,邮箱,客户级别,备注',
      '杭州启明电子有限公司,孙丽,8613600002222,sun@example.cn,A级,老客户介绍',
      '宁波嘉禾食品有限公司,王芳,12345,wang@example.cn,D,',
      '蓝海贸易（上海）股份有限公司,周杰,13900001111,,C,',
      '杭州启明电子股份有限公司,孙丽,13600002222,,A,',
    ].join('\r\n');
    const c = await signedIn(t, rep, 'zh-CN');
    const id = await uploadAndCheck(t.db, c, '客户.csv', iconv.encode(csv, 'gb18030'));
    const preview = visibleText((await c.get(`/customers/import/${id}`)).text);
    expect(preview).toMatch(/新客户 1 有错误的行 1 可能重复 2/);
    // Row 3's error names the column as the file has it and the rule; its tier D is no error but a
    // value the user may map to a tier.
    expect(preview).toContain('3 第 C 列（手机）：手机：手机号应为 11 位，此号码位数不对。');
    expect(preview).toMatch(/待对应的值[\s\S]*客户级别 D 1/);
    expect(preview).toContain('上海蓝海贸易有限公司 · 张伟');
    expect(preview).toContain('与本文件第 2 行重复');
    expect(
      await t.db.query(`SELECT 1 FROM customer WHERE name = '杭州启明电子有限公司'`).then((r) => r.rowCount),
    ).toBe(0);

    expect(await runAndWait(t.db, c, id)).toBe('done');
    const { rows } = await t.db.query(
      `SELECT c.name, c.tier, c.owner_id, ct.name AS contact, ct.mobile, ct.email FROM customer c JOIN contact ct ON ct.customer_id = c.id
        WHERE c.name LIKE '%启明%' OR c.name LIKE '%嘉禾%' OR c.name LIKE '蓝海贸易（上海）%'`,
    );
    expect(rows).toEqual([
      {
        name: '杭州启明电子有限公司',
        tier: 'A',
        owner_id: rep.id,
        contact: '孙丽',
        mobile: '13600002222',
        email: 'sun@example.cn',
      },
    ]);
    expect(visibleText((await c.get(`/customers/import/${id}`)).text)).toContain(
      '新建 1 个，更新 0 个，未导入 3 行。',
    );
    // Found by its contact too, its search tokens what the database computes for it.
    for (const q of ['孙丽', '13600002222', '2222', 'sun@example.cn'])
      expect(visibleText((await c.get(`/customers?q=${encodeURIComponent(q)}`)).text), q).toContain(
        '杭州启明电子有限公司',
      );
    const { rows: tokens } = await t.db.query(
      `SELECT search_tokens = array_to_tsvector(customer_name_tokens(search_text) || customer_contact_tokens(id)) AS current
         FROM customer WHERE name = '杭州启明电子有限公司'`,
    );
    expect(tokens).toEqual([{ current: true }]);

    const file = await fetch(`${t.url}/customers/import/${id}/rejected.xlsx`, {
      headers: { cookie: `kehu.sid=${c.sessionId}` },
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(await file.arrayBuffer()).buffer);
    const sheet = book.worksheets[0];
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(2).getCell(8).text).toContain('手机：手机号应为 11 位');
    expect(sheet.getRow(2).getCell(2).value).toBe('宁波嘉禾食品有限公司');
  });

  it('shows each column’s first values while the columns are mapped', async () => {
    const c = await signedIn(t, rep, 'zh-CN');
    await c.get('/customers/import');
    const csv = [
      '名称,电话号码',
      '样例一有限公司,13800000001',
      '样例二有限公司,13800000002',
      '样例三有限公司,',
    ];
    const uploaded = await c.upload('/customers/import', { name: 'samples.csv', content: csv.join('\n') });
    const page = visibleText((await c.get(uploaded.location!)).text);
    expect(page).toContain('名称 样例一有限公司 · 样例二有限公司');
    expect(page).toContain('电话号码 13800000001 · 13800000002');
    expect(page).not.toContain('样例一有限公司 · 样例二有限公司 · 样例三有限公司');

    // Not wanted after all: discarded, it leaves neither its record nor its file.
    const id = uploaded.location!.split('/').pop()!;
    const [{ file_path: file }] = (
      await t.db.query('SELECT file_path FROM customer_import WHERE id = $1', [id])
    ).rows;
    const discarded = await c.post(`/customers/import/${id}/discard`);
    expect(discarded.location).toBe('/customers/import');
    expect(visibleText((await c.get('/customers/import')).text)).toContain(
      '已放弃本次导入，未保存任何数据。',
    );
    expect((await t.db.query('SELECT 1 FROM customer_import WHERE id = $1', [id])).rowCount).toBe(0);
    expect(existsSync(file)).toBe(false);
    // Someone else's import is not theirs to discard.
    const theirs = await signedIn(t, other);
    await theirs.get('/customers/import');
    const mine = await uploadAndCheck(t.db, c, 'mine.csv', Buffer.from('客户名称\n留下有限公司'));
    expect((await theirs.post(`/customers/import/${mine}/discard`)).status).toBe(404);
  });

  it('finds repeats inside the file; a row with errors stands for nothing', async () => {
    const code = '91330100MA2AB1C3D' + usccCheckChar('91330100MA2AB1C3D');
    const csv = [
      '客户名称,手机,邮箱,统一社会信用代码',
      `甲方科技有限公司,13800000001,,${code}`,
      '乙方贸易有限公司,13800000001,,',
      `丙方物流有限公司,,,${code}`,
      '丁方食品有限公司,13800000009,not-an-email,',
      '丁方食品有限公司,13800000009,,',
      '戊方电子有限公司,138 0000 0001,,',
    ].join('\n');
    const c = await signedIn(t, rep, 'zh-CN');
    const id = await uploadAndCheck(t.db, c, 'repeats.csv', Buffer.from(csv));
    const { rows } = await t.db.query(
      'SELECT row_no, action, duplicate_of, errors FROM customer_import_row WHERE import_id = $1 ORDER BY row_no',
      [id],
    );
    expect(rows).toEqual([
      { row_no: 2, action: 'create', duplicate_of: null, errors: {} },
      { row_no: 3, action: 'skip', duplicate_of: -2, errors: {} },
      { row_no: 4, action: 'skip', duplicate_of: -2, errors: {} },
      { row_no: 5, action: 'error', duplicate_of: null, errors: { contactEmail: 'validation.isEmail' } },
      { row_no: 6, action: 'create', duplicate_of: null, errors: {} },
      { row_no: 7, action: 'skip', duplicate_of: -2, errors: {} },
    ]);
    const preview = visibleText((await c.get(`/customers/import/${id}`)).text);
    expect(preview).toMatch(/新客户 2 有错误的行 1 可能重复 3/);
  });

  it('stores names and addresses exactly, backslashes, tabs, quotes and line breaks included', async () => {
    const name = 'C:\\客户\\新建 "测试"\t有限公司';
    const address = '第一行\r\n第二行 \\N';
    const csv = `客户名称,地址\n"${name.replaceAll('"', '""')}","${address}"\n`;
    const c = await signedIn(t, rep);
    const id = await uploadAndCheck(t.db, c, 'odd.csv', Buffer.from(csv));
    expect(await runAndWait(t.db, c, id)).toBe('done');
    const { rows } = await t.db.query('SELECT address FROM customer WHERE name = $1', [name]);
    expect(rows).toEqual([{ address }]);
  });

  it('fails the check of a file damaged far down, keeps none of its rows, and imports the next file', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `Damaged File Trading ${i} Ltd`);
    const csv = ['客户名称', ...rows, '"a quote never closed', 'Last Row Ltd'].join('\n');
    const c = await signedIn(t, rep);
    await c.get('/customers/import');
    const uploaded = await c.upload('/customers/import', { name: 'damaged.csv', content: Buffer.from(csv) });
    const id = uploaded.location!.split('/').pop()!;
    const mapping = await c.get(`/customers/import/${id}`);
    expect((await c.post(`/customers/import/${id}/mapping`, { 'mapping[0]': 'name' })).status).toBe(303);
    await eventually(async () => {
      const { rows } = await t.db.query('SELECT status FROM customer_import WHERE id = $1', [id]);
      expect(rows[0].status).toBe('failed');
    });
    expect(mapping.status).toBe(200);
    const stored = await t.db.query(
      'SELECT count(*)::int AS n FROM customer_import_row WHERE import_id = $1',
      [id],
    );
    expect(stored.rows[0].n).toBe(0);
    const page = visibleText((await c.get(`/customers/import/${id}`)).text);
    expect(page).toContain('The file cannot be read after row 5001');
    expect(page).toContain('Nothing of it was saved.');

    const next = await uploadAndCheck(t.db, c, 'next.csv', Buffer.from('客户名称\nNext File Ltd\n'));
    expect(await runAndWait(t.db, c, next)).toBe('done');
  });

  it('imports back what it exported, its options written in the user’s language', async () => {
    const owner = await createUser(t.db, { role: 'sales' });
    const a = await createCustomer(t.db, { ownerId: owner.id, name: '北京华信科技有限公司' });
    await t.db.query(
      `UPDATE customer SET tier = 'A', vip = true, industry = 'C', source = 'referral', status = 'prospect',
              tags = '{重点客户,expo}', province = '北京市' WHERE id = $1`,
      [a],
    );
    await t.db.query(
      `INSERT INTO contact (customer_id, name, mobile, email, "primary", version) VALUES ($1, '王芳', '13812345678', 'wang@example.cn', true, 1)`,
      [a],
    );
    // Reps export only when the admin gives them the right (their own customers then).
    const admin = await signedIn(t, await createUser(t.db, { role: 'admin' }));
    const settings = (await admin.get('/admin/settings')).text;
    const exportVersion =
      /action="\/admin\/settings\/customer_export"[\s\S]*?name="version" value="(\d+)"/.exec(settings)![1];
    const granted = await admin.post('/admin/settings/customer_export', {
      admin: 'on',
      manager: 'on',
      sales: 'on',
      version: exportVersion,
    });
    expect(granted.status).toBe(303);
    const c = await signedIn(t, owner, 'zh-CN');
    const exported = await fetch(`${t.url}/customers/export?format=xlsx`, {
      headers: { cookie: `kehu.sid=${c.sessionId}` },
    });
    const content = Buffer.from(await exported.arrayBuffer());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(content).buffer);
    const [headers, cells] = [1, 2].map((n) => (book.worksheets[0].getRow(n).values as unknown[]).slice(1));
    const cell = (header: string) => cells[headers.indexOf(header)];
    expect([
      cell('客户类型'),
      cell('行业'),
      cell('客户级别'),
      cell('VIP'),
      cell('来源'),
      cell('状态'),
    ]).toEqual(['企业', '制造业', 'A 级', '是', '转介绍', '潜在客户']);
    await t.db.query('UPDATE customer SET deleted_at = now() WHERE id = $1', [a]);
    const id = await uploadAndCheck(t.db, c, 'customers.xlsx', content);
    expect(await runAndWait(t.db, c, id)).toBe('done');
    const { rows } = await t.db.query(
      `SELECT c.kind, c.industry, c.tier, c.vip, c.source, c.status, c.tags, c.province, c.owner_id, ct.mobile, ct.email
         FROM customer c JOIN contact ct ON ct.customer_id = c.id
        WHERE c.name = '北京华信科技有限公司' AND c.deleted_at IS NULL`,
    );
    expect(rows).toEqual([
      {
        kind: 'company',
        industry: 'C',
        tier: 'A',
        vip: true,
        source: 'referral',
        status: 'prospect',
        tags: ['重点客户', 'expo'],
        province: '北京市',
        owner_id: owner.id,
        mobile: '13812345678',
        email: 'wang@example.cn',
      },
    ]);
  });

  it('refreshes the planner’s statistics after a large import, not after a small one', async () => {
    const lastAnalyzed = async () => {
      const { rows } = await t.db.query(
        `SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'customer'`,
      );
      return rows[0].last_analyze as Date | null;
    };
    const c = await signedIn(t, rep);
    const small = await uploadAndCheck(t.db, c, 'small.csv', Buffer.from('客户名称\n统计小表有限公司'));
    expect(await runAndWait(t.db, c, small)).toBe('done');
    const before = await lastAnalyzed();
    expect(before).toBeNull();

    const names = Array.from({ length: 1_000 }, (_, i) => `Statistics Sample ${i} Ltd`);
    const large = await uploadAndCheck(t.db, c, 'large.csv', Buffer.from(['客户名称', ...names].join('\n')));
    expect(await runAndWait(t.db, c, large)).toBe('done');
    // Settled after the commit, so the page's "done" may come first.
    await eventually(async () => {
      const after = await lastAnalyzed();
      expect(after).not.toBeNull();
    });
  });

  it('stores nothing when the import fails part-way', async () => {
    // A database rule that breaks on the last row, after a first batch of customers was written.
    await t.db.query(`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Boom Ltd' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`);
    await t.db.query(
      `CREATE TRIGGER refuse_boom BEFORE INSERT ON customer FOR EACH ROW EXECUTE FUNCTION refuse_boom()`,
    );
    try {
      const firstHalf = Array.from({ length: 10_050 }, (_, i) => `First Half ${i} Ltd`);
      const csv = ['客户名称', ...firstHalf, 'Boom Ltd'].join('\n');
      const c = await signedIn(t, rep);
      const id = await uploadAndCheck(t.db, c, 'two.csv', Buffer.from(csv));
      expect(await runAndWait(t.db, c, id)).toBe('failed');
      // The first 10,000 customers had been written when the rule broke.
      const progress = await t.db.query('SELECT progress FROM customer_import WHERE id = $1', [id]);
      expect(progress.rows[0].progress).toBe(10_000);
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM customer WHERE name LIKE 'First Half %' OR name = 'Boom Ltd'`,
      );
      expect(rows[0].n).toBe(0);
      const page = visibleText((await c.get(`/customers/import/${id}`)).text);
      expect(page).toContain('Nothing of it was saved.');
      expect(page).not.toContain('boom');
    } finally {
      await t.db.query('DROP TRIGGER refuse_boom ON customer');
      await t.db.query('DROP FUNCTION refuse_boom()');
    }
  });

  it('does not let a rep import a copy of another rep’s customer found by e-mail, nor a repeated code', async () => {
    const theirs = await createCustomer(t.db, { ownerId: other.id, name: '深圳市腾飞网络科技有限公司' });
    await t.db.query(
      `INSERT INTO contact (customer_id, name, email, version) VALUES ($1, '赵六', 'zhao@tengfei.cn', 1)`,
      [theirs],
    );
    const csv = [
      '客户名称,邮箱,统一社会信用代码',
      '腾飞网络科技发展有限公司,zhao@tengfei.cn,',
      'Code One Ltd,,91350100M000100Y43',
      'Code Two Ltd,,91350100M000100Y43',
    ].join('\n');
    const c = await signedIn(t, rep, 'en');
    const id = await uploadAndCheck(t.db, c, 'copies.csv', Buffer.from(csv));
    const page = await c.get(`/customers/import/${id}`);
    const preview = visibleText(page.text);
    expect(preview).toContain('深圳市腾飞网络科技有限公司');
    expect(preview).toContain('same as row 3 of this file');
    // The other rep's customer is offered no choice, and the page says why.
    expect(preview).toContain("Another rep's customer: skipped.");
    expect(page.text).not.toContain('name="row[r2]"');
    expect(await runAndWait(t.db, c, id, { duplicates: 'create' })).toBe('done');
    const { rows } = await t.db.query(
      `SELECT name FROM customer WHERE name LIKE '%腾飞%' OR name LIKE 'Code % Ltd' ORDER BY name`,
    );
    expect(rows.map((r) => r.name)).toEqual(['Code One Ltd', '深圳市腾飞网络科技有限公司']);
  });

  it('checks again at import time that an update is still allowed', async () => {
    const mine = await createCustomer(t.db, { ownerId: rep.id, name: '温州瑞丰电子有限公司' });
    const csv = ['客户名称,地址', '温州瑞丰电子有限公司,人民路 8 号'].join('\n');
    const c = await signedIn(t, rep);
    const id = await uploadAndCheck(t.db, c, 'update.csv', Buffer.from(csv));
    await t.db.query('UPDATE customer SET owner_id = $2 WHERE id = $1', [mine, other.id]);
    expect(await runAndWait(t.db, c, id, { duplicates: 'update' })).toBe('done');
    const { rows } = await t.db.query('SELECT address FROM customer WHERE id = $1', [mine]);
    expect(rows[0].address).toBeNull();
  });

  it('keeps no file from an upload that was refused', async () => {
    const dir = join(t.config.dataDir, 'imports');
    const before = readdirSync(dir).length;
    const guest = new Client(t.url);
    expect((await guest.upload('/customers/import', { name: 'x.csv', content: '客户名称\nA' })).status).toBe(
      401,
    );
    const c = await signedIn(t, rep);
    expect(
      (await c.upload('/customers/import', { name: 'x.csv', content: '客户名称\nA' }, { _csrf: 'forged' }))
        .status,
    ).toBe(403);
    expect((await c.upload('/customers/import', { name: 'x.pdf', content: '%PDF' })).status).toBe(422);
    expect(readdirSync(dir).length).toBe(before);
  });

  it('refuses an empty file, a file that is not a spreadsheet, and one that is too large', async () => {
    const c = await signedIn(t, rep);
    await c.get('/customers/import');
    const empty = await c.upload('/customers/import', { name: 'empty.csv', content: '' });
    expect(empty.status).toBe(422);
    expect(visibleText(empty.text)).toContain('The file is empty.');
    const none = await c.post('/customers/import', {});
    expect(none.status).toBe(422);
    expect(visibleText(none.text)).toContain('Choose a file to import.');
    const headerOnly = await c.upload('/customers/import', {
      name: 'header.csv',
      content: '客户名称,手机\n,\n',
    });
    expect(headerOnly.status).toBe(422);
    expect(visibleText(headerOnly.text)).toContain('The file has a header row but no customers below it.');
    const pdf = await c.upload('/customers/import', { name: 'report.pdf', content: '%PDF-1.4' });
    expect(pdf.status).toBe(422);
    expect(visibleText(pdf.text)).toContain('This is not a spreadsheet Kehu can read.');
    const fake = await c.upload('/customers/import', { name: 'fake.xlsx', content: 'name,mobile\nA,1' });
    expect(fake.status).toBe(422);
    const big = await c.upload('/customers/import', { name: 'big.csv', content: Buffer.alloc(300_000, 'a') });
    expect(big.status).toBe(413);
    expect(visibleText(big.text)).toContain('The upload is too large.');
  });

  it('is not for service agents', async () => {
    const agent = await createUser(t.db, { role: 'service' });
    const c = await signedIn(t, agent);
    expect((await c.get('/customers/import')).status).toBe(403);
  });
});
