import { ValidationFailed, type FieldErrors } from '../common/errors.js';
import { type Fen, fen, readMoney, splitByRatios, sumMoney, toNumeric } from '../common/money.js';

/**
 * A contract's lines as exact numbers: quantities in thousandths (1.5 吨 is 1500), prices and totals
 * in fen. A line total is quantity × unit price rounded half up to the fen (as PostgreSQL's round(),
 * which the line table's check uses), computed in bigint; the contract's amount is their exact sum.
 */

/** A line as typed: the text of each field. */
export interface LineInput {
  item: string | null;
  specification: string | null;
  unit: string | null;
  quantity: string | null;
  unitPrice: string | null;
}

/** A line read exactly, ready to store. */
export interface ExactLine {
  position: number;
  item: string;
  specification: string | null;
  unit: string | null;
  /** numeric(12,3) text: "1.500" */
  quantity: string;
  unitPrice: Fen;
  lineTotal: Fen;
}

/** The largest quantity numeric(12,3) holds, in thousandths. */
const MAX_QUANTITY = 999_999_999_999;

/** A quantity as typed ("3", "1.5", "１,200") in thousandths, or the locale key of what is wrong. */
export function readQuantity(input: string | null): number | { problem: string } {
  const s = (input ?? '').normalize('NFKC').replace(/[\s,]/g, '');
  if (s === '') return { problem: 'validation.required' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { problem: 'contract.quantity_invalid' };
  const decimals = m[2] ?? '';
  if (decimals.length > 3 && /[^0]/.test(decimals.slice(3))) return { problem: 'contract.quantity_decimals' };
  const digits = m[1].replace(/^0+(?=\d)/, '');
  if (digits.length > 9) return { problem: 'contract.quantity_invalid' };
  const value = Number(digits) * 1000 + Number(decimals.slice(0, 3).padEnd(3, '0'));
  if (value === 0) return { problem: 'contract.quantity_invalid' };
  return value > MAX_QUANTITY ? { problem: 'contract.quantity_invalid' } : value;
}

/** Thousandths as numeric(12,3) text: 1500 → "1.500". */
export function quantityText(thousandths: number): string {
  return `${Math.trunc(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`;
}

/** A quantity as people read it: "1.500" → "1.5", "3.000" → "3". */
export function shortQuantity(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** quantity × unit price, rounded half up to the fen. */
export function lineTotal(thousandths: number, unitPrice: Fen): Fen {
  const product = BigInt(thousandths) * BigInt(unitPrice);
  return fen(Number((product + 500n) / 1000n));
}

/**
 * The typed lines read exactly, numbered from 1, or ValidationFailed naming each wrong field
 * (`lines.2.unitPrice`): a missing item, a quantity that is not a positive number, a price that is
 * not an amount or is negative, a total too large. No line at all is refused as `lines`.
 */
export function readLines(inputs: LineInput[]): { lines: ExactLine[]; amount: Fen } {
  if (!inputs.length) throw ValidationFailed.field('lines', 'contract.lines_required');
  const errors: FieldErrors = {};
  const lines: ExactLine[] = [];
  inputs.forEach((input, i) => {
    const at = (field: string, key: string) => (errors[`lines.${i}.${field}`] = [{ key }]);
    if (!input.item) at('item', 'validation.required');
    const quantity = readQuantity(input.quantity);
    if (typeof quantity !== 'number') at('quantity', quantity.problem);
    const price = readMoney(input.unitPrice ?? '');
    if ('problem' in price) at('unitPrice', price.problem);
    else if (price.fen < 0) at('unitPrice', 'contract.price_negative');
    if (typeof quantity !== 'number' || 'problem' in price || price.fen < 0 || !input.item) return;
    const total = lineTotal(quantity, price.fen);
    if (total > 99_999_999_999_999) return void at('unitPrice', 'validation.moneyRange');
    lines.push({
      position: i + 1,
      item: input.item,
      specification: input.specification,
      unit: input.unit,
      quantity: quantityText(quantity),
      unitPrice: price.fen,
      lineTotal: total,
    });
  });
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  const amount = sumMoney(lines.map((l) => l.lineTotal));
  if (amount > 99_999_999_999_999) throw ValidationFailed.field('lines', 'validation.moneyRange');
  return { lines, amount };
}

/** A stored line as its form's inputs take it. */
export function lineValues(l: Omit<ExactLine, 'position' | 'lineTotal'>): LineInput {
  return {
    item: l.item,
    specification: l.specification,
    unit: l.unit,
    quantity: shortQuantity(l.quantity),
    unitPrice: toNumeric(l.unitPrice),
  };
}

/**
 * The lines a form sent, as text only (the typed values a refused form shows again), or null if it
 * sent none: `lines[0][item]…` arrives as an array, or past twenty as an object by index.
 */
export function typedLines(input: unknown): LineInput[] | null {
  if (input === null || typeof input !== 'object') return null;
  const rows = Array.isArray(input)
    ? input
    : Object.entries(input as Record<string, unknown>)
        .filter(([k]) => /^\d+$/.test(k))
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, v]) => v);
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return rows
    .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object')
    .map((r) => ({
      item: text(r.item),
      specification: text(r.specification),
      unit: text(r.unit),
      quantity: text(r.quantity),
      unitPrice: text(r.unitPrice),
    }));
}

