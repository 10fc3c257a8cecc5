import { describe, expect, it } from 'vitest';
import { columnLetter, findHeaderRow, guessMapping, readRow, rowErrorText } from './import-rules.js';

describe('findHeaderRow', () => {
  it('passes over a ledger’s title rows to the row that names fields', () => {
    const rows = [
      { row: 1, texts: ['2026年客户台账'] },
      { row: 2, texts: ['制表：销售部', '', '2026-01-05'] },
      { row: 3, texts: ['序号', '客户名称', '联系人', '手机', '客户级别', '所属行业', '备注'] },
      { row: 4, texts: ['1', '杭州启明电子有限公司', '孙丽', '13600002222', 'A类', '制造', ''] },
    ];
    expect(findHeaderRow(rows)).toBe(3);
  });

  it('takes the first row when no row names a field', () => {
    expect(
      findHeaderRow([
        { row: 2, texts: ['x'] },
        { row: 3, texts: ['y'] },
      ]),
    ).toBe(2);
  });
});

describe('readRow on a real ledger’s values', () => {
  const mapping = ['name', 'contactMobile', 'contactPhone', 'tier', 'industry', 'contactEmail', 'notes'];

  it('accepts full-width mobiles, 类 tiers, bracketed landlines with extensions and colloquial industries', () => {
    const cases: [string, string, string, string, string, Record<string, string>][] = [
      [
        '１３８１２３４５６７８',
        '（010）85264435转802',
        'A类',
        '批发零售',
        'ａ＠ｑｑ．ｃｏｍ',
        {
          contactMobile: '13812345678',
          contactPhone: '010-85264435-802',
          tier: 'A',
          industry: 'F',
          contactEmail: 'a@qq.com',
        },
      ],
      [
        '（+86）13900001111',
        '028 6720 4030',
        'B类',
        '信息技术',
        'b@qq.com',
        { contactMobile: '13900001111', contactPhone: '028-67204030', tier: 'B', industry: 'I' },
      ],
      [
        '(+86)13700002222',
        '(021)44082075 ext 12',
        'c',
        '房地产',
        '',
        { contactPhone: '021-44082075-12', tier: 'C', industry: 'K' },
      ],
      [
        '＋８６ １３６ ００００ ０３３３',
        '0571-8765 4321',
        'Ｃ类客户',
        '文化传媒',
        '',
        { contactMobile: '13600000333', contactPhone: '0571-87654321', industry: 'R' },
      ],
    ];
    for (const [mobile, phone, tier, industry, email, expected] of cases) {
      const { values, errors } = readRow(['某公司', mobile, phone, tier, industry, email, '老客户'], mapping);
      expect(errors).toEqual({});
      expect(values).toMatchObject(expected);
      expect(values.notes).toBe('老客户');
    }
    for (const [word, code] of [
      ['物流运输', 'G'],
      ['餐饮酒店', 'H'],
      ['能源环保', 'D'],
      ['金融服务', 'J'],
      ['教育培训', 'P'],
      ['制造业', 'C'],
      ['manufacturing', 'C'],
      ['农、林、牧、渔业', 'A'],
    ]) {
      expect(readRow(['某公司', '', '', '', word, '', ''], mapping).values.industry).toBe(code);
    }
  });

  it('refuses name@qq..com with the form’s e-mail rule', () => {
    expect(readRow(['某公司', '', '', '', '', 'name@qq..com', ''], mapping).errors).toEqual({
      contactEmail: 'validation.isEmail',
    });
  });

  it('maps 备注 to the notes field', () => {
    expect(guessMapping(['客户名称', '备注'])).toEqual(['name', 'notes']);
  });
});

describe('rowErrorText', () => {
  it('names the column as the file has it, and the rule', () => {
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(25)).toBe('Z');
    expect(columnLetter(27)).toBe('AB');
    expect(
      rowErrorText('zh-CN', 'contactMobile', 'validation.mobile_length', { index: 3, header: '手机' }),
    ).toBe('第 D 列（手机）：手机：手机号应为 11 位，此号码位数不对。');
    expect(
      rowErrorText('en', 'contactMobile', 'validation.mobile_prefix', { index: 3, header: 'Mobile' }),
    ).toMatch(/^Column D \(Mobile\): Mobile: Has 11 digits, but no Chinese mobile number starts like this/);
  });
});
