import type { Locale } from '../common/roles.js';
import { monthName } from '../common/time.js';
import { hasKey, translate } from '../i18n/i18n.js';

/** The figures a threshold alert judges. */
export const THRESHOLD_KPIS = ['complaint_rate', 'sla_attainment'] as const;
export type ThresholdKpi = (typeof THRESHOLD_KPIS)[number];
export const isThresholdKpi = (v: unknown): v is ThresholdKpi =>
  (THRESHOLD_KPIS as readonly unknown[]).includes(v);

/**
 * How the audit log names the details a rule's firing records (RulesService.fire: the rule, its period
 * and the firing's details), as locale keys.
 */
export const RULE_AUDIT_FIELDS: Record<string, string> = {
  rule: 'rules.audit.field.rule',
  period: 'rules.audit.field.period',
  kpi: 'rules.audit.field.kpi',
  kind: 'rules.audit.field.kind',
  value: 'rules.audit.field.value',
  was: 'rules.audit.field.was',
  tickets: 'rules.audit.field.tickets',
  ticketsBefore: 'rules.audit.field.tickets_before',
  from: 'rules.audit.field.from',
  to: 'rules.audit.field.to',
  csat: 'rules.audit.field.csat',
  note: 'rules.audit.field.note',
  contact: 'rules.audit.field.contact',
  days: 'rules.audit.field.days',
  since: 'rules.audit.field.since',
};

/**
 * A firing's recorded value as the audit log shows it in `locale`: the rule's name, the KPI's label,
 * the kind of alert, a threshold's figures as the dashboard shows them (`kpiText`), the month an alert
 * is about by its name; null for a value shown as stored (a date, a name, a count).
 */
export function ruleAuditValue(
  locale: Locale,
  field: string,
  value: unknown,
  entry: Record<string, unknown>,
  kpiText: (kpi: ThresholdKpi, value: number | null) => string,
): string | null {
  const named = (key: string) => (hasKey(locale, key) ? translate(locale, key) : null);
  switch (field) {
    case 'rule':
      return typeof value === 'string' ? named(`rules.audit.rule.${value}`) : null;
    case 'kpi':
      return isThresholdKpi(value) ? translate(locale, `dashboard.kpi.${value}`) : null;
    case 'kind':
      return entry.rule === 'threshold' && typeof value === 'string'
        ? named(`rules.audit.kind.${value}`)
        : null;
    case 'value':
    case 'was':
      return isThresholdKpi(entry.kpi) && (typeof value === 'number' || value === null)
        ? kpiText(entry.kpi, value)
        : null;
    case 'period': {
      if (value === 'once') return translate(locale, 'rules.audit.once');
      // A threshold alert's period is its month, its KPI and its kind (2026-11:sla_attainment:below).
      const month = typeof value === 'string' ? /^(\d{4}-\d{2}):/.exec(value) : null;
      return month ? monthName(locale, month[1]) : null;
    }
    case 'since':
      return value === 'never' ? translate(locale, 'rules.audit.never') : null;
    default:
      return null;
  }
}
