import { describe, expect, it } from 'vitest';
import { duplicateKey, isChinesePair, searchText } from './customer-keys.js';

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
  it('holds the name, its pinyin and its initials', () => {
    const text = searchText('北京华信科技有限公司');
    expect(text).toContain('北京华信科技有限公司');
    expect(text).toContain('beijinghuaxin');
    expect(text).toContain('bjhx');
  });

  it('marks every pair of Chinese characters for two-character searches', () => {
    const text = searchText('北京华信科技');
    expect(text).toContain('华信~');
    expect(text).toContain('北京~');
    expect(isChinesePair('华信')).toBe(true);
    expect(isChinesePair('bj')).toBe(false);
    expect(isChinesePair('华信科')).toBe(false);
  });

  it('reads polyphonic characters in context', () => {
    expect(searchText('重庆银行')).toContain('chongqingyinhang');
  });

  it('keeps Latin letters and digits as they are, lower-cased', () => {
    expect(searchText('ABC 科技 2号')).toContain('abc');
  });
});
