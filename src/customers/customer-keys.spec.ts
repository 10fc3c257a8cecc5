import { describe, expect, it } from 'vitest';
import { duplicateKey, indexedPairs, lettersOf, searchText } from './customer-keys.js';

describe('duplicateKey', () => {
  it.each([
    ['北京华信科技有限公司', '华信科技'],
    ['华信科技（北京）有限公司', '华信科技'],
    ['华信科技(北京)有限公司', '华信科技'],
    ['华信科技北京有限公司', '华信科技'],
    ['华信科技深圳市分公司', '华信科技'],
    ['北京市华信科技股份有限公司', '华信科技'],
    ['ＨＵＡＸＩＮ　Ｔｅｃｈ', 'huaxintech'],
    ['深圳蓝海贸易集团有限公司', '蓝海贸易'],
    ['广东省深圳市蓝海贸易有限责任公司', '蓝海贸易'],
    ['Northwind Trading Co., Ltd.', 'northwindtrading'],
    ['Northwind Trading Inc', 'northwindtrading'],
    ['NORTHWIND TRADING GROUP', 'northwindtrading'],
    ['Costco', 'costco'],
    ['Tesco Stores Ltd', 'tescostores'],
  ])('%s → %s', (name, key) => {
    expect(duplicateKey(name)).toBe(key);
  });

  it('keeps a name that is only a place', () => {
    expect(duplicateKey('北京')).toBe('北京');
    expect(duplicateKey('北京市')).toBe('北京市');
  });
});

describe('searchText', () => {
  /** The tokens the search index holds: what follows the tab. */
  const tokens = (name: string) => searchText(name).split('\t')[1].split(' ');

  it('holds the name, its pinyin and its initials', () => {
    const text = searchText('北京华信科技有限公司').split('\t')[0];
    expect(text).toContain('北京华信科技有限公司');
    expect(text).toContain('beijinghuaxinkejiyouxiangongsi');
    expect(text).toContain('bjhxkjyxgs');
  });

  it('indexes every pair of Chinese characters but those of organisation forms', () => {
    const held = tokens('北京华信科技有限公司');
    expect(held).toEqual(expect.arrayContaining(['北京', '京华', '华信', '信科', '科技', '技有']));
    expect(held).not.toContain('有限');
    expect(held).not.toContain('公司');
    expect(indexedPairs('华信科技有限公司')).toEqual(['华信', '信科', '科技', '技有']);
    expect(indexedPairs('有限公司')).toEqual([]);
  });

  it('indexes the start of the pinyin and initials from each Chinese character and each word', () => {
    const held = tokens('北京华信科技有限公司');
    expect(held).toEqual(
      expect.arrayContaining([
        'beijingh',
        'bjhxkjyx',
        'huaxinke',
        'hxkjyxgs',
        'kejiyoux',
        'kjyxgs',
        'xkjyxgs',
      ]),
    );
    // The organisation form starts none: every name has one.
    expect(held.filter((t) => /^(you|xian|gong|si|yxgs|xgs|gs)/.test(t))).toEqual([]);
    // The place in brackets and its neighbours.
    expect(tokens('华信科技（北京）有限公司')).toEqual(
      expect.arrayContaining(['huaxinke', 'hxkjbjyx', 'kejibeij', 'beijingy', 'bjyxgs']),
    );
    expect(tokens('East Account Ltd')).toEqual(['eastacco', 'accountl', 'ltd']);
    expect(tokens('深圳蓝海贸易 07')).toEqual(
      expect.arrayContaining(['shenzhen', 'lanhaima', 'lhmy07', '07']),
    );
  });

  it('reads polyphonic characters in context', () => {
    expect(searchText('重庆银行')).toContain('chongqingyinhang');
  });

  it('keeps Latin letters and digits as they are, lower-cased and width-folded', () => {
    expect(searchText('ＡＢＣ 科技 2号')).toContain('abc 科技 2号');
    expect(tokens('ＡＢＣ 科技 2号')).toEqual(
      expect.arrayContaining(['abckeji2', 'abckj2h', 'keji2hao', '2hao']),
    );
  });

  it('reads a character pinyin does not know as itself', () => {
    expect(tokens('𠀀华信')).toEqual(expect.arrayContaining(['𠀀华', '华信', '𠀀huaxin', '𠀀hx']));
  });

  it('writes one line, whatever the spaces of the name', () => {
    expect(searchText('  华信\n\t科技  ').split('\t')).toHaveLength(2);
  });
});

describe('lettersOf', () => {
  it('keeps letters and digits', () => {
    expect(lettersOf('co.,ltd')).toBe('coltd');
    expect(lettersOf('010-8526')).toBe('0108526');
  });
});
