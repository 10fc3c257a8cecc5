import { describe, expect, it } from 'vitest';
import type { Fen } from '../common/money.js';
import { collectionRate, formatRate, periodsOf } from './collection-rate.js';

const f = (n: number) => n as Fen;

/**
 * Hand-checked: a plan of ¥300,000.00 in three installments of ¥100,000.00 due 10 Jan, 10 Feb and
 * 10 Apr 2027; the first is fully paid, the second ¥40,000.00 of it, the third nothing.
 */
const PLAN = [
  { dueOn: '2027-01-10', amount: f(10_000_000), collected: f(10_000_000) },
  { dueOn: '2027-02-10', amount: f(10_000_000), collected: f(4_000_000) },
  { dueOn: '2027-04-10', amount: f(10_000_000), collected: f(0) },
];

describe('collectionRate', () => {
  it('of the whole plan: 140,000 of 300,000 = 46.7%', () => {
    const r = collectionRate(PLAN);
    expect(r).toMatchObject({ due: 30_000_000, collected: 14_000_000 });
    expect(formatRate(r.rate)).toBe('46.7%');
  });

  it('of the first quarter: installments due Jan–Mar only, 140,000 of 200,000 = 70.0%', () => {
    const r = collectionRate(PLAN, { from: '2027-01-01', to: '2027-03-31' });
    expect(r).toEqual({ due: 20_000_000, collected: 14_000_000, rate: 0.7 });
    expect(formatRate(r.rate)).toBe('70.0%');
  });

  it('of February: 40,000 of 100,000 = 40.0%; the bounds are inclusive', () => {
    expect(collectionRate(PLAN, { from: '2027-02-01', to: '2027-02-10' }).rate).toBe(0.4);
  });

  it('two of three equal installments paid: two thirds, 66.7%', () => {
    const thirds = [
      { dueOn: '2027-01-10', amount: f(3333), collected: f(3333) },
      { dueOn: '2027-02-10', amount: f(3333), collected: f(3333) },
      { dueOn: '2027-03-10', amount: f(3334), collected: f(0) },
    ];
    expect(formatRate(collectionRate(thirds).rate)).toBe('66.7%');
  });

  it('with nothing due in the period: no rate', () => {
    expect(collectionRate(PLAN, { from: '2027-05-01', to: '2027-05-31' })).toEqual({
      due: 0,
      collected: 0,
      rate: null,
    });
    expect(formatRate(null)).toBe('—');
  });
});

describe('periodsOf', () => {
  it.each([
    ['2027-02-14', '2027-02-01', '2027-02-28', '2027-01-01', '2027-03-31'],
    ['2028-02-29', '2028-02-01', '2028-02-29', '2028-01-01', '2028-03-31'],
    ['2027-12-31', '2027-12-01', '2027-12-31', '2027-10-01', '2027-12-31'],
  ])('%s: month %s–%s, quarter %s–%s', (day, mf, mt, qf, qt) => {
    expect(periodsOf(day)).toEqual({ month: { from: mf, to: mt }, quarter: { from: qf, to: qt } });
  });
});
