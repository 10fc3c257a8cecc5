import { type Fen, fen } from '../common/money.js';

/** An installment as allocation sees it. */
export interface OpenInstallment {
  id: number;
  position: number;
  dueOn: string;
  amount: Fen;
  collected: Fen;
}

/** The part of a payment given to one installment. */
export interface Allocation {
  installmentId: number;
  amount: Fen;
}

/** What is still to be collected on these installments. */
export function outstandingOf(installments: Pick<OpenInstallment, 'amount' | 'collected'>[]): Fen {
  return fen(installments.reduce((sum, i) => sum + i.amount - i.collected, 0));
}

/**
 * A payment shared out over a plan's installments, oldest first (by due day, then position): each takes
 * what it still lacks until the payment is used up, so a payment can settle part of one installment or
 * several. A payment larger than everything outstanding answers null (the caller refuses it).
 */
export function allocate(installments: OpenInstallment[], amount: Fen): Allocation[] | null {
  if (fen(amount) <= 0) throw new RangeError('allocate: a payment is a positive amount');
  if (amount > outstandingOf(installments)) return null;
  const ordered = [...installments].sort((a, b) =>
    a.dueOn === b.dueOn ? a.position - b.position : a.dueOn < b.dueOn ? -1 : 1,
  );
  const out: Allocation[] = [];
  let left: number = amount;
  for (const i of ordered) {
    if (left === 0) break;
    const open = i.amount - i.collected;
    if (open <= 0) continue;
    const take = Math.min(open, left);
    out.push({ installmentId: i.id, amount: fen(take) });
    left -= take;
  }
  return out;
}
