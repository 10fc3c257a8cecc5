import type { ValueTransformer } from 'typeorm';
import { ValidationFailed } from './errors.js';

/**
 * Amounts of money in yuan (CNY), exact to the fen (分, 0.01 yuan).
 *
 * An amount is a whole number of fen held in a plain JavaScript number: ¥1,234.50 is 123450. Every
 * amount Kehu stores fits a PostgreSQL numeric(14,2), at most 999,999,999,999.99 yuan, which is
 * 99,999,999,999,999 fen, well inside Number.MAX_SAFE_INTEGER (about 9 × 10^15). Numbers, unlike
 * bigint, go through JSON, view models and Handlebars as they are; every operation here checks that
 * its result is still a safe integer and throws rather than round. No amount is ever a float of yuan:
 * input is parsed from text straight into fen, and numeric strings from the database likewise.
 */
export type Fen = number & { readonly __unit: 'fen' };

/** The largest amount a numeric(14,2) column holds, in fen. */
export const MAX_FEN = 99_999_999_999_999;

/** An integer count of fen as an amount; anything else (a float of yuan, NaN) is a bug and throws. */
export function fen(value: number): Fen {
  if (!Number.isSafeInteger(value)) throw new RangeError(`money: not a whole number of fen: ${value}`);
  return value as Fen;
}

/** Whole yuan as an amount: yuan(12) is ¥12.00. */
export function yuan(value: number): Fen {
  if (!Number.isSafeInteger(value)) throw new RangeError(`money: not a whole number of yuan: ${value}`);
  return fen(value * 100);
}

/** Why a typed amount was refused: a locale key, usable as a form field's error. */
export type MoneyProblem =
  'validation.required' | 'validation.money' | 'validation.moneyDecimals' | 'validation.moneyRange';

const CURRENCY_BEFORE = /^(?:¥|RMB|CNY)/i;
const CURRENCY_AFTER = /(?:元|RMB|CNY)$/i;
const GROUPED = /^\d{1,3}(?:,\d{3})+$/;

/**
 * Reads an amount as people type or paste it: "¥1,234.5", "1234.50", "１２３４．５" (full-width,
 * folded by NFKC, which also turns ￥ into ¥), "RMB 1 234.50", "-¥12", "12元". Thousands may be
 * grouped by commas or spaces, but only in threes. More than two decimals are refused unless the
 * extra ones are zeros ("1.500" is ¥1.50; "1.505" is not an amount of fen).
 */
export function readMoney(input: string): { fen: Fen } | { problem: MoneyProblem } {
  let s = input
    .normalize('NFKC')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
  if (s === '') return { problem: 'validation.required' };
  let negative = false;
  const takeSign = () => {
    const m = /^[-−]\s*/.exec(s);
    if (m && !negative) {
      negative = true;
      s = s.slice(m[0].length);
    }
  };
  takeSign();
  const before = CURRENCY_BEFORE.exec(s);
  if (before) s = s.slice(before[0].length).trimStart();
  takeSign();
  const after = CURRENCY_AFTER.exec(s);
  if (after) s = s.slice(0, -after[0].length).trimEnd();

  const m = /^([\d, ]*)(?:\.(\d*))?$/.exec(s);
  if (!m) return { problem: 'validation.money' };
  const whole = m[1].trim().replace(/ /g, ',');
  const decimals = m[2] ?? '';
  if (whole === '' && decimals === '') return { problem: 'validation.money' };
  if (whole.includes(',') && !GROUPED.test(whole)) return { problem: 'validation.money' };
  if (decimals.length > 2 && /[^0]/.test(decimals.slice(2))) return { problem: 'validation.moneyDecimals' };

  const digits = whole.replace(/,/g, '').replace(/^0+(?=\d)/, '');
  if (digits.length > 12) return { problem: 'validation.moneyRange' };
  const total = Number(digits || '0') * 100 + Number(decimals.slice(0, 2).padEnd(2, '0'));
  return { fen: fen(negative && total !== 0 ? -total : total) };
}

