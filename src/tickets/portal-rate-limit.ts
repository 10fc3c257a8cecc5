import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors.js';
import { PortalRequestsRepository } from './portal-requests.repository.js';

/** The portal's bounds on spam: so many requests per sender address and per IP address an hour. */
export const PORTAL_LIMIT = 5;
export const PORTAL_WINDOW_MS = 3_600_000;

/** The portal form was sent too often from one place or for one address: the customer is told when to try again. */
export class PortalRateLimited extends DomainError {
  constructor(minutes: number) {
    super(429, 'portal.rate_limited', { minutes });
  }
}

/**
 * Counts the portal's requests (a new ticket, a reply) per IP address, per e-mail or mobile and per
 * tracking token in a sliding hour. The count is in PostgreSQL, so every Kehu instance behind a load
 * balancer keeps the same bound.
 */
@Injectable()
export class PortalRateLimit {
  constructor(private readonly requests: PortalRequestsRepository) {}

  /** Refuses when any of `keys` has had its hour's share (`limit`); otherwise counts this request against each. */
  async take(keys: readonly string[], now = new Date(), limit = PORTAL_LIMIT): Promise<void> {
    const full = await this.requests.take(keys, now, new Date(now.getTime() - PORTAL_WINDOW_MS), limit);
    if (full) {
      const freeAt = full.getTime() + PORTAL_WINDOW_MS;
      throw new PortalRateLimited(Math.max(1, Math.ceil((freeAt - now.getTime()) / 60_000)));
    }
  }
}

/** The keys a portal request counts against: its IP address and each address it gives, normalised. */
export function portalKeys(ip: string | undefined, email?: string | null, mobile?: string | null): string[] {
  const keys = [`ip:${ip ?? 'unknown'}`];
  if (email) keys.push(`email:${email.trim().toLowerCase()}`);
  if (mobile) keys.push(`mobile:${mobile.replace(/\D/g, '').slice(-11)}`);
  return keys;
}
