import { foldWidth } from './fold.js';

/** The part before the @: dot-separated words of the characters mail systems allow, no empty word. */
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** The domain: dot-separated labels (no empty one, no leading or trailing dash), a top level of letters. */
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The one e-mail rule of Kehu, for the forms and the import alike: full-width forms folded, trimmed,
 * lower-cased, and refused unless it is name@domain.tld with no empty part (`name@qq..com`,
 * `name.@qq.com` and `name@qq` are refused). Null when it is not an address.
 */
export function normalizeEmail(input: string): string | null {
  const s = foldWidth(input).trim().toLowerCase();
  if (s.length > 200) return null;
  const at = s.lastIndexOf('@');
  if (at <= 0) return null;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  return local.length <= 64 && domain.length <= 253 && LOCAL.test(local) && DOMAIN.test(domain) ? s : null;
}