/**
 * An amount from a form field, zero or more, or a 422 that names the field: "Enter an amount in
 * yuan…", "At most two decimal places…", "An amount cannot be negative.". An empty field is
 * "required"; optional fields check for it first.
 */
export function parseMoney(input: string, field: string): Fen {
  const read = readMoney(input);
  if ('problem' in read) throw ValidationFailed.field(field, read.problem);
  if (read.fen < 0) throw ValidationFailed.field(field, 'validation.moneyNegative');
  return read.fen;
}

function checked(value: number): Fen {
  if (!Number.isSafeInteger(value)) throw new RangeError('money: the amount is too large to be exact');
  return value as Fen;
}

/** The sum of amounts, exact; throws if it could no longer be held exactly. */
export function sumMoney(amounts: Iterable<Fen>): Fen {
  let total = 0;
  for (const a of amounts) total = checked(total + fen(a));
  return total as Fen;
}

/**
 * `total` in `n` parts as equal as fen allow, summing exactly to it: ¥100.00 in 3 is ¥33.34, ¥33.33,
 * ¥33.33. The remainder goes one fen at a time to the first parts, so the same split always gives
 * the same parts. A negative total splits into negative parts the same way.
 */
export function split(total: Fen, n: number): Fen[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`money: cannot split into ${n} parts`);
  fen(total);
  const base = Math.trunc(total / n);
  const remainder = total - base * n;
  const step = Math.sign(remainder);
  return Array.from({ length: n }, (_, i) => (base + (i < Math.abs(remainder) ? step : 0)) as Fen);
}

/**
 * `total` shared in proportion to whole-number `ratios` (30/70, or the amounts of contract lines),
 * summing exactly to it. Each part is first rounded down; the fen left over go one each to the parts
 * that lost the most in rounding, the earlier part first among equals (the largest remainder
 * method). The arithmetic is in bigint, so a large total times a large ratio stays exact.
 */
export function splitByRatios(total: Fen, ratios: readonly number[]): Fen[] {
  fen(total);
  if (ratios.length === 0) throw new RangeError('money: no ratios to split by');
  if (ratios.some((r) => !Number.isSafeInteger(r) || r < 0))
    throw new RangeError('money: ratios must be whole numbers, zero or more');
  const weights = ratios.map(BigInt);
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new RangeError('money: the ratios add up to zero');
  const amount = BigInt(Math.abs(total));
  const parts = weights.map((w) => (amount * w) / sum);
  const lost = weights.map((w, i) => ({ i, rest: (amount * w) % sum }));
  let left = Number(amount - parts.reduce((a, b) => a + b, 0n));
  lost.sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  for (const { i } of lost) {
    if (left === 0) break;
    parts[i] += 1n;
    left--;
  }
  const sign = total < 0 ? -1 : 1;
  return parts.map((p) => (Number(p) * sign + 0) as Fen);
}

