import { hasHan, indexedPairs, lettersOf, SEARCH_TOKEN_LENGTH } from './customer-keys.js';
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
 * The tokens of the customer's search text (customer-keys.ts, after the tab) as the search index
 * `ix_customer_search` holds them: the index's own expression, or the index is not used.
 */
const SEARCH_TOKENS = `array_to_tsvector(array_remove(string_to_array(split_part(c.search_text, E'\\t', 2), ' '), ''))`;

/** A token as a tsquery lexeme: quoted, quotes and backslashes doubled. */
const lexeme = (token: string) => `'${token.replace(/['\\]/g, (ch) => ch + ch)}'`;

/**
 * What one search word matches, as a condition on the customer aliased `c`: its name (the search
 * index of name, pinyin and initials tokens; the duplicate key's trigrams for the inside of Latin
 * names), its USCC, or one of its contacts (name, phone, e-mail, the whole mobile and its last digits
 * (尾号): b-tree and trigram indexes on contact). Each part is an index condition, so PostgreSQL ORs
 * their bitmaps and reads each matching customer once. `param` binds a value and answers its
 * placeholder, so the condition fits any query builder.
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
  const parts = [
    ...nameConditions(word, param),
    `c.id = ANY(ARRAY(SELECT customer_id FROM contact WHERE deleted_at IS NULL AND (${contact.join(' OR ')})))`,
  ];
  if (/^[0-9a-z]{18}$/.test(word)) parts.push(`c.uscc = upper(${w})`);
  return `(${parts.join(' OR ')})`;
}

/**
 * The ways a word matches the customer's name. Its tokens find the customers through the search index
 * (a Chinese word: each of its pairs of characters the index holds; any other word: a pinyin, initials
 * or word token beginning with its first letters). A word the tokens answer exactly (a pair such as
 * 华信, letters no longer than a token) is that condition alone: the index's answer needs no check on
 * each customer, which would compute its tokens again (~15 µs each, 50 ms for 3,340 matches). A longer
 * word is also looked for in the search text; a word whose pairs are all of organisation forms
 * (有限公司) or a single character (华) in the text alone. Latin letters from three on also match
 * anywhere in the duplicate key (the inside of a Latin name).
 */
function nameConditions(word: string, param: (value: unknown) => string): string[] {
  // Every value bound is used: PostgreSQL cannot type a parameter the statement does not mention.
  const inText = (text: string) => `c.search_text LIKE ${param(`%${likeEscape(text)}%`)}`;
  if (hasHan(word)) {
    const pairs = indexedPairs(word);
    if (!pairs.length) return [inText(word)];
    const tokens = `${SEARCH_TOKENS} @@ ${param(pairs.map(lexeme).join(' & '))}::tsquery`;
    return [pairs.length === 1 && pairs[0] === word ? tokens : `(${inText(word)} AND ${tokens})`];
  }
  const letters = lettersOf(word);
  if (!letters) return [];
  const chars = Array.from(letters);
  const head = chars.slice(0, SEARCH_TOKEN_LENGTH).join('');
  const tokens = `${SEARCH_TOKENS} @@ ${param(`${lexeme(head)}:*`)}::tsquery`;
  return [
    ...(chars.length >= 3 ? [`c.name_key LIKE ${param(`%${letters}%`)}`] : []),
    head === letters ? tokens : `(${inText(letters)} AND ${tokens})`,
  ];
}
