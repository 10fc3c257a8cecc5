import { describe, expect, it } from 'vitest';
import { fen } from '../common/money.js';
import {
  change,
  conversions,
  healthScore,
  meanFen,
  npsOf,
  nps,
  percent,
  ratio,
  weightedFen,
} from './kpi-formulas.js';

describe('KPI formulas', () => {
  it('win rate, collection rate, FCR and SLA are part ÷ whole, none for an empty whole', () => {
    // 3 won of 4 closed deals
    expect(ratio(3, 4)).toBe(0.75);
    expect(percent(ratio(2, 3))).toBe('66.7%');
    expect(ratio(0, 0)).toBeNull();
    expect(percent(null)).toBe('—');
  });

  it('average deal size (客单价) is exact fen, rounded half up', () => {
    // ¥100.00 + ¥200.01 over 2 deals = ¥150.005 → ¥150.01
    expect(meanFen(fen(10_000 + 20_001), 2)).toBe(15_001);
    // ¥1.00 over 3 = 33.33… fen → 33
    expect(meanFen(fen(100), 3)).toBe(33);
    expect(meanFen(fen(200), 3)).toBe(67);
    expect(meanFen(fen(0), 0)).toBeNull();
  });

  it('weighs a deal by its probability, to the fen', () => {
    // ¥12,345.67 at 35% = ¥4,320.9845 → ¥4,320.98
    expect(weightedFen(fen(1_234_567), 35)).toBe(432_098);
    // ¥0.05 at 50% = 2.5 fen → 3
    expect(weightedFen(fen(5), 50)).toBe(3);
    expect(weightedFen(fen(1_000), 100)).toBe(1_000);
  });

  it('NPS is promoters minus detractors in % of answers', () => {
    // 10, 9, 9 promoters; 8, 7 passives; 6, 0 detractors: (3 - 2) / 7 = 14.29%
    expect(npsOf([10, 9, 9, 8, 7, 6, 0])).toBeCloseTo(14.2857, 3);
    expect(nps(1, 3, 4)).toBe(-50);
    expect(npsOf([])).toBeNull();
  });

  it('compares with the previous period', () => {
    expect(change(12, 8)).toEqual({ delta: 4, relative: 0.5, direction: 'up' });
    expect(change(3, 0)).toEqual({ delta: 3, relative: null, direction: 'up' });
    expect(change(5, 10)).toEqual({ delta: -5, relative: -0.5, direction: 'down' });
    expect(change(null, 1).direction).toBeNull();
  });

  it('converts stage to stage', () => {
    // 10 deals entered initial contact, 6 needs analysis, 3 proposal, 0 negotiation
    expect(conversions([10, 6, 3, 0])).toEqual([0.6, 0.5, 0]);
    expect(conversions([0, 0])).toEqual([null]);
  });

  it('scores health from silence, complaints, CSAT, overdue money and stale deals', () => {
    const well = {
      tier: 'A' as const,
      daysSilent: 10,
      openComplaints: 0,
      lowestCsat: 5,
      overdue: fen(0),
      staleDeals: 0,
    };
    expect(healthScore(well)).toEqual({ score: 100, reasons: [] });
    // A tier, 45 days silent: 31 days past a 14-day rhythm = 2 more rhythms: 10 + 20 = 30
    expect(healthScore({ ...well, daysSilent: 45 }).score).toBe(70);
    // capped at 40
    expect(healthScore({ ...well, daysSilent: 400 }).score).toBe(60);
    // C tier, 61 days: 10
    expect(healthScore({ ...well, tier: 'C', daysSilent: 61 }).score).toBe(90);
    expect(healthScore({ ...well, tier: 'C', daysSilent: 60 }).score).toBe(100);
    // everything wrong: 40 + 30 + 15 + 20 + 10 = 115 → 0
    const sick = healthScore({
      tier: 'B',
      daysSilent: 200,
      openComplaints: 3,
      lowestCsat: 1,
      overdue: fen(1),
      staleDeals: 2,
    });
    expect(sick.score).toBe(0);
    expect(sick.reasons.map((r) => [r.key, r.penalty])).toEqual([
      ['silent', 40],
      ['complaints', 30],
      ['low_csat', 15],
      ['overdue', 20],
      ['stale_deals', 10],
    ]);
    // one complaint, CSAT 3 (not low): 85
    expect(healthScore({ ...well, openComplaints: 1, lowestCsat: 3 }).score).toBe(85);
  });
});