/** The amount as PostgreSQL writes a numeric(14,2): "1234.50", "-0.05". */
export function toNumeric(amount: Fen): string {
  fen(amount);
  const abs = Math.abs(amount);
  const text = `${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return amount < 0 ? `-${text}` : text;
}

/** A numeric as PostgreSQL returns it ("1234.50", "12", "-0.5") as an amount; never through a float. */
export function fromNumeric(value: string): Fen {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!m) throw new RangeError(`money: not a numeric amount of fen: ${value}`);
  const amount = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return checked(m[1] && amount !== 0 ? -amount : amount);
}

/**
 * Between an amount and a numeric(14,2) column:
 * `@Column({ type: 'numeric', precision: 14, scale: 2, transformer: moneyTransformer })`, or `@Column(moneyColumn())`.
 */
export const moneyTransformer: ValueTransformer = {
  to: (value: unknown) => {
    if (value === null || value === undefined) return value;
    if (typeof value === 'number') return toNumeric(value as Fen);
    throw new TypeError(`money: a money column takes an amount in fen, got ${typeof value}`);
  },
  from: (value: unknown) => {
    if (value === null || value === undefined) return value;
    if (typeof value === 'string') return fromNumeric(value);
    throw new TypeError(`money: a numeric column read as ${typeof value}`);
  },
};

/** The column options of an amount: numeric(14,2) read and written as fen. */
export function moneyColumn(options: { nullable?: boolean } = {}) {
  return {
    type: 'numeric' as const,
    precision: 14,
    scale: 2,
    transformer: moneyTransformer,
    nullable: options.nullable ?? false,
  };
}

/** "¥1,234.50", "-¥0.05": the same in English and Chinese pages. */
export function formatMoney(amount: Fen): string {
  const [whole, decimals] = toNumeric(amount).replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${amount < 0 ? '-' : ''}¥${grouped}.${decimals}`;
}

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['', '拾', '佰', '仟'];
const GROUPS = ['', '万', '亿'];

/** One group of up to four digits (0 < n < 10000) in capitals, a zero inside it read once as 零. */
function groupInWords(n: number): string {
  let out = '';
  let zero = false;
  for (let place = 3; place >= 0; place--) {
    const d = Math.trunc(n / 10 ** place) % 10;
    if (d === 0) {
      zero = out !== '';
    } else {
      if (zero) out += '零';
      out += DIGITS[d] + PLACES[place];
      zero = false;
    }
  }
  return out;
}

/**
 * The amount in Chinese capitals as written on invoices, contracts and cheques (人民币大写), following
 * the People's Bank of China rules for filling in payment documents (正确填写票据和结算凭证的基本规定):
 * ¥12,345.60 is 壹万贰仟叁佰肆拾伍元陆角整, ¥1,004.01 壹仟零肆元零壹分, ¥0.05 伍分.
 * - A leading 1 is written 壹拾 (¥15 is 壹拾伍元整); zeros between digits are one 零, also across
 *   万 and 亿 (¥100,001,000 is 壹亿零壹仟元整), and zeros at the end of the yuan are not read.
 * - 整 follows 元 or 角 when there is no 分; after 分 it is never written.
 * - When the 角 is 0 and 分 not, 零 follows 元 (¥325.04 is 叁佰贰拾伍元零肆分). When the yuan end in
 *   0 and 角 is not 0, the rules allow 零 or nothing; Kehu writes 零, the rules' first example
 *   (¥1,680.32 is 壹仟陆佰捌拾元零叁角贰分).
 * - A negative amount is preceded by 负; nothing at all is 零元整. The caller adds 人民币 where wanted.
 */
export function moneyInWords(amount: Fen): string {
  fen(amount);
  const abs = Math.abs(amount);
  const whole = Math.trunc(abs / 100);
  const jiao = Math.trunc(abs / 10) % 10;
  const fenDigit = abs % 10;
  if (whole >= 10 ** 12) throw new RangeError('money: too large to write in capitals');

  let words = '';
  let zero = false;
  for (let g = 2; g >= 0; g--) {
    const group = Math.trunc(whole / 10_000 ** g) % 10_000;
    if (group === 0) {
      zero = words !== '';
      continue;
    }
    if (words !== '' && (zero || group < 1000)) words += '零';
    words += groupInWords(group) + GROUPS[g];
    zero = false;
  }
  if (whole > 0) words += '元';

  if (jiao === 0 && fenDigit === 0) words += whole > 0 ? '整' : '零元整';
  else {
    if (whole > 0 && (jiao === 0 || whole % 10 === 0)) words += '零';
    if (jiao > 0) words += `${DIGITS[jiao]}角`;
    words += fenDigit > 0 ? `${DIGITS[fenDigit]}分` : '整';
  }
  return amount < 0 ? `负${words}` : words;
}
