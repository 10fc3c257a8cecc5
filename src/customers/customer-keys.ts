import { pinyin } from 'pinyin-pro';
import { PLACE_NAMES } from '../common/regions.js';

const PLACES = new Set(PLACE_NAMES);
const LONGEST_PLACE = Math.max(...PLACE_NAMES.map((p) => p.length));

/**
 * Chinese company names are 行政区划 + 字号 + 行业 + 组织形式, with the region leading
 * (北京华信科技有限公司), in brackets (华信科技（北京）有限公司) or, now and then, after 行业
 * (华信科技北京有限公司). The duplicate key keeps 字号 + 行业: width folded, case folded, bracketed
 * parts, leading and trailing place names, the organisation form and all punctuation removed.
 * English forms (Co., Ltd., Inc., …) go too.
 */
const FORMS = [
  '股份有限公司',
  '有限责任公司',
  '集团有限公司',
  '集团股份有限公司',
  '有限公司',
  '分公司',
  '总公司',
  '集团',
  '公司',
  'company limited',
  'co ltd',
  'co',
  'ltd',
  'limited',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'llc',
  'group',
  'gmbh',
  'plc',
];

/** Each form with what a name ends in when it has it: an English form is a word of its own
 * ("… Trading Co"), never the end of one (Costco, Tesco). */
const FORM_ENDINGS = FORMS.map((form) => [form, /^[a-z]/.test(form) ? ` ${form}` : form] as const);

export function duplicateKey(name: string): string {
  let s = name.normalize('NFKC').toLowerCase();
  s = s.replace(/\([^)]*\)|\[[^\]]*\]|【[^】]*】/g, ' ');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  // Strip organisation forms from the end, repeatedly (…集团有限公司, … group co ltd).
  for (let changed = true; changed;) {
    changed = false;
    for (const [form, ending] of FORM_ENDINGS) {
      if (s.endsWith(ending) && s.length > form.length) {
        s = s.slice(0, -form.length).trim();
        changed = true;
      }
    }
  }
  s = s.replace(/\s+/g, '');
  // Strip leading place names, repeatedly (广东省深圳市…), keeping at least two characters…
  for (let length = Math.min(LONGEST_PLACE, s.length - 2); length >= 2; length--) {
    if (PLACES.has(s.slice(0, length))) {
      s = s.slice(length);
      length = Math.min(LONGEST_PLACE, s.length - 2) + 1;
    }
  }
  // …and trailing ones: the place written after 字号 + 行业 without brackets (华信科技北京有限公司).
  for (let length = Math.min(LONGEST_PLACE, s.length - 2); length >= 2; length--) {
    if (PLACES.has(s.slice(-length))) {
      s = s.slice(0, -length);
      length = Math.min(LONGEST_PLACE, s.length - 2) + 1;
    }
  }
  return s;
}

const HAN = /\p{Script=Han}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * How many characters of a pinyin, initials or word token the search index holds. Longer tokens
 * would be nearly unique to each customer, and a key of its own per customer is what makes an index
 * costly to write; a longer search word is looked up by its first characters and checked against
 * the whole text.
 */
export const SEARCH_TOKEN_LENGTH = 8;

/**
 * The text customer search runs over, in two parts separated by a tab:
 *
 * - what a search word is checked against: the name as written (width and case folded), its full
 *   pinyin and its pinyin initials (`北京华信科技有限公司 beijinghuaxin… bjhxkjyxgs`);
 * - the tokens the search index holds (customer-search.ts): every pair of neighbouring Chinese
 *   characters (华信), so a Chinese word is found by its pairs; and the first characters of the
 *   pinyin and of the initials from each Chinese character and each word of other letters on
 *   (`beijingh bjhxkjyx huaxinke hxkjyxgs kejiyoux kjyxgs …`), so pinyin and initials are found by
 *   what they begin with, from the start of the name or from any of its characters (keji, xkj).
 *
 * Organisation forms (有限公司: nearly every name has one) start no token and give no pair; a word
 * made only of them is looked for in the text.
 */
export function searchText(name: string): string {
  const folded = name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const chars = Array.from(folded);
  const han = chars.map(isHan);
  const letter = chars.map((ch, i) => han[i] || isLetterOrDigit(ch));
  const readings = readingsOf(folded, chars, han);
  // What each character adds to the pinyin and to the initials: letters and digits only.
  const pinyinOf = readings.map((r, i) => (letter[i] ? r : ''));
  const initialOf = readings.map((r, i) => (han[i] ? firstOf(r) : pinyinOf[i]));
  const tokens = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) {
    if (han[i] && han[i + 1]) {
      const pair = chars[i] + chars[i + 1];
      if (!FORM_PAIRS.has(pair)) tokens.add(pair);
    }
  }
  for (const start of tokenStarts(chars, han, letter)) {
    tokens.add(head(pinyinOf, start));
    tokens.add(head(initialOf, start));
  }
  tokens.delete('');
  const fullPinyin = pinyinOf.join('');
  const initials = initialOf.join('');
  const text = [folded, fullPinyin, ...(initials === fullPinyin ? [] : [initials])].filter(Boolean).join(' ');
  return `${text}\t${[...tokens].join(' ')}`;
}

