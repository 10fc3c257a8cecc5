import { describe, expect, it } from 'vitest';
import type { Fen } from '../common/money.js';
import { allocate, outstandingOf } from './payment-allocations.js';

const f = (n: number) => n as Fen;
/** Three installments of ¥100.00; the second due first in time is the oldest. */
const plan = (collected: [number, number, number] = [0, 0, 0]) => [
  { id: 11, position: 1, dueOn: '2027-01-10', amount: f(10000), collected: f(collected[0]) },
  { id: 12, position: 2, dueOn: '2027-02-10', amount: f(10000), collected: f(collected[1]) },
  { id: 13, position: 3, dueOn: '2027-03-10', amount: f(10000), collected: f(collected[2]) },
];

describe('allocate', () => {
  it('puts a partial payment on the oldest installment', () => {
    expect(allocate(plan(), f(4000))).toEqual([{ installmentId: 11, amount: 4000 }]);
  });

  it('finishes a partly paid installment first, then runs across the next', () => {
    // ¥60 left on the first, ¥100 on the second: ¥150 = 60 + 90.
    expect(allocate(plan([4000, 0, 0]), f(15000))).toEqual([
      { installmentId: 11, amount: 6000 },
      { installmentId: 12, amount: 9000 },
    ]);
  });

  it('skips settled installments and orders by due day, then position', () => {
    const mixed = [
      { id: 21, position: 1, dueOn: '2027-05-01', amount: f(500), collected: f(0) },
      { id: 22, position: 2, dueOn: '2027-04-01', amount: f(500), collected: f(500) },
      { id: 23, position: 3, dueOn: '2027-04-01', amount: f(500), collected: f(0) },
    ];
    expect(allocate(mixed, f(700))).toEqual([
      { installmentId: 23, amount: 500 },
      { installmentId: 21, amount: 200 },
    ]);
  });

  it('takes exactly what is outstanding and refuses one fen more', () => {
    expect(outstandingOf(plan([10000, 2500, 0]))).toBe(17500);
    expect(allocate(plan([10000, 2500, 0]), f(17500))).toEqual([
      { installmentId: 12, amount: 7500 },
      { installmentId: 13, amount: 10000 },
    ]);
    expect(allocate(plan([10000, 2500, 0]), f(17501))).toBeNull();
  });

  it('refuses a payment of nothing or less', () => {
    expect(() => allocate(plan(), f(0))).toThrow(RangeError);
    expect(() => allocate(plan(), f(-1))).toThrow(RangeError);
  });
});
