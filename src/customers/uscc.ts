import { foldWidth } from './fold.js';

/**
 * 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015: 18 characters from a 31-letter
 * alphabet (no I, O, Z, S, V); the last is a check character over the first 17.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$/;

/**
 * Folds full-width forms, upper-cases and strips spaces and dashes, so a code typed with spaces, in
 * lower case or in full-width characters still matches.
 */
export function normalizeUscc(input: string): string {
  return foldWidth(input)
    .replace(/[\s\-–—]/g, '')
    .toUpperCase();
}

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  return ALPHABET[(31 - (sum % 31)) % 31];
}

export function isValidUscc(code: string): boolean {
  if (!SHAPE.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

/**
 * What is wrong with a (normalised) code, as a locale key, or null when it is valid: not 18
 * characters, a character no code uses, or a check character that does not match (a typo).
 */
export function usccProblem(code: string): string | null {
  if (code.length !== 18) return 'validation.uscc_length';
  if (!SHAPE.test(code)) return 'validation.uscc_chars';
  return isValidUscc(code) ? null : 'validation.uscc_check';
}
