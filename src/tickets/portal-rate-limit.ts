import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors.js';

/** The portal's bounds on spam: so many requests per sender address and per IP address an hour. */
export const PORTAL_LIMIT = 5;
export const PORTAL_WINDOW_MS = 3_600_000;
/** Addresses remembered at most; past it the oldest windows are forgotten (a flood cannot grow memory). */
const REMEMBERED_MAX = 50_000;

/** The portal form was sent too often from one place or for one address: the customer is told when to try again. */
export class PortalRateLimited extends DomainError {
  constructor(minutes: number) {
    super(429, 'portal.rate_limited', { minutes });
  }
}

/**
 * Counts the portal's requests (a new ticket) per IP address and per e-mail or mobile in a sliding
 * hour. Kept in this process's memory: one Kehu instance answers the portal's traffic in a small
 * company; behind several instances each holds its own count, so the bound is per instance.
 */
@Injectable()
export class PortalRateLimit {
  private readonly hits = new Map<string, number[]>();

  /** Refuses when any of `keys` has had its hour's share (`limit`); otherwise counts this request against each. */
  take(keys: readonly string[], now = Date.now(), limit = PORTAL_LIMIT): void {
    const since = now - PORTAL_WINDOW_MS;
    const recent = keys.map((k) => (this.hits.get(k) ?? []).filter((t) => t > since));
    const full = recent.filter((times) => times.length >= limit);
    if (full.length) {
      const freeAt = Math.max(...full.map((times) => times[times.length - limit] + PORTAL_WINDOW_MS));
      throw new PortalRateLimited(Math.max(1, Math.ceil((freeAt - now) / 60_000)));
    }
    keys.forEach((k, i) => {
      this.hits.delete(k);
      this.hits.set(k, [...recent[i], now]);
    });
    while (this.hits.size > REMEMBERED_MAX) this.hits.delete(this.hits.keys().next().value!);
  }
}

/** The keys a portal request counts against: its IP address and each address it gives, normalised. */
export function portalKeys(ip: string | undefined, email?: string | null, mobile?: string | null): string[] {
  const keys = [`ip:${ip ?? 'unknown'}`];
  if (email) keys.push(`email:${email.trim().toLowerCase()}`);
  if (mobile) keys.push(`mobile:${mobile.replace(/\D/g, '').slice(-11)}`);
  return keys;
}