/** The form's line rows: the lines given, then empty rows to type more in (at least `min` rows in all). */
export function formRows(lines: LineInput[], spare = 2, min = 3): LineInput[] {
  const empty = { item: null, specification: null, unit: null, quantity: null, unitPrice: null };
  const n = Math.max(lines.length + spare, min);
  return Array.from({ length: n }, (_, i) => lines[i] ?? { ...empty });
}

/** An accepted quote as a contract takes it over: its total to pay and its lines as priced in it. */
export interface QuoteToCarry {
  total: Fen;
  lines: {
    itemName: string;
    specification: string | null;
    unit: string | null;
    quantity: string;
    lineTotal: Fen;
  }[];
}

/**
 * The lines of a contract made from an accepted quote. A contract states what the customer pays, so
 * its amount is the quote's total (after the line and overall discounts, tax included) to the fen:
 * the total is shared among the lines in proportion to their totals in the quote (largest remainder,
 * so the shares add up exactly). Each line keeps its quantity, at the unit price in fen that comes
 * nearest its share from below; the few fen those prices leave go to the largest priced line of
 * quantity 1, whose price can take any amount. Without such a line, the largest line becomes one lot
 * (its quantity and unit written into the specification) and takes them, so no fen is lost or
 * invented.
 */
export function linesFromQuote(quote: QuoteToCarry): LineInput[] {
  if (!quote.lines.length) return [];
  const weights = quote.lines.map((l) => Math.max(0, l.lineTotal));
  const shares = weights.some((w) => w > 0)
    ? splitByRatios(quote.total, weights)
    : quote.lines.map((_, i) => (i === 0 ? quote.total : fen(0)));
  const priced = quote.lines.map((l, i) => {
    const quantity = readQuantity(l.quantity);
    if (typeof quantity !== 'number') return { line: l, share: shares[i], quantity: null, unitPrice: fen(0) };
    const unitPrice = fen(Number((BigInt(shares[i]) * 1000n) / BigInt(quantity)));
    return { line: l, share: shares[i], quantity, unitPrice };
  });
  const atQuantity = priced.filter((p) => p.quantity !== null);
  let left = sumMoney(atQuantity.map((p) => fen(p.share - lineTotal(p.quantity!, p.unitPrice))));
  // A free line (a share of nothing) stays free.
  const single = atQuantity
    .filter((p) => p.quantity === 1000 && p.share > 0)
    .sort((a, b) => b.share - a.share)[0];
  if (left > 0 && single) {
    single.unitPrice = fen(single.unitPrice + left);
    left = fen(0);
  }
  const lot = left > 0 ? atQuantity.toSorted((a, b) => b.share - a.share)[0] : undefined;
  return priced.map((p) => {
    if (p.quantity !== null && p !== lot)
      return {
        item: p.line.itemName,
        specification: p.line.specification,
        unit: p.line.unit,
        quantity: shortQuantity(quantityText(p.quantity)),
        unitPrice: toNumeric(p.unitPrice),
      };
    const lotText = `${shortQuantity(p.line.quantity)}${p.line.unit ?? ''}`;
    const price = p === lot ? fen(lineTotal(p.quantity!, p.unitPrice) + left) : p.share;
    return {
      item: p.line.itemName,
      specification: p.line.specification ? `${p.line.specification}（${lotText}）` : lotText,
      unit: null,
      quantity: '1',
      unitPrice: toNumeric(price),
    };
  });
}
