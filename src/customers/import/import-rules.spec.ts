import { describe, expect, it } from 'vitest';
import { sheetHeaders } from '../customer-sheet.js';
import { cellText, guessMapping, IMPORT_FIELDS, readRow } from './import-rules.js';

describe('guessMapping', () => {
  it('recognises the export’s own headers in both languages', () => {
    expect(guessMapping(sheetHeaders('zh-CN'))).toEqual(IMPORT_FIELDS);
    expect(guessMapping(sheetHeaders('en'))).toEqual(IMPORT_FIELDS);
  });

  it('recognises the words people use, and ignores what it does not know', () => {
    expect(
      guessMapping([
        '公司名称',
        '联系人',
        '手机号码',
        '电话',
        '邮箱',
        '地区',
        '省',
        '市',
        '区',
        '地址',
        '统一社会信用代码',
        '客户级别',
        '负责人',
      ]),
    ).toEqual([
      'name',
      'contactName',
      'contactMobile',
      'contactPhone',
      'contactEmail',
      '',
      'province',
      'city',
      'district',
      'address',
      'uscc',
      'tier',
      'owner',
    ]);
  });

  it('uses a field once', () => {
    expect(guessMapping(['客户名称', '公司名称'])).toEqual(['name', '']);
  });
});

describe('readRow', () => {
  const mapping = [
    'name',
    'contactMobile',
    'tier',
    'status',
    'industry',
    'vip',
    'birthday',
    'uscc',
    'contactEmail',
  ];

  it('normalises what Excel hands over: mobiles as numbers, labels in either language, date serials', () => {
    const { values, errors } = readRow(
      [
        '北京华信科技有限公司',
        8613812345678,
        'A级',
        '潜在客户',
        'IT and software',
        '是',
        45000,
        '91350100M000100Y43',
        'Wang@Example.CN',
      ],
      mapping,
    );
    expect(errors).toEqual({});
    expect(values).toEqual({
      name: '北京华信科技有限公司',
      contactMobile: '13812345678',
      tier: 'A',
      status: 'prospect',
      industry: 'I',
      vip: true,
      birthday: '2023-03-15',
      uscc: '91350100M000100Y43',
      contactEmail: 'wang@example.cn',
    });
  });

  it('says which cell is wrong and which rule it breaks; an unknown option is no error but kept to be mapped', () => {
    const { values, errors } = readRow(
      ['', '12345', 'Z', 'lead', 'it', 'maybe', 'soon', 'XYZ', 'not-mail'],
      mapping,
    );
    expect(errors).toEqual({
      name: 'validation.required',
      contactMobile: 'validation.mobile_length',
      vip: 'validation.invalid',
      birthday: 'validation.isDate',
      uscc: 'validation.uscc_length',
      contactEmail: 'validation.isEmail',
    });
    expect(values.tier).toBeNull();
    expect(values.unknown).toEqual({ tier: 'Z' });
  });

  it('takes the export’s apostrophe off a formula-looking cell, and never evaluates it', () => {
    expect(cellText('\'=HYPERLINK("x")')).toBe('=HYPERLINK("x")');
    expect(readRow(['=1+1'], ['name']).values.name).toBe('=1+1');
  });
});
