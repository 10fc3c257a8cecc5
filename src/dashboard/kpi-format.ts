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
