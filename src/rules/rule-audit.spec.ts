import { describe, expect, it } from 'vitest';
import { ruleAuditValue } from './rule-audit.js';

const pct = (_: string, v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

describe('ruleAuditValue', () => {
  const alert = { rule: 'threshold', kpi: 'sla_attainment', kind: 'below' };

  it('names the rule, the figure and the kind of alert in the reader’s language', () => {
    expect(ruleAuditValue('en', 'rule', 'low_csat', {}, pct)).toBe('Low satisfaction score');
    expect(ruleAuditValue('zh-CN', 'rule', 'threshold', alert, pct)).toBe('阈值预警');
    expect(ruleAuditValue('en', 'kpi', 'sla_attainment', alert, pct)).toBe('SLA attainment');
    expect(ruleAuditValue('zh-CN', 'kind', 'jump', alert, pct)).toBe('较上月同期变动');
  });

  it('shows a threshold’s figures as the dashboard does, and its period as its month', () => {
    expect(ruleAuditValue('en', 'value', 0.48, alert, pct)).toBe('48.0%');
    expect(ruleAuditValue('en', 'was', null, alert, pct)).toBe('—');
    expect(ruleAuditValue('en', 'period', '2026-11:sla_attainment:below', alert, pct)).toBe('November 2026');
    expect(ruleAuditValue('zh-CN', 'period', '2026-11:sla_attainment:below', alert, pct)).toBe('2026年11月');
    expect(ruleAuditValue('en', 'period', 'once', {}, pct)).toBe('Once only');
    expect(ruleAuditValue('zh-CN', 'since', 'never', {}, pct)).toBe('从未');
  });

  it('leaves what it does not know as stored', () => {
    expect(ruleAuditValue('en', 'rule', 'some_future_rule', {}, pct)).toBeNull();
    expect(ruleAuditValue('en', 'value', 3, { rule: 'low_csat' }, pct)).toBeNull();
    expect(ruleAuditValue('en', 'period', '2026-Q4', {}, pct)).toBeNull();
    expect(ruleAuditValue('en', 'contact', 'Ann', {}, pct)).toBeNull();
  });
});
