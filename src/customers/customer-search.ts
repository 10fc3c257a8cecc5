import { isChinesePair, PAIR_MARK } from './customer-keys.js';
import { normalizeMobile } from './phone.js';

/** Words of a search beyond this many are ignored. */
const MAX_SEARCH_WORDS = 5;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The words a search is made of: each must match (北京 华信, beijing huaxin); a number written in
 * groups (138 1111 2222, 010-1234 5678) is one word.
 */
export function searchWords(q: string): string[] {
  const folded = q.normalize('NFKC').toLowerCase().trim();
  return /^\+?[\d\s-]+$/.test(folded)
    ? [folded]
    : folded.split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
}

/**
 * What one search word matches, as a condition on the customer aliased `c`: its search text (names,
 * pinyin, initials, character pairs: a trigram index), its USCC, or one of its contacts (name, phone,
 * e-mail, the whole mobile and its last digits (尾号): b-tree and trigram indexes on contact). Each
 * part is an index condition, so PostgreSQL ORs their bitmaps and reads each matching customer once.
 * `param` binds a value and answers its placeholder, so the condition fits any query builder.
 */
export function searchCondition(word: string, param: (value: unknown) => string): string {
  const digits = normalizeMobile(word) ?? word.replace(/[\s-]/g, '');
  const w = param(word);
  const contact = [
    Array.from(word).length >= 3 ? `name ILIKE ${param(`%${likeEscape(word)}%`)}` : `name = ${w}`,
    `phone = ${w}`,
    `lower(email) = ${w}`,
  ];
  if (/^\+?\d{5,}$/.test(digits)) contact.push(`mobile = ${param(digits)}`);
  if (/^\d{4,10}$/.test(digits))
    contact.push(`reverse(mobile) LIKE ${param(`${digits.split('').reverse().join('')}%`)}`);
  const like = isChinesePair(word) ? `%${word}${PAIR_MARK}%` : `%${likeEscape(word)}%`;
  const parts = [
    `c.search_text LIKE ${param(like)}`,
    `c.id = ANY(ARRAY(SELECT customer_id FROM contact WHERE deleted_at IS NULL AND (${contact.join(' OR ')})))`,
  ];
  if (/^[0-9a-z]{18}$/.test(word)) parts.push(`c.uscc = upper(${w})`);
  return `(${parts.join(' OR ')})`;
}
