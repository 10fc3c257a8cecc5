import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../common/errors.js';
import { type Fen, yuan } from '../common/money.js';
import { addMonths, checkPaidKept, equalInstallments, readPlan, splitRest } from './payment-plan.js';

const f = (n: number) => n as Fen;
const row = (dueOn: string, amount: string, id: string | null = null) => ({ id, dueOn, amount, note: null });

function refusal(run: () => unknown): Record<string, string[]> {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationFailed)
      return Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, v.map((x) => x.key)]));
    throw e;
  }
  throw new Error('not refused');
}

describe('splitRest', () => {
  it('splits the whole amount from the start day when nothing is paid', () => {
    expect(splitRest(f(10_000), 3, [], '2027-01-31')).toEqual([
      { dueOn: '2027-01-31', amount: 3_333 },
      { dueOn: '2027-02-28', amount: 3_333 },
      { dueOn: '2027-03-31', amount: 3_334 },
    ]);
  });

  it('splits what the paid installments leave, from a month after the latest of them', () => {
    const paid = [
      { dueOn: '2027-03-15', amount: f(40_000) },
      { dueOn: '2027-01-15', amount: f(20_000) },
    ];
    expect(splitRest(f(100_000), 2, paid, '2027-01-01')).toEqual([
      { dueOn: '2027-04-15', amount: 20_000 },
      { dueOn: '2027-05-15', amount: 20_000 },
    ]);
  });

  it('adds nothing when the paid installments make up the whole amount', () => {
    expect(splitRest(f(50_000), 3, [{ dueOn: '2027-01-15', amount: f(50_000) }], '2027-01-01')).toEqual([]);
  });
});

describe('equalInstallments', () => {
  it.each([
    // ¥100.00 in 3: 3333 + 3333 + 3334 fen, the spare fen on the last
    [10000, 3, [3333, 3333, 3334]],
    // ¥0.05 in 3: 1 + 1 + 3
    [5, 3, [1, 1, 3]],
    // ¥1,000,000.00 in 4: exact
    [100000000, 4, [25000000, 25000000, 25000000, 25000000]],
    // ¥136,005.10 in 3: 4533503 × 2 + 4533504 = 13600510
    [13600510, 3, [4533503, 4533503, 4533504]],
    [999, 1, [999]],
  ])('%i fen in %i → %j', (total, n, parts) => {
    const split = equalInstallments(f(total), n);
    expect(split).toEqual(parts);
    expect(split.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('refuses no installments at all', () => {
    expect(() => equalInstallments(f(100), 0)).toThrow(RangeError);
  });
});

describe('addMonths', () => {
  it.each([
    ['2027-01-31', 1, '2027-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2027-11-15', 2, '2028-01-15'],
    ['2027-03-31', 0, '2027-03-31'],
  ])('%s + %i months → %s', (day, n, out) => expect(addMonths(day, n)).toBe(out));
});

describe('readPlan', () => {
  it('reads installments exactly, numbered, summing to the amount', () => {
    expect(readPlan([row('2027-01-10', '1,000.10'), row('2027-02-10', '¥998.90', '7')], yuan(1999))).toEqual([
      { id: null, position: 1, dueOn: '2027-01-10', amount: 100010, note: null },
      { id: 7, position: 2, dueOn: '2027-02-10', amount: 99890, note: null },
    ]);
  });

  it('refuses a sum one fen off the amount, naming the plan', () => {
    expect(
      refusal(() => readPlan([row('2027-01-10', '1000.00'), row('2027-02-10', '999.99')], yuan(2000))),
    ).toEqual({ installments: ['payment.plan_sum_short'] });
    expect(
      refusal(() => readPlan([row('2027-01-10', '1000.00'), row('2027-02-10', '1000.01')], yuan(2000))),
    ).toEqual({ installments: ['payment.plan_sum_over'] });
  });

  it('names each wrong field: negative, not a number, impossible date, far future, missing', () => {
    expect(
      refusal(() =>
        readPlan(
          [row('2027-01-10', '-5'), row('2027-02-30', 'abc'), row('2199-01-01', '0'), row('', '')],
          yuan(10),
        ),
      ),
    ).toEqual({
      'installments.0.amount': ['payment.amount_positive'],
      'installments.1.dueOn': ['validation.isDate'],
      'installments.1.amount': ['validation.money'],
      'installments.2.dueOn': ['payment.due_out_of_range'],
      'installments.2.amount': ['payment.amount_positive'],
      'installments.3.dueOn': ['validation.required'],
      'installments.3.amount': ['validation.required'],
    });
  });

  it('refuses an empty plan', () => {
    expect(refusal(() => readPlan([], yuan(10)))).toEqual({ installments: ['payment.plan_required'] });
  });
});

describe('checkPaidKept', () => {
  const stored = [
    { id: 1, dueOn: '2027-01-10', amount: f(5000), collected: f(2000) },
    { id: 2, dueOn: '2027-02-10', amount: f(5000), collected: f(0) },
  ];
  const next = (a1: number, a2: number, ids: (number | null)[] = [1, 2]) => [
    { id: ids[0], position: 1, dueOn: '2027-01-10', amount: f(a1), note: null },
    { id: ids[1], position: 2, dueOn: '2027-03-10', amount: f(a2), note: null },
  ];

  it('lets unpaid installments change and paid ones keep their amount', () => {
    expect(() => checkPaidKept(next(5000, 5000), stored)).not.toThrow();
    expect(() =>
      checkPaidKept([...next(5000, 2500), { ...next(0, 2500)[1], id: null }], stored),
    ).not.toThrow();
  });

  it('refuses changing the amount of a partly paid installment', () => {
    expect(refusal(() => checkPaidKept(next(4000, 6000), stored))).toEqual({
      'installments.0.amount': ['payment.paid_amount_kept'],
    });
  });

  it('refuses dropping a partly paid installment', () => {
    expect(refusal(() => checkPaidKept(next(5000, 5000, [null, 2]), stored))).toEqual({
      installments: ['payment.paid_installment_kept'],
    });
  });
});
