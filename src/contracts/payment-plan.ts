import { type FieldErrors, ValidationFailed } from '../common/errors.js';
import { type Fen, fen, formatMoney, readMoney, sumMoney } from '../common/money.js';
import { MAX_INSTALLMENTS } from './payment.options.js';

/**
 * A payment plan as exact numbers: installments in fen, their sum exactly the contract's amount. The
 * rules a plan keeps, as pure functions: reading the typed rows, splitting an amount into equal
 * installments, and what an edit may not change about an installment already (partly) paid.
 */

/** An installment as typed on the plan form or sent to the API. */
export interface InstallmentInput {
  /** The stored installment this row edits; empty for a new one. */
  id: string | null;
  dueOn: string | null;
  amount: string | null;
  note: string | null;
}

/** An installment read exactly. */
export interface ExactInstallment {
  id: number | null;
  position: number;
  dueOn: string;
  amount: Fen;
  note: string | null;
}

/** A stored installment as the rules see it. */
export interface StoredInstallment {
  id: number;
  dueOn: string;
  amount: Fen;
  collected: Fen;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A day as a real calendar day ("2027-02-30" is not). */
export function isDay(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** `day` moved by whole months, kept inside the month (Jan 31 + 1 month is Feb 28 or 29). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** `day` moved by whole days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * `total` in `n` equal installments that sum exactly to it: every installment the total divided by n
 * rounded down to the fen, the fen left over all on the last (¥100.00 in 3 is ¥33.33, ¥33.33, ¥33.34),
 * so the earlier installments are round and the last one settles the contract.
 */
export function equalInstallments(total: Fen, n: number): Fen[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`plan: cannot split into ${n} installments`);
  if (fen(total) < 0) throw new RangeError('plan: a negative amount has no plan');
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => fen(i === n - 1 ? total - base * (n - 1) : base));
}

/** What the installments already paid (in part) leave of `total` for the rest of the plan. */
export function restOf(total: Fen, paid: Pick<StoredInstallment, 'amount'>[]): Fen {
  return fen(total - sumMoney(paid.map((p) => p.amount)));
}

/**
 * What "split into n equal installments" fills in: the installments already paid (in part) stay as
 * they are (a save may not change them), and what they leave of `total` comes after them in n equal
 * installments a month apart, from a month after the latest paid one's due day (from `start` when none
 * is paid). Nothing is added when the paid installments already make up the total.
 */
export function splitRest(
  total: Fen,
  n: number,
  paid: Pick<StoredInstallment, 'dueOn' | 'amount'>[],
  start: string,
): { dueOn: string; amount: Fen }[] {
  const rest = restOf(total, paid);
  if (rest <= 0) return [];
  const latest = paid.reduce<string | null>(
    (day, p) => (day === null || p.dueOn > day ? p.dueOn : day),
    null,
  );
  const from = latest === null ? start : addMonths(latest, 1);
  return equalInstallments(rest, n).map((amount, i) => ({ dueOn: addMonths(from, i), amount }));
}

/** The first and the last day a due date may fall on: a plan is about this century's money. */
const EARLIEST_DUE = '2000-01-01';
const LATEST_DUE = '2099-12-31';

/**
 * The typed installments read exactly, numbered from 1, or ValidationFailed naming each wrong field
 * (`installments.2.amount`): a missing or impossible due date, an amount that is not a positive amount
 * of fen. Then the plan as a whole: at least one installment, at most MAX_INSTALLMENTS, their sum exactly
 * `contractAmount` (refused as `installments`, with both sums in the message).
 */
export function readPlan(inputs: InstallmentInput[], contractAmount: Fen): ExactInstallment[] {
  if (!inputs.length) throw ValidationFailed.field('installments', 'payment.plan_required');
  if (inputs.length > MAX_INSTALLMENTS)
    throw ValidationFailed.field('installments', 'payment.plan_too_long', { max: MAX_INSTALLMENTS });
  const errors: FieldErrors = {};
  const out: ExactInstallment[] = [];
  inputs.forEach((input, i) => {
    const at = (field: string, key: string) => {
      errors[`installments.${i}.${field}`] = [{ key }];
    };
    const dueOn = (input.dueOn ?? '').trim();
    const dayProblem = !dueOn
      ? 'validation.required'
      : !isDay(dueOn)
        ? 'validation.isDate'
        : dueOn < EARLIEST_DUE || dueOn > LATEST_DUE
          ? 'payment.due_out_of_range'
          : null;
    if (dayProblem) at('dueOn', dayProblem);
    const amount = readMoney(input.amount ?? '');
    const amountProblem =
      'problem' in amount ? amount.problem : amount.fen <= 0 ? 'payment.amount_positive' : null;
    if (amountProblem) at('amount', amountProblem);
    const id = input.id && /^\d{1,9}$/.test(input.id) ? Number(input.id) : null;
    if (!dayProblem && !('problem' in amount) && !amountProblem)
      out.push({ id, position: i + 1, dueOn, amount: amount.fen, note: input.note?.trim() || null });
  });
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  const sum = sumMoney(out.map((x) => x.amount));
  if (sum !== contractAmount)
    throw ValidationFailed.field(
      'installments',
      sum < contractAmount ? 'payment.plan_sum_short' : 'payment.plan_sum_over',
      {
        sum: formatMoney(sum),
        amount: formatMoney(contractAmount),
        gap: formatMoney(fen(Math.abs(contractAmount - sum))),
      },
    );
  return out;
}

/**
 * What an edit may not do to installments already (partly) paid: drop one, or change its amount. Each
 * refusal names the row (or the plan, for a dropped one). Rows naming an installment of another plan
 * are refused as invalid.
 */
export function checkPaidKept(next: ExactInstallment[], stored: StoredInstallment[]): void {
  const errors: FieldErrors = {};
  const byId = new Map(stored.map((s) => [s.id, s]));
  next.forEach((n, i) => {
    if (n.id === null) return;
    const s = byId.get(n.id);
    if (!s) errors[`installments.${i}.amount`] = [{ key: 'validation.invalid' }];
    else if (s.collected > 0 && s.amount !== n.amount)
      errors[`installments.${i}.amount`] = [
        { key: 'payment.paid_amount_kept', params: { amount: formatMoney(s.amount) } },
      ];
  });
  const kept = new Set(next.map((n) => n.id));
  const dropped = stored.filter((s) => s.collected > 0 && !kept.has(s.id));
  if (dropped.length)
    errors.installments = [
      { key: 'payment.paid_installment_kept', params: { due: dropped.map((d) => d.dueOn).join(', ') } },
    ];
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
}
