import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be delivered. Only http and https; and, unless the admin marked the endpoint as
 * internal, no address on this machine or a private network (a webhook must not become a way to reach
 * the company's own services: the admin of a SaaS Kehu is not the admin of its network).
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Is `address` (an IP) on this machine, a private network, link-local or multicast? */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped ? PRIVATE.check(mapped[1], 'ipv4') : PRIVATE.check(address, 'ipv6');
  }
  return true;
}

/** Why a URL cannot be a webhook's target (a message key), or null if it can be. */
export function urlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'webhook.url_invalid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'webhook.url_scheme';
  if (url.username || url.password) return 'webhook.url_credentials';
  return null;
}

/** The host of a URL as a resolver takes it (an IPv6 literal without its brackets). */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');
