import { describe, expect, it } from 'vitest';
import { change } from './kpi-formulas.js';
import { changeCell, formatChange, formatKpi, kpiCell, moneyCell } from './kpi-format.js';

describe('KPI texts', () => {
  it('writes each kind of value in both languages', () => {
    expect(formatKpi('en', 'count', 12345)).toBe('12,345');
    expect(formatKpi('en', 'money', 2_000_050)).toBe('¥20,000.50');
    expect(formatKpi('en', 'rate', 7 / 12)).toBe('58.3%');
    expect(formatKpi('en', 'minutes', 749.6)).toBe('750 min');
    expect(formatKpi('zh-CN', 'minutes', 60)).toBe('60 分钟');
    expect(formatKpi('zh-CN', 'days', 6.583)).toBe('6.6 天');
    expect(formatKpi('en', 'score', 3.5)).toBe('3.50');
    expect(formatKpi('en', 'nps', 100 / 3)).toBe('33.3');
    expect(formatKpi('en', 'money', null)).toBe('—');
  });

  it('writes the change: relative for amounts and counts, points for rates and NPS', () => {
    expect(formatChange('en', 'count', change(3, 1))).toBe('▲ +200.0%');
    expect(formatChange('en', 'count', change(2, 0))).toBe('▲ +2');
    expect(formatChange('en', 'money', change(0, 150))).toBe('▼ −100.0%');
    expect(formatChange('en', 'money', change(150, 0))).toBe('▲ +¥1.50');
    expect(formatChange('en', 'rate', change(0.4, 0))).toBe('▲ +40.0 pts');
    expect(formatChange('zh-CN', 'rate', change(0.25, 0.5))).toBe('▼ −25.0 个百分点');
    expect(formatChange('en', 'nps', change(10, 30))).toBe('▼ −20.0');
    expect(formatChange('en', 'count', change(4, 4))).toBe('＝');
    expect(formatChange('en', 'rate', change(null, 0.5))).toBe('');
  });
});

describe('KPI cells of the workbook', () => {
  it('are numbers in their formats: yuan from whole fen, rates as fractions, times with their unit', () => {
    expect(moneyCell(2_000_050)).toEqual({ value: 20000.5, numFmt: '"¥"#,##0.00;-"¥"#,##0.00' });
    expect(kpiCell('en', 'money', 750_001)).toEqual({ value: 7500.01, numFmt: '"¥"#,##0.00;-"¥"#,##0.00' });
    expect(kpiCell('en', 'rate', 7 / 12)).toEqual({ value: 7 / 12, numFmt: '0.0%' });
    expect(kpiCell('en', 'minutes', 749.6)).toEqual({ value: 749.6, numFmt: '#,##0" min"' });
    expect(kpiCell('zh-CN', 'minutes', 60)).toEqual({ value: 60, numFmt: '#,##0" 分钟"' });
    expect(kpiCell('en', 'days', 6.583)).toEqual({ value: 6.583, numFmt: '0.0" days"' });
    expect(kpiCell('en', 'count', 3)).toEqual({ value: 3, numFmt: '#,##0' });
    expect(kpiCell('en', 'money', null).value).toBeNull();
  });

  it('write the change as the page reads it, arrows in the format', () => {
    expect(changeCell('en', 'count', change(3, 1))).toEqual({
      value: 2,
      numFmt: '"▲ +"0.0%;"▼ −"0.0%;"＝"',
    });
    expect(changeCell('en', 'money', change(150, 0))).toEqual({
      value: 1.5,
      numFmt: '"▲ +""¥"#,##0.00;"▼ −""¥"#,##0.00;"＝"',
    });
    expect(changeCell('en', 'rate', change(0.25, 0.5))?.value).toBe(-25);
    expect(changeCell('en', 'rate', change(0.25, 0.5))?.numFmt).toContain('" pts"');
    expect(changeCell('en', 'nps', change(10, 30))?.value).toBe(-20);
    expect(changeCell('en', 'rate', change(null, 0.5))).toBeNull();
  });
});
