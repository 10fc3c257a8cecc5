import { type Fen, fen, MAX_FEN } from '../../common/money.js';

/**
 * A quote's figures, exact to the fen, from its lines (quantity × unit price, less the line's
 * discount), its overall discount and its tax rate. Pure functions; every rule has a hand-checked
 * case in quote-totals.spec.ts.
 *
 * Units, all whole numbers: amounts in fen (money.ts); quantities in thousandths (2.5 units is 2500,
 * as numeric(14,3) stores them); percentages in hundredths of a percent (12.5% is 1250, as numeric(5,2)
 * stores them). The arithmetic is in bigint, so no product is ever a float.
 *
 * Where the rounding happens (half up to the fen, all values being zero or more), and only there:
 * 1. each line's list amount (quantity × unit price) and each line's total (the list amount less the
 *    line discount, computed from the unrounded product: one rounding per line total);
 * 2. the overall discount amount (subtotal × overall discount);
 * 3. the tax: on the net for prices without tax (net × rate), or taken out of the total for prices
 *    with tax (total − total ÷ (1 + rate)).
 * Everything else is an exact sum or difference, so the figures always add up:
 *   subtotal = Σ line totals;  subtotal − discount = net (prices without tax) or total (with tax);
 *   net + tax = total.
 */

/** Quantities are held in thousandths: 1.5 units is 1500. */
export const QUANTITY_SCALE = 1000;
/** Percentages are held in hundredths of a percent: 12.5% is 1250, 100% is 10000. */
export const PERCENT_SCALE = 100;
export const HUNDRED_PERCENT = 100 * PERCENT_SCALE;

export interface QuoteLineFigures {
  /** Thousandths of a unit, > 0. */
  quantity: number;
  unitPrice: Fen;
  /** Hundredths of a percent, 0–10000. */
  discount: number;
}

export interface QuoteFigures {
  lines: QuoteLineFigures[];
  /** The overall discount on the subtotal, hundredths of a percent. */
  discount: number;
  /** Hundredths of a percent: 13% is 1300. */
  taxRate: number;
  /** Unit prices already include the tax (含税价): the tax is inside the total, not added to it. */
  pricesIncludeTax: boolean;
}

export interface QuoteTotals {
  /** Per line: its amount at list price and its total after the line discount. */
  lines: { list: Fen; total: Fen }[];
  /** Σ list amounts: what the lines cost at list price with no discount at all. */
  listTotal: Fen;
  /** Σ line totals. */
  subtotal: Fen;
  /** The overall discount's amount. */
  discountAmount: Fen;
  /** Without tax. */
  net: Fen;
  tax: Fen;
  /** What the customer pays: net + tax. */
  total: Fen;
}

/** a ÷ b rounded half up, for a ≥ 0 and b > 0. */
function roundHalfUp(a: bigint, b: bigint): bigint {
  if (a < 0n || b <= 0n) throw new RangeError('quote totals: rounding takes a ≥ 0 and b > 0');
  return (2n * a + b) / (2n * b);
}

function asFen(value: bigint): Fen {
  if (value > BigInt(MAX_FEN)) throw new RangeError('quote totals: an amount beyond numeric(14,2)');
  return fen(Number(value));
}

function checkPercent(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0 || value > HUNDRED_PERCENT)
    throw new RangeError(`quote totals: ${what} must be 0–100%`);
  return BigInt(value);
}

/** The quote's figures; throws on figures the forms refuse first (no lines, negative, over 100%). */
export function quoteTotals(q: QuoteFigures): QuoteTotals {
  if (!q.lines.length) throw new RangeError('quote totals: a quote has at least one line');
  const H = BigInt(HUNDRED_PERCENT);
  const lines = q.lines.map((l) => {
    if (!Number.isSafeInteger(l.quantity) || l.quantity <= 0)
      throw new RangeError('quote totals: a quantity is more than zero');
    if (!Number.isSafeInteger(l.unitPrice) || l.unitPrice < 0)
      throw new RangeError('quote totals: a unit price is zero or more');
    const product = BigInt(l.quantity) * BigInt(l.unitPrice); // fen × QUANTITY_SCALE
    const scale = BigInt(QUANTITY_SCALE);
    const keep = H - checkPercent(l.discount, 'a line discount');
    return {
      list: asFen(roundHalfUp(product, scale)),
      total: asFen(roundHalfUp(product * keep, scale * H)),
    };
  });
  const listTotal = asFen(lines.reduce((s, l) => s + BigInt(l.list), 0n));
  const subtotal = lines.reduce((s, l) => s + BigInt(l.total), 0n);
  const discountAmount = roundHalfUp(subtotal * checkPercent(q.discount, 'the discount'), H);
  const afterDiscount = subtotal - discountAmount;
  const rate = BigInt(q.taxRate);
  if (!Number.isSafeInteger(q.taxRate) || q.taxRate < 0 || q.taxRate > HUNDRED_PERCENT)
    throw new RangeError('quote totals: the tax rate must be 0–100%');
  let net: bigint;
  let tax: bigint;
  if (q.pricesIncludeTax) {
    net = roundHalfUp(afterDiscount * H, H + rate);
    tax = afterDiscount - net;
  } else {
    net = afterDiscount;
    tax = roundHalfUp(net * rate, H);
  }
  return {
    lines,
    listTotal,
    subtotal: asFen(subtotal),
    discountAmount: asFen(discountAmount),
    net: asFen(net),
    tax: asFen(tax),
    total: asFen(net + tax),
  };
}

