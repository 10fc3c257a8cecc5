import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_LIMIT, PortalRateLimit, PortalRateLimited } from '../../src/tickets/portal-rate-limit.js';
import { startApp, type TestApp } from '../helpers/app.js';

/**
 * The portal's hourly bound, counted in PostgreSQL: the same count for every Kehu instance, exact
 * when requests arrive at once, forgetting what left the hour. (test/e2e/portal.test.ts shows the
 * bound to a customer through the form.)
 */
let t: TestApp;
let limit: PortalRateLimit;

beforeAll(async () => {
  t = await startApp();
  limit = t.app.get(PortalRateLimit, { strict: false });
}, 60_000);
afterAll(() => t.close());

const minute = 60_000;
const refusal = (take: Promise<void>) =>
  take.then(
    () => null,
    (e: unknown) => (e instanceof PortalRateLimited ? e.params : Promise.reject(e)),
  );

describe('the portal’s hourly bound', () => {
  it('lets five requests an hour through and refuses the sixth, saying when to try again', async () => {
    const t0 = Date.UTC(2026, 10, 30, 9, 0);
    for (let i = 0; i < PORTAL_LIMIT; i++) await limit.take(['ip:1.2.3.4'], new Date(t0 + i * 10 * minute));
    // The first of the five leaves the window at 10:00: ten minutes after 09:50.
    expect(await refusal(limit.take(['ip:1.2.3.4'], new Date(t0 + 50 * minute)))).toEqual({ minutes: 10 });
    expect(await refusal(limit.take(['ip:1.2.3.4'], new Date(t0 + 60 * minute + 1)))).toBeNull();
  });

  it('counts an e-mail address whatever IP it comes from, and a refused request counts for no key', async () => {
    const t0 = Date.UTC(2026, 10, 30, 12, 0);
    const at = (s: number) => new Date(t0 + s * 1000);
    for (let i = 0; i < PORTAL_LIMIT; i++) await limit.take([`ip:10.0.0.${i}`, 'email:a@b.cn'], at(i));
    expect(await refusal(limit.take(['ip:10.0.0.9', 'email:a@b.cn'], at(10)))).toEqual({ minutes: 60 });
    // 10.0.0.9 was not counted by the refused request: it still has five.
    for (let i = 0; i < PORTAL_LIMIT; i++) await limit.take(['ip:10.0.0.9'], at(20 + i));
    expect(await refusal(limit.take(['ip:10.0.0.9'], at(30)))).not.toBeNull();
  });

  it('lets exactly five of twenty requests arriving at once through', async () => {
    const now = new Date(Date.UTC(2026, 10, 30, 15, 0));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        refusal(limit.take([`ip:172.16.0.${i}`, 'mobile:13800138000'], now)),
      ),
    );
    expect(outcomes.filter((o) => o === null)).toHaveLength(PORTAL_LIMIT);
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM portal_request WHERE key = 'mobile:13800138000'`,
    );
    expect(rows[0].n).toBe(PORTAL_LIMIT);
  });

  it('keeps an hour of requests only', async () => {
    const later = new Date(Date.UTC(2026, 10, 30, 18, 0));
    await limit.take(['ip:192.168.1.1'], later);
    const { rows } = await t.db.query<{ oldest: Date }>('SELECT min(at) AS oldest FROM portal_request');
    expect(rows[0].oldest.getTime()).toBeGreaterThan(later.getTime() - 60 * minute);
  });
});