/** The first SEARCH_TOKEN_LENGTH characters of `pieces` joined, from `start`. */
function head(pieces: string[], start: number): string {
  let text = '';
  for (let i = start; i < pieces.length && text.length < SEARCH_TOKEN_LENGTH; i++) text += pieces[i];
  // Counted in characters, not UTF-16 units, should a character lie outside the BMP.
  return SURROGATE.test(text)
    ? Array.from(text).slice(0, SEARCH_TOKEN_LENGTH).join('')
    : text.slice(0, SEARCH_TOKEN_LENGTH);
}

const SURROGATE = /[\ud800-\udfff]/;

/** A reading's first character. */
function firstOf(reading: string): string {
  return SURROGATE.test(reading.slice(0, 1)) ? reading.slice(0, 2) : reading.slice(0, 1);
}

/** Whether `ch` is a Chinese character (the common ones without a regular expression). */
function isHan(ch: string): boolean {
  const code = ch.charCodeAt(0);
  if (code >= 0x4e00 && code <= 0x9fff) return true;
  return code >= 0x2e80 && HAN.test(ch);
}

/** Whether `ch` is a letter or a digit (ASCII without a regular expression: most of a name). */
function isLetterOrDigit(ch: string): boolean {
  const code = ch.charCodeAt(0);
  if (code >= 0x80) return LETTER_OR_DIGIT.test(ch);
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
}

/** Pairs of neighbouring Chinese characters within organisation forms (有限, 公司, 集团…). */
const FORM_PAIRS: ReadonlySet<string> = new Set(FORMS.flatMap(hanPairs));

/** The pairs of neighbouring Chinese characters in `text`, each once, in order. */
function hanPairs(text: string): string[] {
  const chars = Array.from(text);
  const pairs = chars
    .slice(0, -1)
    .map((ch, i) => (HAN.test(ch) && HAN.test(chars[i + 1]) ? ch + chars[i + 1] : ''))
    .filter(Boolean);
  return [...new Set(pairs)];
}

/**
 * The pairs of Chinese characters of a (folded) name or search word that the search index holds:
 * all but those of organisation forms.
 */
export function indexedPairs(text: string): string[] {
  return hanPairs(text).filter((pair) => !FORM_PAIRS.has(pair));
}

/** Whether `text` holds a Chinese character. */
export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** A search word's letters and digits, as the pinyin, initials and word tokens are written. */
export function lettersOf(word: string): string {
  return Array.from(word)
    .filter((ch) => LETTER_OR_DIGIT.test(ch))
    .join('');
}

/**
 * Where tokens start: every Chinese character but those of an organisation form, and every word of
 * other letters: a letter or digit after anything else, or where Chinese meets other letters
 * (ABC科技 starts at a and at each of 科技; 北京华信科技有限公司 at each of 北京华信科技).
 */
function tokenStarts(chars: string[], han: boolean[], letter: boolean[]): Set<number> {
  const inForm = (i: number) =>
    FORM_PAIRS.has(chars[i] + (chars[i + 1] ?? '')) || (i > 0 && FORM_PAIRS.has(chars[i - 1] + chars[i]));
  const starts = new Set<number>();
  for (let i = 0; i < chars.length; i++) {
    if (han[i] ? !inForm(i) : letter[i] && (i === 0 || !letter[i - 1] || han[i - 1])) starts.add(i);
  }
  return starts;
}

/**
 * Each character's reading: a Chinese character's pinyin syllable (read in context: 重庆 is
 * chongqing), any other character itself. One pinyin pass over the whole name, the costly part.
 */
function readingsOf(folded: string, chars: string[], han: boolean[]): string[] {
  const syllables = pinyin(folded, { toneType: 'none', type: 'array', nonZh: 'consecutive' });
  const readings: string[] = [];
  for (const syllable of syllables) {
    const at = readings.length;
    if (han[at]) readings.push(syllable);
    else {
      const other = Array.from(syllable);
      // Not lined up with the characters (not seen): each character read on its own.
      if (chars.slice(at, at + other.length).join('') !== syllable) return chars.map(readingOf);
      readings.push(...other);
    }
  }
  return readings.length === chars.length ? readings : chars.map(readingOf);
}

function readingOf(ch: string): string {
  return HAN.test(ch) ? (pinyin(ch, { toneType: 'none', type: 'array' })[0] ?? ch) : ch;
}
