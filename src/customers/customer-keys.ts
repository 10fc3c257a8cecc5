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
      if (s.endsWith(form) && s.length > form.length) {
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

/**
 * The text customer search runs over: the name as written, its full pinyin and its pinyin initials,
 * so `bjhx` and `beijinghuaxin` both find 北京华信.
 */
export function searchText(name: string): string {
  const folded = name.normalize('NFKC').toLowerCase();
  const full = pinyin(folded, { toneType: 'none', type: 'array', nonZh: 'consecutive' }).join('');
  const initials = pinyin(folded, {
    pattern: 'first',
    toneType: 'none',
    type: 'array',
    nonZh: 'consecutive',
  }).join('');
  return `${folded} ${full.replace(/\s+/g, '')} ${initials.replace(/\s+/g, '')}`;
}
