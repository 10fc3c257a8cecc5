import { fen, formatMoney } from '../common/money.js';
import { translate } from '../i18n/i18n.js';
import type { Locale } from '../i18n/locales.js';
import { type Change, percent } from './kpi-formulas.js';
import type { KpiKind } from './kpis.js';

const grouped = new Intl.NumberFormat('en-US');

/** A KPI's value as text: counts grouped, money in yuan, rates in %, times in business minutes or days. */
export function formatKpi(locale: Locale, kind: KpiKind, v: number | null): string {
  if (v === null) return '—';
  switch (kind) {
    case 'count':
      return grouped.format(v);
    case 'money':
      return formatMoney(fen(v));
    case 'rate':
      return percent(v);
    case 'minutes':
      return translate(locale, 'dashboard.unit.minutes', { n: grouped.format(Math.round(v)) });
    case 'days':
      return translate(locale, 'dashboard.unit.days', { n: v.toFixed(1) });
    case 'score':
      return v.toFixed(2);
    case 'nps':
      return v.toFixed(1);
  }
}

/** The change against the previous period: ▲/▼ with the relative change, or points for rates and NPS. */
export function formatChange(locale: Locale, kind: KpiKind, c: Change): string {
  if (c.delta === null || c.direction === null) return '';
  const arrow = c.direction === 'up' ? '▲' : c.direction === 'down' ? '▼' : '＝';
  if (c.direction === 'flat') return arrow;
  const sign = c.delta > 0 ? '+' : '−';
  const abs = Math.abs(c.delta);
  if (kind === 'rate')
    return `${arrow} ${sign}${(abs * 100).toFixed(1)} ${translate(locale, 'dashboard.unit.points')}`;
  if (kind === 'nps') return `${arrow} ${sign}${abs.toFixed(1)}`;
  if (c.relative !== null) return `${arrow} ${sign}${(Math.abs(c.relative) * 100).toFixed(1)}%`;
  return `${arrow} ${sign}${kind === 'money' ? formatMoney(fen(abs)) : formatKpi(locale, kind, abs)}`;
}

/** A spreadsheet cell: a number (or empty) and the Excel number format it is shown in. */
export interface NumberCell {
  value: number | null;
  numFmt: string;
}

/** Money: yuan to the fen with the yuan sign, negatives with a minus. */
export const MONEY_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00';
export const PERCENT_FORMAT = '0.0%';
export const COUNT_FORMAT = '#,##0';

/** A number format `fmt` with the text of a unit message around it: "{n} min" → #,##0" min". */
function withUnit(locale: Locale, key: string, fmt: string): string {
  const [before, after = ''] = translate(locale, key, { n: '\u0000' }).split('\u0000');
  const lit = (s: string) => (s ? `"${s.replace(/"/g, "'")}"` : '');
  return `${lit(before)}${fmt}${lit(after)}`;
}

/** How a KPI kind's value is written in a cell: the number format, one section. */
function kindFormat(locale: Locale, kind: KpiKind): string {
  switch (kind) {
    case 'count':
      return COUNT_FORMAT;
    case 'money':
      return '"¥"#,##0.00';
    case 'rate':
      return PERCENT_FORMAT;
    case 'minutes':
      return withUnit(locale, 'dashboard.unit.minutes', '#,##0');
    case 'days':
      return withUnit(locale, 'dashboard.unit.days', '0.0');
    case 'score':
      return '0.00';
    case 'nps':
      return '0.0';
  }
}

/** Money (whole fen) as a cell in yuan: the exact fen divided once, as the cell is written. */
export function moneyCell(f: number | null): NumberCell {
  return { value: f === null ? null : f / 100, numFmt: MONEY_FORMAT };
}

/**
 * A KPI's value as a spreadsheet cell, a number Excel can sum, sort and chart: money in yuan (from
 * whole fen), rates as fractions shown in %, times in business minutes or days with their unit in
 * the format. Nothing to measure: an empty cell.
 */
export function kpiCell(locale: Locale, kind: KpiKind, v: number | null): NumberCell {
  if (kind === 'money') return moneyCell(v);
  return { value: v, numFmt: kindFormat(locale, kind) };
}

/**
 * The change against the previous period as a cell, read as the page reads it (▲ +12.5%, ▼ −3.0 pts,
 * ＝): relative for amounts, counts and times, points for rates, the difference for NPS, or the
 * difference in the KPI's unit when the previous period was zero.
 */
export function changeCell(locale: Locale, kind: KpiKind, c: Change): NumberCell | null {
  if (c.delta === null || c.direction === null) return null;
  const signed = (fmt: string) => `"▲ +"${fmt};"▼ −"${fmt};"＝"`;
  if (kind === 'rate')
    return {
      value: c.delta * 100,
      numFmt: signed(`0.0" ${translate(locale, 'dashboard.unit.points')}"`),
    };
  if (kind === 'nps') return { value: c.delta, numFmt: signed('0.0') };
  if (c.relative !== null) return { value: c.relative, numFmt: signed(PERCENT_FORMAT) };
  return {
    value: kind === 'money' ? c.delta / 100 : c.delta,
    numFmt: signed(kindFormat(locale, kind)),
  };
}
