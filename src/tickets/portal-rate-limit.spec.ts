import { describe, expect, it } from 'vitest';
import { PORTAL_LIMIT, PortalRateLimit, PortalRateLimited, portalKeys } from './portal-rate-limit.js';

const minute = 60_000;

describe('PortalRateLimit', () => {
  it('lets five requests an hour through and refuses the sixth, saying when to try again', () => {
    const limit = new PortalRateLimit();
    const t0 = Date.UTC(2026, 10, 30, 9, 0);
    for (let i = 0; i < PORTAL_LIMIT; i++) limit.take(['ip:1.2.3.4'], t0 + i * 10 * minute);
    let refused: unknown;
    try {
      limit.take(['ip:1.2.3.4'], t0 + 50 * minute);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(PortalRateLimited);
    // The first of the five leaves the window at 10:00: ten minutes after 09:50.
    expect((refused as PortalRateLimited).params).toEqual({ minutes: 10 });
    expect(() => limit.take(['ip:1.2.3.4'], t0 + 60 * minute + 1)).not.toThrow();
  });

  it('counts an e-mail address whatever IP it comes from, and a refused request counts for no key', () => {
    const limit = new PortalRateLimit();
    const t0 = 0;
    for (let i = 0; i < PORTAL_LIMIT; i++) limit.take([`ip:10.0.0.${i}`, 'email:a@b.cn'], t0 + i);
    expect(() => limit.take(['ip:10.0.0.9', 'email:a@b.cn'], t0 + 10)).toThrow(PortalRateLimited);
    // 10.0.0.9 was not counted by the refused request: it still has five.
    for (let i = 0; i < PORTAL_LIMIT; i++) limit.take(['ip:10.0.0.9'], t0 + 20 + i);
    expect(() => limit.take(['ip:10.0.0.9'], t0 + 30)).toThrow(PortalRateLimited);
  });

  it('normalises the addresses: case of e-mails, spacing and +86 of mobiles', () => {
    expect(portalKeys('::1', ' Wang@Example.CN ', '+86 138-0013-8000')).toEqual([
      'ip:::1',
      'email:wang@example.cn',
      'mobile:13800138000',
    ]);
  });
});
