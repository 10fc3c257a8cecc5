import { foldWidth } from './fold.js';

/**
 * A Chinese mobile number as 11 digits: full-width forms folded, spaces, dashes, dots and brackets
 * dropped, a +86 / 0086 / 86 prefix removed (also written (+86) or （+86）). Spreadsheets may hand it
 * over as a number (8613812345678). Null when it is not one.
 */
export function normalizeMobile(input: string | number): string | null {
  const digits = mobileDigits(input);
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/**
 * What is wrong with a mobile number, as a locale key, or null when it is one: not a number at all,
 * too short or too long, or 11 digits that no Chinese mobile starts with.
 */
export function mobileProblem(input: string | number): string | null {
  const digits = mobileDigits(input);
  if (/^1[3-9]\d{9}$/.test(digits)) return null;
  if (!/^\d+$/.test(digits)) return 'validation.mobile';
  if (digits.length !== 11) return 'validation.mobile_length';
  return 'validation.mobile_prefix';
}

function mobileDigits(input: string | number): string {
  const digits = foldWidth(String(input)).replace(/[\s\-–—().\u00a0]/g, '');
  return digits.replace(/^(\+86|0086)/, '').replace(/^86(?=1\d{10}$)/, '');
}

/**
 * Area codes of three digits with the 0: Beijing (010) and the 02x cities (020 Guangzhou, 021
 * Shanghai, 022 Tianjin, 023 Chongqing, 024 Shenyang, 025 Nanjing, 027 Wuhan, 028 Chengdu, 029
 * Xi'an). Every other area code has four (0755, 0571, …).
 */
const THREE_DIGIT_AREA = /^0(?:10|2\d)/;

/** An extension at the end: 转 802, 分机 802, ext. 802, x802, #802. */
const EXTENSION = /\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$/i;

/**
 * A landline with area code as 010-85264435 or 0755-1234567, with its extension after another dash
 * (010-85264435-802). Accepts what ledgers hold: full-width forms, the area code in brackets
 * ((010)85264435, （021）44082075), spaces or dashes anywhere (028 6720 4030, 010-8526-4435), a +86
 * prefix, and an extension after 转, ext or a dash. The area code is split by China's real codes,
 * never by where a bracket happens to close. Null when it is not one.
 */
export function normalizePhone(input: string): string | null {
  let s = foldWidth(input).trim();
  let extension: string | null = null;
  const ext = EXTENSION.exec(s);
  if (ext) {
    extension = ext[1];
    s = s.slice(0, ext.index);
  }
  s = s.replace(/^(?:\(\+?86\)|\+86|0086)[\s-]*/, '0').replace(/^00/, '0');
  const groups = s.split(/[\s\-–—.()\u00a0]+/).filter(Boolean);
  if (!groups.length || !groups.every((g) => /^\d+$/.test(g))) return null;
  const digits = groups.join('');
  if (!/^0[1-9]/.test(digits)) return null;
  const area = THREE_DIGIT_AREA.test(digits) ? 3 : 4;
  // The local number (7 or 8 digits) ends where a group ends; what follows is the extension.
  let end = 0;
  let localEnd = -1;
  for (const g of groups) {
    end += g.length;
    if (end - area >= 7 && end - area <= 8) {
      localEnd = end;
      break;
    }
  }
  if (localEnd < 0) return null;
  const rest = digits.slice(localEnd);
  if (rest && extension) return null;
  extension ??= rest || null;
  if (extension !== null && !/^\d{1,6}$/.test(extension)) return null;
  const number = `${digits.slice(0, area)}-${digits.slice(area, localEnd)}`;
  return extension ? `${number}-${extension}` : number;
}
