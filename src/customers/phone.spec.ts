import { describe, expect, it } from 'vitest';
import { normalizeMobile, normalizePhone } from './phone.js';

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
  ])('%s → %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each(['12345678', '010-123', 'phone'])('refuses %s', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });
});
