import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.js';

describe('normalizeEmail', () => {
  it.each([
    ['sun@example.cn', 'sun@example.cn'],
    [' Sun.Li@Example.COM.cn ', 'sun.li@example.com.cn'],
    ['ｓｕｎ＠ｑｑ．ｃｏｍ', 'sun@qq.com'],
    ['a+tag@mail-server.example.org', 'a+tag@mail-server.example.org'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each([
    'name@qq..com',
    'name.@qq.com',
    '.name@qq.com',
    'na..me@qq.com',
    'name@qq',
    'name@-qq.com',
    'name@qq.c',
    'a b@qq.com',
    'name@@qq.com',
    '@qq.com',
    'name',
  ])('refuses %s', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});
