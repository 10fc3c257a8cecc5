import { type Fen, fromNumeric } from '../common/money.js';
import type { DashboardScope } from './dashboard.types.js';
import { mean, meanFen, nps, ratio } from './kpi-formulas.js';
import type { Period } from './period.js';
import type { Figure, RowFilter } from './queries/figure-rows.js';
import type { FiguresQuery, FigureTotals } from './queries/figures.query.js';

/** How a KPI's value reads: a count, fen, a fraction, business minutes, days, a mean score, an NPS. */
export type KpiKind = 'count' | 'money' | 'rate' | 'minutes' | 'days' | 'score' | 'nps';

export interface KpiDef {
  key: string;
  section: 'sales' | 'service';
  kind: KpiKind;
  /** The value from the figures' totals; null when there is nothing to measure. */
  value(t: (f: Figure) => FigureTotals): number | null;
  /**
   * The records behind it: a figure, how its rows are narrowed, and what its list marks when not the
   * figure's own hit (SLA attainment marks each resolved ticket met or missed, not first-contact).
   */
  drill: { figure: Figure; filter?: RowFilter; view?: DrillView };
  /**
   * Counts the rest of the period too (deals expected to close in it, installments falling due in
   * it): while the period is under way it is not set against the first days of the one before.
   */
  ahead?: true;
  /**
   * Which way is good news: higher (the default), lower (an overdue sum, a response time, complaints,
   * effort) or neither (how many tickets came in). The change is coloured by it, not by its direction.
   */
  better?: 'lower' | 'neither';
}

/** A drill-down's way of marking its rows other than by the figure's hit. */
export type DrillView = 'sla';

const money = (s: string): Fen => fromNumeric(s);
const num = (s: string): number => Number(s);

/**
 * Every KPI of the dashboard and how it is computed from its figure's rows (queries/figure-rows.ts);
 * the README's "Dashboard" section states each formula. The weekly digest reads the same table.
 */
export const KPIS = [
  {
    key: 'new_customers',
    section: 'sales',
    kind: 'count',
    value: (t) => t('new_customers').n,
    drill: { figure: 'new_customers' },
  },
  {
    key: 'follow_ups',
    section: 'sales',
    kind: 'count',
    value: (t) => t('follow_ups').n,
    drill: { figure: 'follow_ups' },
  },
  {
    key: 'won_deals',
    section: 'sales',
    kind: 'count',
    value: (t) => t('closed_deals').hits,
    drill: { figure: 'closed_deals', filter: { dim1: 'won' } },
  },
  {
    key: 'win_rate',
    section: 'sales',
    kind: 'rate',
    value: (t) => ratio(t('closed_deals').hits, t('closed_deals').n),
    drill: { figure: 'closed_deals' },
  },
  {
    key: 'avg_deal_size',
    section: 'sales',
    kind: 'money',
    value: (t) => meanFen(money(t('closed_deals').totalHit), t('closed_deals').hits),
    drill: { figure: 'closed_deals', filter: { dim1: 'won' } },
  },
  {
    key: 'pipeline_value',
    section: 'sales',
    ahead: true,
    kind: 'money',
    value: (t) => money(t('pipeline').total),
    drill: { figure: 'pipeline' },
  },
  {
    key: 'weighted_forecast',
    section: 'sales',
    ahead: true,
    kind: 'money',
    value: (t) => money(t('pipeline').total2),
    drill: { figure: 'pipeline' },
  },
  {
    key: 'sales_cycle',
    better: 'lower',
    section: 'sales',
    kind: 'days',
    value: (t) => mean(num(t('won_deals').total), t('won_deals').n),
    drill: { figure: 'won_deals' },
  },
  {
    key: 'signed_amount',
    section: 'sales',
    kind: 'money',
    value: (t) => money(t('signed').total),
    drill: { figure: 'signed' },
  },
  {
    key: 'collected_amount',
    section: 'sales',
    kind: 'money',
    value: (t) => money(t('collected').total),
    drill: { figure: 'collected' },
  },
  {
    key: 'collection_rate',
    section: 'sales',
    ahead: true,
    kind: 'rate',
    value: (t) => {
      const due = money(t('installments_due').total);
      return ratio(money(t('installments_due').total2), due);
    },
    drill: { figure: 'installments_due' },
  },
  {
    key: 'overdue_receivables',
    better: 'lower',
    section: 'sales',
    kind: 'money',
    value: (t) => money(t('overdue').total),
    drill: { figure: 'overdue' },
  },
  {
    key: 'tickets',
    better: 'neither',
    section: 'service',
    kind: 'count',
    value: (t) => t('tickets').n,
    drill: { figure: 'tickets' },
  },
  {
    key: 'first_response_time',
    better: 'lower',
    section: 'service',
    kind: 'minutes',
    value: (t) => mean(num(t('first_response').total), t('first_response').n),
    drill: { figure: 'first_response' },
  },
  {
    key: 'resolution_time',
    better: 'lower',
    section: 'service',
    kind: 'minutes',
    value: (t) => mean(num(t('resolved').total), t('resolved').n),
    drill: { figure: 'resolved' },
  },
  {
    key: 'fcr_rate',
    section: 'service',
    kind: 'rate',
    value: (t) => ratio(t('resolved').hits, t('resolved').n),
    drill: { figure: 'resolved' },
  },
  {
    key: 'sla_attainment',
    section: 'service',
    kind: 'rate',
    value: (t) => ratio(num(t('resolved').total2), t('resolved').n),
    drill: { figure: 'resolved', view: 'sla' },
  },
  {
    key: 'complaints',
    better: 'lower',
    section: 'service',
    kind: 'count',
    value: (t) => t('tickets').hits,
    drill: { figure: 'tickets', filter: { dim2: 'complaint' } },
  },
  {
    key: 'complaint_rate',
    better: 'lower',
    section: 'service',
    kind: 'rate',
    value: (t) => ratio(t('tickets').hits, t('active_customers').n),
    drill: { figure: 'tickets', filter: { dim2: 'complaint' } },
  },
  {
    key: 'backlog',
    better: 'lower',
    section: 'service',
    kind: 'count',
    value: (t) => t('backlog').n,
    drill: { figure: 'backlog' },
  },
  {
    key: 'backlog_age',
    better: 'lower',
    section: 'service',
    kind: 'days',
    value: (t) => mean(num(t('backlog').total), t('backlog').n),
    drill: { figure: 'backlog' },
  },
  {
    key: 'csat',
    section: 'service',
    kind: 'score',
    value: (t) => mean(num(t('csat').total), t('csat').n),
    drill: { figure: 'csat' },
  },
  {
    key: 'nps',
    section: 'service',
    kind: 'nps',
    value: (t) => nps(t('nps').hits, num(t('nps').total2), t('nps').n),
    drill: { figure: 'nps' },
  },
  {
    key: 'ces',
    better: 'lower',
    section: 'service',
    kind: 'score',
    value: (t) => mean(num(t('ces').total), t('ces').n),
    drill: { figure: 'ces' },
  },
] as const satisfies readonly KpiDef[];

