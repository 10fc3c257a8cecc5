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

/** A token as a tsquery lexeme: quoted, quotes and backslashes doubled. */
const lexeme = (token: string) => `'${token.replace(/['\\]/g, (ch) => ch + ch)}'`;

/** The three-character pieces of a word, each once. */
const trigrams = (chars: string[]) => [
  ...new Set(chars.slice(2).map((ch, i) => chars[i] + chars[i + 1] + ch)),
];

/**
 * What one search word matches, as a condition on the customer aliased `c`: its name, one of its
 * live contacts (name, phone, e-mail, the whole mobile or its last digits: 尾号) or its USCC. Name
 * and contacts are found through one column, the customer's stored tokens (`search_tokens`, GIN
 * index `ix_customer_search`; the migration StoreCustomerSearchTokens says what they hold), so the
 * condition reads one table: the tokens that answer the word exactly are one `@@` of alternatives,
 * those that only narrow it are checked against the search text. `param` binds a value and answers
 * its placeholder, so the condition fits any query builder.
 */
export function searchCondition(word: string, param: (value: unknown) => string): string {
  const digits = normalizeMobile(word) ?? word.replace(/[\s-]/g, '');
  const chars = Array.from(word);
  const { exact, checked } = nameTokens(word, param);
  // A contact's name: whole when the word is one or two characters (two Chinese characters are a pair
  // like the name's: one token for both), else containing each three of the word's characters in a row
  // (all of a three-character word: the word itself).
  if (chars.length >= 3)
    exact.push(
      `(${trigrams(chars)
        .map((t) => lexeme(`t:${t}`))
        .join(' & ')})`,
    );
  else if (/^[\u4e00-\u9fff]{2}$/.test(word)) {
    if (!exact.includes(lexeme(word))) exact.push(lexeme(word));
  } else exact.push(lexeme(`n:${word}`));
  // A phone has digits, an e-mail address an @: other words look for neither.
  if (/\d/.test(word)) exact.push(lexeme(`p:${word}`));
  if (word.includes('@')) exact.push(lexeme(`e:${word}`));
  if (/^\+?\d{5,}$/.test(digits)) exact.push(lexeme(`m:${digits}`));
  // The last digits of a mobile: four are a token; more are its last four, checked against the mobile.
  if (/^\d{4}$/.test(digits)) exact.push(lexeme(`r:${digits}`));
  else if (/^\d{5,10}$/.test(digits))
    checked.push(
      `(c.search_tokens @@ ${param(lexeme(`r:${digits.slice(-4)}`))}::tsquery AND c.search_tokens::text ~ ${param(`'m:[0-9]*${digits}'`)})`,
    );
  const parts = [`c.search_tokens @@ ${param(exact.join(' | '))}::tsquery`, ...checked];
  if (/^[0-9a-z]{18}$/.test(word)) parts.push(`c.uscc = upper(${param(word)})`);
  return `(${parts.join(' OR ')})`;
}

/**
 * The ways a word matches the customer's name: tsquery alternatives its tokens answer exactly, and
 * other conditions (the tokens with the search text, the duplicate key). A Chinese word is found by each of its pairs of
 * characters the tokens hold; any other word by a pinyin, initials or word token beginning with its
 * first letters. A word the tokens answer exactly (a pair such as 华信, letters no longer than a
 * token) needs no more; a longer word is also looked for in the search text; a word whose pairs are
 * all of organisation forms (有限公司) or a single character (华) in the text alone. Latin letters from
 * three on also match anywhere in the duplicate key (the inside of a Latin name).
 */
function nameTokens(word: string, param: (value: unknown) => string): { exact: string[]; checked: string[] } {
  // Every value bound is used: PostgreSQL cannot type a parameter the statement does not mention.
  const inText = (text: string) => `c.search_text LIKE ${param(`%${likeEscape(text)}%`)}`;
  const tokens = (query: string) => `c.search_tokens @@ ${param(query)}::tsquery`;
  if (hasHan(word)) {
    const pairs = indexedPairs(word);
    if (!pairs.length) return { exact: [], checked: [inText(word)] };
    if (pairs.length === 1 && pairs[0] === word) return { exact: [lexeme(word)], checked: [] };
    return { exact: [], checked: [`(${inText(word)} AND ${tokens(pairs.map(lexeme).join(' & '))})`] };
  }
  const letters = lettersOf(word);
  if (!letters) return { exact: [], checked: [] };
  const chars = Array.from(letters);
  const head = chars.slice(0, SEARCH_TOKEN_LENGTH).join('');
  const checked = chars.length >= 3 ? [`c.name_key LIKE ${param(`%${letters}%`)}`] : [];
  if (head === letters) return { exact: [`${lexeme(head)}:*`], checked };
  return { exact: [], checked: [...checked, `(${inText(letters)} AND ${tokens(`${lexeme(head)}:*`)})`] };
}
