import { pinyin } from 'pinyin-pro';
import { PLACE_NAMES } from './regions.js';

/**
 * Chinese company names are 行政区划 + 字号 + 行业 + 组织形式, with the region leading
 * (北京华信科技有限公司) or in brackets (华信科技（北京）有限公司). The duplicate key keeps 字号 + 行业:
 * width folded, case folded, bracketed parts, a leading place name, the organisation form and all
 * punctuation removed. English forms (Co., Ltd., Inc., …) go too.
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

export function duplicateKey(name: string): string {
  let s = name.normalize('NFKC').toLowerCase();
  s = s.replace(/\([^)]*\)|\[[^\]]*\]|【[^】]*】/g, ' ');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  // Strip organisation forms from the end, repeatedly (…集团有限公司, … group co ltd).
  for (let changed = true; changed;) {
    changed = false;
    for (const form of FORMS) {
      // An English form is a word of its own ("… Trading Co"), never the end of one (Costco, Tesco).
      const whole = /^[a-z]/.test(form) ? s.endsWith(` ${form}`) : s.endsWith(form);
      if (whole && s.length > form.length) {
        s = s.slice(0, -form.length).trim();
        changed = true;
      }
    }
  }
  s = s.replace(/\s+/g, '');
  // Strip leading place names, repeatedly (广东省深圳市…), keeping at least two characters.
  for (let changed = true; changed;) {
    const place = PLACE_NAMES.find((p) => s.startsWith(p) && s.length > p.length + 1);
    changed = place !== undefined;
    if (place) s = s.slice(place.length);
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
  const full = pinyin(folded, { toneType: 'none', type: 'array', nonZh: 'consecutive' }).join('');
  const initials = pinyin(folded, {
    pattern: 'first',
    toneType: 'none',
    type: 'array',
    nonZh: 'consecutive',
  }).join('');
  return `${folded} ${full.replace(/\s+/g, '')} ${initials.replace(/\s+/g, '')} ${pairs.join(' ')}`.trim();
}
