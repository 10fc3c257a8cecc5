import { describe, expect, it } from 'vitest';
import { mobileProblem, normalizeMobile, normalizePhone } from './phone.js';

describe('normalizeMobile', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['0086-13812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    [8613812345678, '13812345678'],
    [13812345678, '13812345678'],
    // Full-width digits and plus, and +86 in brackets of either width, as ledgers hold them.
    ['１３８１２３４５６７８', '13812345678'],
    ['＋８６ １３８ １２３４ ５６７８', '13812345678'],
    ['（+86）13812345678', '13812345678'],
    ['(+86) 138-1234-5678', '13812345678'],
    ['（＋８６）１３８－１２３４－５６７８', '13812345678'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeMobile(input)).toBe(expected);
  });

  it.each(['12345', '1381234567', '23812345678', '12812345678', '+1 415 555 0100', ''])(
    'refuses %s',
    (input) => {
      expect(normalizeMobile(input)).toBeNull();
    },
  );
});

describe('normalizePhone', () => {
  it.each([
    ['010-12345678', '010-12345678'],
    ['010 12345678', '010-12345678'],
    ['(0755) 1234567', '0755-1234567'],
    ['0755-12345678-808', '0755-12345678-808'],
    ['+86 10 12345678', '010-12345678'],
    // Bracketed area codes split by China's real codes (010 and 02x three digits, the rest four).
    ['(010)85264435', '010-85264435'],
    ['（021）44082075', '021-44082075'],
    ['（０２１）４４０８２０７５', '021-44082075'],
    ['(0571)87654321', '0571-87654321'],
    ['(0755) 1234567', '0755-1234567'],
    // Spaced numbers, and extensions after 转, ext or a dash, kept.
    ['028 6720 4030', '028-67204030'],
    ['010-8526 4435 转 802', '010-85264435-802'],
    ['(010)85264435转802', '010-85264435-802'],
    ['0755-12345678 ext. 12', '0755-12345678-12'],
    ['0755-12345678 EXT12', '0755-12345678-12'],
    ['02867204030', '028-67204030'],
    ['057187654321', '0571-87654321'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each(['12345678', '010-123', 'phone', '010-85264435 转 8021234', '13812345678'])(
    'refuses %s',
    (input) => {
      expect(normalizePhone(input)).toBeNull();
    },
  );
});

describe('mobileProblem', () => {
  it('tells a number too short or too long from one with a wrong prefix', () => {
    expect(mobileProblem('1381234567')).toBe('validation.mobile_length');
    expect(mobileProblem('138123456789')).toBe('validation.mobile_length');
    expect(mobileProblem('23812345678')).toBe('validation.mobile_prefix');
    expect(mobileProblem('12812345678')).toBe('validation.mobile_prefix');
    expect(mobileProblem('call me')).toBe('validation.mobile');
    expect(mobileProblem('＋８６１３８１２３４５６７８')).toBeNull();
  });
});
