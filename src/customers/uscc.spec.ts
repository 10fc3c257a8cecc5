import { describe, expect, it } from 'vitest';
import { isValidUscc, normalizeUscc, usccCheckChar } from './uscc.js';

/*
 * Every expected check character below is worked out by hand with GB 32100-2015, not with the code
 * under test. Character values: 0–9 are themselves, then A10 B11 C12 D13 E14 F15 G16 H17 J18 K19
 * L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30 (no I, O, S, V, Z). Weights of positions 1–17:
 * 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28. Check character = the one worth 31 − (Σ mod 31),
 * and 0 when that is 31.
 */
const PUBLISHED = [
  // 北京百度网讯科技有限公司, 91110000802100433B:
  // 9·1 + 1·3 + 1·9 + 1·27 + 0 + 0 + 0 + 0 + 8·20 + 0·29 + 2·25 + 1·13 + 0·8 + 0·24 + 4·10 + 3·30 + 3·28
  // = 9 + 3 + 9 + 27 + 160 + 50 + 13 + 40 + 90 + 84 = 485; 485 mod 31 = 20; 31 − 20 = 11 → B.
  { company: '北京百度网讯科技有限公司', code: '91110000802100433B' },
  // 华为技术有限公司, 914403001922038216:
  // 9 + 3 + 4·9 + 4·27 + 0 + 3·26 + 0 + 0 + 1·20 + 9·29 + 2·25 + 2·13 + 0 + 3·24 + 8·10 + 2·30 + 1·28
  // = 9 + 3 + 36 + 108 + 78 + 20 + 261 + 50 + 26 + 72 + 80 + 60 + 28 = 831; 831 mod 31 = 25; 31 − 25 = 6.
  { company: '华为技术有限公司', code: '914403001922038216' },
  // 腾讯科技（深圳）有限公司, 9144030071526726XG:
  // 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 7·20 + 1·29 + 5·25 + 2·13 + 6·8 + 7·24 + 2·10 + 6·30 + X(29)·28
  // = 234 + 140 + 29 + 125 + 26 + 48 + 168 + 20 + 180 + 812 = 1782; 1782 mod 31 = 15; 31 − 15 = 16 → G.
  { company: '腾讯科技（深圳）有限公司', code: '9144030071526726XG' },
  // 小米科技有限责任公司, 91110108551385082Q:
  // 9 + 3 + 9 + 27 + 0 + 1·26 + 0 + 8·17 + 5·20 + 5·29 + 1·25 + 3·13 + 8·8 + 5·24 + 0 + 8·30 + 2·28
  // = 48 + 26 + 136 + 100 + 145 + 25 + 39 + 64 + 120 + 240 + 56 = 999; 999 mod 31 = 7; 31 − 7 = 24 → Q.
  { company: '小米科技有限责任公司', code: '91110108551385082Q' },
  // 比亚迪股份有限公司, 91440300192317458F:
  // 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 1·20 + 9·29 + 2·25 + 3·13 + 1·8 + 7·24 + 4·10 + 5·30 + 8·28
  // = 234 + 20 + 261 + 50 + 39 + 8 + 168 + 40 + 150 + 224 = 1194; 1194 mod 31 = 16; 31 − 16 = 15 → F.
  { company: '比亚迪股份有限公司', code: '91440300192317458F' },
];

describe('USCC (GB 32100-2015)', () => {
  it.each(PUBLISHED)(
    'accepts the published code of $company and computes its check character',
    ({ code }) => {
      expect(isValidUscc(code)).toBe(true);
      expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
    },
  );

  it('accepts the standard’s example code', () => {
    // 9 + 3 + 3·9 + 5·27 + 0 + 1·26 + 0 + 0 + M(21)·20 + 0 + 0 + 0 + 1·8 + 0 + 0 + Y(30)·30 + 4·28
    // = 200 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
  });

  it('gives 0, not the 31st character, when the sum is a multiple of 31', () => {
    // 9 + 3 + 3·9 + 5·27 + 0 + 1·26 + 0 … 0 + F(15)·28 = 200 + 420 = 620 = 20·31; 31 − 0 = 31 → 0.
    expect(usccCheckChar('9135010000000000F')).toBe('0');
    expect(isValidUscc('9135010000000000F0')).toBe(true);
  });

  it.each([
    // One character changed: the check character, or one before it (a change of d at a position of
    // weight w moves the sum by d·w, never a multiple of the prime 31, so every such typo is caught).
    ['91110000802100433C', 'check character'],
    ['914403001922038217', 'check character'],
    ['9144030071526726XH', 'check character'],
    ['91110108551385083Q', 'a digit of the body'],
    ['91440300192317459F', 'a digit of the body'],
    ['91110000802100434B', 'a digit of the body'],
    ['92110000802100433B', 'the registering authority'],
  ])('refuses %s, a published code with its %s changed', (code) => {
    expect(isValidUscc(code)).toBe(false);
  });

  it('refuses a wrong length and letters outside the alphabet', () => {
    expect(isValidUscc('91110000802100433')).toBe(false);
    expect(isValidUscc('91110000802100433BB')).toBe(false);
    // I, O, S, V and Z are not in the alphabet, even where the sum would work out.
    expect(isValidUscc('91350100M000100I43')).toBe(false);
    expect(isValidUscc('9135010OM000100Y43')).toBe(false);
    // Positions 3–8 (the region code) are digits only.
    expect(isValidUscc('9135010AM000100Y43')).toBe(false);
  });

  it('normalises spaces, dashes and case', () => {
    expect(normalizeUscc(' 913501-00m000 100y43 ')).toBe('91350100M000100Y43');
    expect(isValidUscc(normalizeUscc('9144 0300 7152 6726 xg'))).toBe(true);
  });
});
