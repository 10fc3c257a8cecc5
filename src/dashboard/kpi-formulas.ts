import { type Fen, fen } from '../common/money.js';

/**
 * The dashboard's arithmetic, apart from the SQL that gathers its inputs, so each formula is checked
 * on hand-made numbers (kpi-formulas.spec.ts). Amounts stay whole fen; only ratios are floats.
 */

/** part ÷ whole, or null when the whole is zero (nothing to measure: the page shows "—"). */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** The mean of `total` over `count`, or null for none. */
export function mean(total: number, count: number): number | null {
  return count === 0 ? null : total / count;
}

/** An amount shared by `count` (客单价: won amount ÷ won deals), rounded half up to the fen; null for none. */
export function meanFen(total: Fen, count: number): Fen | null {
  if (count === 0) return null;
  const q = Math.floor(total / count);
  const r = total - q * count;
  return fen(2 * r >= count ? q + 1 : q);
}

/** A deal's weighted amount: amount × probability ÷ 100, rounded half up to the fen (as the SQL rounds). */
export function weightedFen(amount: Fen, probability: number): Fen {
  const scaled = amount * probability;
  const q = Math.floor(scaled / 100);
  return fen(scaled - q * 100 >= 50 ? q + 1 : q);
}

/** How a figure moved against the previous period: the difference and, when the previous was not zero, its ratio. */
export interface Change {
  delta: number | null;
  /** delta ÷ |previous|, a fraction; null when the previous was zero or either is unknown. */
  relative: number | null;
  direction: 'up' | 'down' | 'flat' | null;
}

export function change(current: number | null, previous: number | null): Change {
  if (current === null || previous === null) return { delta: null, relative: null, direction: null };
  const delta = current - previous;
  return {
    delta,
    relative: previous === 0 ? null : delta / Math.abs(previous),
    direction: delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat',
  };
}

/**
 * Net Promoter Score: of the answers (0–10), promoters (9–10) minus detractors (0–6), as a percentage
 * of all answers, between −100 and 100; null with no answers.
 */
export function nps(promoters: number, detractors: number, answers: number): number | null {
  return answers === 0 ? null : ((promoters - detractors) / answers) * 100;
}

/** NPS from the scores themselves. */
export function npsOf(scores: readonly number[]): number | null {
  return nps(scores.filter((s) => s >= 9).length, scores.filter((s) => s <= 6).length, scores.length);
}

/** Stage-to-stage conversion of a funnel: entered[i + 1] ÷ entered[i], one fewer than the stages. */
export function conversions(entered: readonly number[]): (number | null)[] {
  return entered.slice(1).map((n, i) => ratio(n, entered[i]));
}

/** A rate shown as a percentage with one decimal ("66.7%"), or "—". */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** How often, in days, a customer of each tier is expected to hear from their owner. */
export const TIER_RHYTHM_DAYS = { A: 14, B: 30, C: 60 } as const;
export type Tier = keyof typeof TIER_RHYTHM_DAYS;

/** A CSAT (1–5) at or below this is low. */
export const LOW_CSAT = 2;
/** A deal with no activity for this many days is stale. */
export const STALE_DEAL_DAYS = 30;
/** How far back a low CSAT counts against a customer. */
export const CSAT_LOOKBACK_DAYS = 90;

/** What a customer's health is scored on. */
export interface HealthInput {
  tier: Tier;
  /** Days since the last interaction (or since the customer was created, when there was none). */
  daysSilent: number;
  openComplaints: number;
  /** The lowest CSAT answered in the look-back, if any. */
  lowestCsat: number | null;
  overdue: Fen;
  staleDeals: number;
}

/** Why a customer lost points: a message key and what fills it. */
export interface HealthReason {
  key: 'silent' | 'complaints' | 'low_csat' | 'overdue' | 'stale_deals';
  penalty: number;
  params: Record<string, string | number>;
}

/**
 * The health score, 100 for a customer with nothing wrong, down to 0, and the reasons for each point
 * lost:
 * - silence beyond the tier's rhythm (A 14, B 30, C 60 days): 10 points, plus 10 for each further
 *   rhythm gone by, at most 40;
 * - each open complaint 15, at most 30;
 * - a CSAT of 2 or lower in the last 90 days: 15;
 * - overdue receivables: 20;
 * - stale deals (no activity for 30 days): 10.
 */
export function healthScore(input: HealthInput): { score: number; reasons: HealthReason[] } {
  const reasons: HealthReason[] = [];
  const rhythm = TIER_RHYTHM_DAYS[input.tier];
  if (input.daysSilent > rhythm) {
    const penalty = Math.min(40, 10 + 10 * Math.floor((input.daysSilent - rhythm) / rhythm));
    reasons.push({ key: 'silent', penalty, params: { days: input.daysSilent, rhythm, tier: input.tier } });
  }
  if (input.openComplaints > 0)
    reasons.push({
      key: 'complaints',
      penalty: Math.min(30, 15 * input.openComplaints),
      params: { count: input.openComplaints },
    });
  if (input.lowestCsat !== null && input.lowestCsat <= LOW_CSAT)
    reasons.push({ key: 'low_csat', penalty: 15, params: { score: input.lowestCsat } });
  if (input.overdue > 0) reasons.push({ key: 'overdue', penalty: 20, params: { amount: input.overdue } });
  if (input.staleDeals > 0)
    reasons.push({
      key: 'stale_deals',
      penalty: 10,
      params: { count: input.staleDeals, days: STALE_DEAL_DAYS },
    });
  const lost = reasons.reduce((s, r) => s + r.penalty, 0);
  return { score: Math.max(0, 100 - lost), reasons };
}