export type KpiKey = (typeof KPIS)[number]['key'];
export type KpiValues = Record<KpiKey, number | null>;

/** Each KPI's value from the figures' totals. */
export function kpiValues(totals: Map<Figure, FigureTotals>): KpiValues {
  const t = (f: Figure) => {
    const found = totals.get(f);
    if (!found) throw new Error(`dashboard: no totals of ${f}`);
    return found;
  };
  return Object.fromEntries(KPIS.map((k) => [k.key, (k as KpiDef).value(t)])) as KpiValues;
}

/** The figures the KPIs `defs` are computed from. */
function figuresOf(defs: readonly KpiDef[]): Figure[] {
  const needed = new Set<Figure>();
  for (const def of defs)
    def.value((f) => {
      needed.add(f);
      return { n: 0, hits: 0, total: '0', totalHit: '0', total2: '0' };
    });
  return [...needed];
}

/** The figures the KPIs are computed from (the funnel, for one, is a chart and no KPI). */
export const KPI_FIGURES: readonly Figure[] = figuresOf(KPIS as readonly KpiDef[]);

/**
 * Every KPI of `scope` in `period`, in one statement: what the dashboard shows and the weekly digest
 * sends (money in fen, rates as fractions, times in business minutes or days).
 */
export async function kpisFor(
  figures: FiguresQuery,
  scope: DashboardScope,
  period: Period,
  now: Date = new Date(),
): Promise<KpiValues> {
  return kpiValues(await figures.totals(scope, period, now, KPI_FIGURES));
}

/** One KPI of `scope` in `period` (reads only the figures it needs). */
export async function kpiFor(
  figures: FiguresQuery,
  key: KpiKey,
  scope: DashboardScope,
  period: Period,
  now: Date = new Date(),
): Promise<number | null> {
  const def = KPIS.find((k) => k.key === key) as KpiDef;
  const totals = await figures.totals(scope, period, now, figuresOf([def]));
  return def.value((f) => totals.get(f)!);
}
