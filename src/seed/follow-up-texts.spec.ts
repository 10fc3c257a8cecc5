import { describe, expect, it } from 'vitest';
import { generateCustomer, rng } from './generate.js';
import { FOLLOW_UP_TEXTS } from './names.js';

const HAN = /\p{Script=Han}/u;

describe('the demo’s follow-ups', () => {
  const r = rng(42);
  const customers = Array.from({ length: 400 }, (_, i) => generateCustomer(i, [1, 2, 3], 1, r));

  it('speak the customer’s language: English to English-named companies, Chinese to the others', () => {
    for (const c of customers) {
      const english = !HAN.test(c.name);
      for (const f of c.followUps)
        for (const text of [f.summary, f.promises, f.nextAction].filter((x): x is string => x !== null))
          expect(HAN.test(text), `${c.name}: ${text}`).toBe(!english);
    }
    expect(customers.some((c) => !HAN.test(c.name) && c.followUps.length)).toBe(true);
  });

  it('describe what their method is: a call is a call, a visit a visit', () => {
    for (const c of customers)
      for (const f of c.followUps) {
        const lists = [FOLLOW_UP_TEXTS.zh.summaries, FOLLOW_UP_TEXTS.en.summaries];
        expect(
          lists.some((l) => (l[f.method as keyof typeof l] as readonly string[]).includes(f.summary)),
        ).toBe(true);
      }
  });
});