/**
 * The quote's whole discount against list prices, lines and overall together, in hundredths of a
 * percent, rounded half up: list ¥1,000.00 sold for ¥830.00 is 1700 (17%). Nothing listed: 0.
 */
export function effectiveDiscount(t: Pick<QuoteTotals, 'listTotal' | 'subtotal' | 'discountAmount'>): number {
  if (t.listTotal === 0) return 0;
  const sold = BigInt(t.subtotal - t.discountAmount);
  const list = BigInt(t.listTotal);
  return Number(roundHalfUp((list - sold) * BigInt(HUNDRED_PERCENT), list));
}

/**
 * Whether the whole discount passes `threshold` (hundredths of a percent): compared exactly, not on
 * the rounded percentage, so 15.004% passes a 15% threshold and 15% exactly does not.
 */
export function passesThreshold(
  t: Pick<QuoteTotals, 'listTotal' | 'subtotal' | 'discountAmount'>,
  threshold: number,
): boolean {
  if (t.listTotal === 0) return false;
  const sold = BigInt(t.subtotal - t.discountAmount);
  const list = BigInt(t.listTotal);
  return (list - sold) * BigInt(HUNDRED_PERCENT) > BigInt(threshold) * list;
}

/**
 * The whole discount as the quote and its approval show it, in percent: to the hundredth, except
 * where that would show a discount just past `threshold` (hundredths of a percent) as the threshold
 * itself (15.004% as "15", waiting for approval at 15%): then to the thousandth, rounded up ("15.004").
 */
export function shownDiscount(
  t: Pick<QuoteTotals, 'listTotal' | 'subtotal' | 'discountAmount'>,
  threshold: number,
): string {
  const rounded = effectiveDiscount(t);
  if (rounded > threshold || !passesThreshold(t, threshold)) return shortDecimal(rounded, 2);
  const sold = BigInt(t.subtotal - t.discountAmount);
  const list = BigInt(t.listTotal);
  const thousandths = ((list - sold) * BigInt(HUNDRED_PERCENT * 10) + list - 1n) / list;
  return shortDecimal(Number(thousandths), 3);
}

// ---- Reading and writing the units as people type them and as PostgreSQL stores them ----

/** Why a typed quantity or percentage was refused: a locale key, usable as a field's error. */
export type FigureProblem =
  | 'validation.required'
  | 'quote.not_a_number'
  | 'quote.quantity_positive'
  | 'quote.quantity_decimals'
  | 'quote.quantity_range'
  | 'quote.percent_range'
  | 'quote.percent_decimals';

/** A decimal as typed (full-width digits folded, spaces and a trailing % dropped), or null. */
function decimalParts(input: string): { negative: boolean; whole: string; decimals: string } | null {
  const s = input
    .normalize('NFKC')
    .replace(/[\s\u00a0]+/g, '')
    .replace(/%$/, '');
  const m = /^([-−]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  return { negative: m[1] !== '', whole: m[2] || '0', decimals: m[3] ?? '' };
}

/** Scales a decimal's digits to whole units of 10^-places; null if it has more places (bar zeros). */
function scaled(whole: string, decimals: string, places: number): number | null {
  if (decimals.length > places && /[^0]/.test(decimals.slice(places))) return null;
  const digits = whole.replace(/^0+(?=\d)/, '') + decimals.slice(0, places).padEnd(places, '0');
  return digits.length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits);
}

/** A quantity in thousandths: more than zero, at most three decimals, below 100 billion units. */
export function readQuantity(input: string): { value: number } | { problem: FigureProblem } {
  if (input.trim() === '') return { problem: 'validation.required' };
  const p = decimalParts(input);
  if (!p) return { problem: 'quote.not_a_number' };
  const value = scaled(p.whole, p.decimals, 3);
  if (value === null) return { problem: 'quote.quantity_decimals' };
  if (p.negative || value === 0) return { problem: 'quote.quantity_positive' };
  if (value >= 10 ** 14) return { problem: 'quote.quantity_range' };
  return { value };
}

/** A percentage in hundredths: 0 to 100, at most two decimals; empty is 0 when `emptyIsZero`. */
export function readPercent(
  input: string,
  emptyIsZero = true,
): { value: number } | { problem: FigureProblem } {
  if (input.trim() === '') return emptyIsZero ? { value: 0 } : { problem: 'validation.required' };
  const p = decimalParts(input);
  if (!p) return { problem: 'quote.not_a_number' };
  const value = scaled(p.whole, p.decimals, 2);
  if (value === null) return { problem: 'quote.percent_decimals' };
  if ((p.negative && value !== 0) || value > HUNDRED_PERCENT) return { problem: 'quote.percent_range' };
  return { value };
}

/** Thousandths (or hundredths) as PostgreSQL's numeric text: 2500 → "2.500". */
export function toDecimal(value: number, places: 2 | 3): string {
  const unit = 10 ** places;
  return `${Math.trunc(value / unit)}.${String(value % unit).padStart(places, '0')}`;
}

/** A numeric's text ("2.500", "13.00", "13") in units of 10^-places. */
export function fromDecimal(text: string, places: 2 | 3): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`quote totals: not a decimal: ${text}`);
  const value = scaled(m[1], m[2] ?? '', places);
  if (value === null) throw new RangeError(`quote totals: more than ${places} places: ${text}`);
  return value;
}

/** As people read it: 2500 thousandths → "2.5", 1300 hundredths → "13", 1250 → "12.5". */
export function shortDecimal(value: number, places: 2 | 3): string {
  return toDecimal(value, places).replace(/\.?0+$/, '');
}
