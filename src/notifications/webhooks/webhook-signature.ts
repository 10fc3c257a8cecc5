import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers a delivery carries (the README shows how a receiver checks them). */
export const SIGNATURE_HEADER = 'Kehu-Signature';
export const TIMESTAMP_HEADER = 'Kehu-Timestamp';
export const EVENT_ID_HEADER = 'Kehu-Event-Id';
export const EVENT_TYPE_HEADER = 'Kehu-Event-Type';

/**
 * The signature of a delivery: `v1=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of
 * the Unix time in seconds, a dot, and the exact body sent. The time is signed so a captured delivery
 * cannot be replayed later: a receiver refuses one whose timestamp is more than a few minutes old.
 */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A receiver's check, as the README describes it (and the tests use): signature right, time recent. */
export function verify(
  secret: string,
  headers: { signature: string; timestamp: string },
  body: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
