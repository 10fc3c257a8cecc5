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

const CJK = /\p{Script=Han}/u;

/**
 * A two-character search term as the trigram index can find it: 字号 are often two characters
 * (华信), and a trigram index needs three. searchText() writes every pair of Chinese characters
 * followed by this mark, so `%华信~%` is a three-character pattern the index serves.
 */
export const PAIR_MARK = '~';

export function isChinesePair(q: string): boolean {
  const chars = Array.from(q);
  return chars.length === 2 && chars.every((ch) => CJK.test(ch));
}

/**
 * The text customer search runs over: the name as written, its full pinyin, its pinyin initials,
 * and its pairs of Chinese characters, so `bjhx`, `beijinghuaxin` and `华信` all find 北京华信.
 */
export function searchText(name: string): string {
  const folded = name.normalize('NFKC').toLowerCase();
  const chars = Array.from(folded);
  const pairs = chars
    .slice(0, -1)
    .map((ch, i) => (CJK.test(ch) && CJK.test(chars[i + 1]) ? ch + chars[i + 1] + PAIR_MARK : ''))
    .filter(Boolean);
  // One pinyin pass (the costly part of a name): initials are each Chinese syllable's first letter,
  // with other text as written.
  const syllables = pinyin(folded, { toneType: 'none', type: 'array', nonZh: 'consecutive' });
  const full = syllables.join('');
  const initials =
    initialsOf(chars, syllables) ??
    pinyin(folded, {
      pattern: 'first',
      toneType: 'none',
      type: 'array',
      nonZh: 'consecutive',
    }).join('');
  return `${folded} ${full.replace(/\s+/g, '')} ${initials.replace(/\s+/g, '')} ${pairs.join(' ')}`.trim();
}

/** Initials from the syllables of `chars`; null if they do not line up (then pinyin-pro is asked). */
function initialsOf(chars: string[], syllables: string[]): string | null {
  let initials = '';
  let at = 0;
  for (const syllable of syllables) {
    if (at < chars.length && CJK.test(chars[at])) {
      initials += syllable[0] ?? '';
      at++;
    } else {
      const other = Array.from(syllable);
      if (chars.slice(at, at + other.length).join('') !== syllable) return null;
      initials += syllable;
      at += other.length;
    }
  }
  return at === chars.length ? initials : null;
}
