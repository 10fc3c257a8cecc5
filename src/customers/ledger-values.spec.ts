import { describe, expect, it } from 'vitest';
import { INDUSTRIES, readTier } from './customer.options.js';
import { normalizeUscc, usccCheckChar, usccProblem } from './uscc.js';

describe('readTier', () => {
  it.each([
    ['A', 'A'],
    ['a', 'A'],
    ['Ａ', 'A'],
    ['A类', 'A'],
    ['B 类', 'B'],
    ['Ｃ类', 'C'],
    ['A级', 'A'],
    ['b级', 'B'],
    ['A类客户', 'A'],
    ['C级客户', 'C'],
  ])('%s → %s', (input, expected) => {
    expect(readTier(input)).toBe(expected);
  });

  it.each(['D', 'D类', 'AA', '', '重要'])('names no tier: %s', (input) => {
    expect(readTier(input)).toBeNull();
  });
});

describe('normalizeUscc and usccProblem', () => {
  const body = '91110105MA01ABCD0';
  const code = body + usccCheckChar(body);

  it('folds full-width characters, spaces and case', () => {
    const wide = Array.from(code.toLowerCase(), (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(
      '',
    );
    expect(normalizeUscc(wide)).toBe(code);
    expect(usccProblem(normalizeUscc(wide))).toBeNull();
  });

  it('says which rule a code breaks', () => {
    expect(usccProblem(code.slice(0, 17))).toBe('validation.uscc_length');
    expect(usccProblem(code.slice(0, 17) + 'I')).toBe('validation.uscc_chars');
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    expect(usccProblem(wrong)).toBe('validation.uscc_check');
  });
});

describe('INDUSTRIES', () => {
  it('are the 20 sections of GB/T 4754-2017, A to T', () => {
    expect(INDUSTRIES.join('')).toBe('ABCDEFGHIJKLMNOPQRST');
  });
});
