import { describe, expect, it } from 'vitest';
import { isValidUscc, normalizeUscc, usccCheckChar } from './uscc.js';

describe('USCC (GB 32100-2015)', () => {
  it('accepts the standard’s example code', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
  });

  it('computes the check character, including the wrap to 0', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    // Find a body whose check character is 0 to cover the (31 - 0) % 31 case.
    const body = Array.from(
      { length: 31 },
      (_, i) => `9135010000000000${'0123456789ABCDEFGHJKLMNPQRTUWXY'[i]}`,
    ).find((b) => usccCheckChar(b) === '0');
    expect(body && isValidUscc(body + '0')).toBe(true);
  });

  it('refuses a wrong check character, a wrong length and letters outside the alphabet', () => {
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('91350100M000100Y4')).toBe(false);
    expect(isValidUscc('91350100M000100I43')).toBe(false);
    expect(isValidUscc('9135010AM000100Y43')).toBe(false);
  });

  it('normalises spaces, dashes and case', () => {
    expect(normalizeUscc(' 913501-00m000 100y43 ')).toBe('91350100M000100Y43');
  });
});
