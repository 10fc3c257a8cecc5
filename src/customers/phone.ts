/**
 * A Chinese mobile number as 11 digits: spaces, dashes, dots and brackets dropped, a +86 / 0086 / 86
 * prefix removed. Spreadsheets may hand it over as a number (8613812345678). Null when it is not one.
 */
export function normalizeMobile(input: string | number): string | null {
  let digits = String(input).replace(/[\s\-().]/g, '');
  digits = digits.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** A landline with area code, e.g. 010-12345678 or 0755-1234567, optionally with an extension. */
export function normalizePhone(input: string): string | null {
  const s = input
    .trim()
    .replace(/^(\+86|0086)[\s-]?/, '0')
    .replace(/[\s.]/g, '-')
    .replace(/[()（）]/g, '');
  const m = /^(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?$/.exec(s.replace(/--+/g, '-'));
  if (!m) return null;
  return m[3] ? `${m[1]}-${m[2]}-${m[3]}` : `${m[1]}-${m[2]}`;
}
