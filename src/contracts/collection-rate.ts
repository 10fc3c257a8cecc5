import { type Fen, fen } from '../common/money.js';

/** An installment as the collection rate reads it. */
export interface RatedInstallment {
  dueOn: string;
  amount: Fen;
  collected: Fen;
}

/** The collection rate (回款率) as its two sums; `rate` is null when nothing fell due. */
export interface CollectionRate {
  due: Fen;
  collected: Fen;
  /** collected ÷ due, between 0 and 1 (a fraction, unrounded). */
  rate: number | null;
}

/**
 * 回款率 of a period: of the installments due in it (from and to inclusive; no bound: all of them), the
 * money collected against them ÷ their amount. Payments against installments due outside the period
 * count elsewhere, so a rep's rate for a quarter measures the quarter's money however early or late it
 * came in. Sums are exact fen; only the ratio is a float.
 */
export function collectionRate(
  installments: RatedInstallment[],
  period: { from?: string; to?: string } = {},
): CollectionRate {
  let due = 0;
  let collected = 0;
  for (const i of installments) {
    if (period.from !== undefined && i.dueOn < period.from) continue;
    if (period.to !== undefined && i.dueOn > period.to) continue;
    due += i.amount;
    collected += i.collected;
  }
  return { due: fen(due), collected: fen(collected), rate: due === 0 ? null : collected / due };
}

/** A rate as a percentage with one decimal, "66.7%"; "—" when nothing fell due. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** The first and last day of the month and of the quarter holding `day` (YYYY-MM-DD). */
export function periodsOf(day: string): {
  month: { from: string; to: string };
  quarter: { from: string; to: string };
} {
  const [y, m] = day.split('-').map(Number);
  const lastOf = (year: number, month: number) =>
    new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  const q = Math.floor((m - 1) / 3) * 3 + 1;
  return {
    month: { from: `${y}-${pad(m)}-01`, to: lastOf(y, m) },
    quarter: { from: `${y}-${pad(q)}-01`, to: lastOf(y, q + 2) },
  };
}
