import { translate } from '../../i18n/i18n.js';
import { type Locale, LOCALES } from '../../common/roles.js';
import {
  CUSTOMER_KINDS,
  CUSTOMER_SIZES,
  CUSTOMER_SOURCES,
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  INDUSTRIES,
  readTier,
} from '../customer.options.js';
import { SHEET_COLUMNS } from '../customer-sheet.js';
import { normalizeEmail } from '../email.js';
import { mobileProblem, normalizeMobile, normalizePhone } from '../phone.js';
import { normalizeUscc, usccProblem } from '../uscc.js';
import { INDUSTRY_NAMES } from './industry-names.js';

/** The fields a column can fill: the export's columns, so an exported file imports back as it was. */
export const IMPORT_FIELDS = SHEET_COLUMNS.map((c) => c.field);

export type Cell = string | number | boolean | null;
/**
 * A row's values by field. `unknown` holds, per option field, a text that names none of its options:
 * the field stays empty unless the user maps that text to an option on the preview.
 */
export type RowValues = Record<string, string | boolean | null | Record<string, string>>;

/** Header words people use for each field, besides the export's own headers in both languages. */
const SYNONYMS: Record<string, string[]> = {
  name: ['公司名称', '企业名称', '客户', '名称', '单位名称', 'company', 'customer', 'company name', 'name'],
  kind: ['类型'],
  uscc: ['信用代码', '社会信用代码', '税号', 'credit code'],
  industry: ['所属行业'],
  size: ['人员规模', '公司规模'],
  province: ['省份', '所在省'],
  city: ['城市', '所在市'],
  district: ['区县', '县区'],
  address: ['详细地址', '公司地址', '联系地址'],
  website: ['官网', '网址'],
  tier: ['级别', '等级', '客户等级', 'level'],
  source: ['客户来源', '线索来源'],
  status: ['客户状态'],
  owner: ['销售', '归属人', '所属销售', '业务员'],
  contactName: ['联系人姓名', '姓名', 'contact name'],
  contactTitle: ['职务', 'title', 'job title'],
  contactMobile: ['手机号', '手机号码', '移动电话', 'cell', 'cellphone', 'mobile phone'],
  contactPhone: ['座机', '固定电话', '联系电话', 'tel', 'telephone'],
  contactEmail: ['电子邮箱', '邮件', 'email', 'mail'],
  contactWechat: ['微信号', 'wechat id', 'weixin'],
  notes: ['备注', '备注信息', '说明', '情况说明', 'remark', 'remarks', 'note', 'comments'],
};

const fold = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_:：*()]/g, '');

const HEADER_INDEX: Map<string, string> = (() => {
  const index = new Map<string, string>();
  for (const field of IMPORT_FIELDS) {
    for (const word of [
      ...LOCALES.map((l) => translate(l, `sheet.${field}`)),
      field,
      ...(SYNONYMS[field] ?? []),
    ]) {
      if (!index.has(fold(word))) index.set(fold(word), field);
    }
  }
  return index;
})();

/** The field each header most likely means ('' when none); each field is used once. */
export function guessMapping(headers: string[]): string[] {
  const used = new Set<string>();
  return headers.map((h) => {
    const field = HEADER_INDEX.get(fold(h)) ?? '';
    if (!field || used.has(field)) return '';
    used.add(field);
    return field;
  });
}

/** How many of a file's first rows may hold its header (title rows such as 2026年客户台账 above it). */
const MAX_HEADER_SEARCH = 10;

/**
 * Which of a file's first rows is its header: the one (among the first ten) in which most cells name a
 * field, the earliest of equals; the first row when none names any. Title rows above the header
 * (2026年客户台账, a date line) name no field, so they are passed over.
 */
export function findHeaderRow(rows: { row: number; texts: string[] }[]): number {
  let best = rows[0]?.row ?? 1;
  let bestCount = 0;
  for (const { row, texts } of rows.slice(0, MAX_HEADER_SEARCH)) {
    const count = guessMapping(texts).filter(Boolean).length;
    if (count > bestCount) {
      best = row;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Values of an option list, matched by code or by its label in either language ("A 级", "Lead", "线索"),
 * and by the extra `words` of each code. A column holds few distinct texts, so each text is folded
 * and looked up once.
 */
function optionMatcher(
  prefix: string,
  values: readonly string[],
  alsoTry?: (text: string) => string | null,
  words: Record<string, string[]> = {},
): (text: string) => string | null {
  const index = new Map<string, string>();
  for (const v of values) {
    for (const word of words[v] ?? []) index.set(fold(word), v);
    index.set(fold(v), v);
    for (const l of LOCALES) index.set(fold(translate(l, `${prefix}${v}`)), v);
  }
  const seen = new Map<string, string | null>();
  return (text) => {
    let found = seen.get(text);
    if (found === undefined) {
      found = index.get(fold(text)) ?? (alsoTry ? alsoTry(text) : null) ?? null;
      // Bounded: a column of free text must not grow this without end.
      if (seen.size < 10_000) seen.set(text, found);
    }
    return found;
  };
}

/** The option lists a column can fill, by field: message prefix and codes. */
const OPTION_LISTS: Record<string, [prefix: string, values: readonly string[]]> = {
  kind: ['customer.kind.', CUSTOMER_KINDS],
  tier: ['customer.tier.', CUSTOMER_TIERS],
  status: ['customer.status.', CUSTOMER_STATUSES],
  source: ['customer.source.', CUSTOMER_SOURCES],
  size: ['customer.size.', CUSTOMER_SIZES],
  industry: ['customer.industry.', INDUSTRIES],
  vip: ['sheet.', ['yes', 'no']],
};

/** The option fields whose unknown values the user maps on the preview (vip is yes or no, nothing else). */
export const MAPPABLE_FIELDS = ['kind', 'tier', 'status', 'source', 'size', 'industry'] as const;

const OPTIONS: Record<string, (text: string) => string | null> = {
  kind: optionMatcher(...OPTION_LISTS.kind),
  tier: optionMatcher(...OPTION_LISTS.tier, readTier),
  status: optionMatcher(...OPTION_LISTS.status),
  source: optionMatcher(...OPTION_LISTS.source),
  size: optionMatcher(...OPTION_LISTS.size),
  industry: optionMatcher(...OPTION_LISTS.industry, undefined, INDUSTRY_NAMES),
};

/** An option field's choices, as codes with their labels in `locale`, for the preview's value mapping. */
export function optionChoices(locale: Locale, field: string): { value: string; label: string }[] {
  const list = OPTION_LISTS[field];
  return list ? list[1].map((v) => ({ value: v, label: translate(locale, `${list[0]}${v}`) })) : [];
}

/** Whether `value` is one of `field`'s option codes. */
export function isOption(field: string, value: string): boolean {
  return (OPTION_LISTS[field]?.[1] ?? []).includes(value);
}

/** A column's letter as spreadsheets show it: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let letter = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letter = String.fromCharCode(65 + ((n - 1) % 26)) + letter;
  }
  return letter;
}

/**
 * A row error as the user reads it, naming the column as the file has it when `column` is given:
 * "Column F (手机): Mobile: 10 digits; a mobile has 11". A value that is not one of a list's options is
 * told the options, in the user's language.
 */
export function rowErrorText(
  locale: Locale,
  field: string,
  key: string,
  column?: { index: number; header: string },
): string {
  const list = OPTION_LISTS[field];
  const why =
    key === 'validation.invalid' && list
      ? translate(locale, 'import.not_an_option', {
          values: list[1].map((v) => translate(locale, `${list[0]}${v}`)).join(locale === 'en' ? ', ' : '、'),
        })
      : translate(locale, key);
  const colon = translate(locale, 'punct.colon');
  const where =
    column && column.index >= 0
      ? `${translate(locale, 'import.column_at', { letter: columnLetter(column.index), header: column.header })}${colon}`
      : '';
  return `${where}${translate(locale, `sheet.${field}`)}${colon}${why}`;
}

const YES = new Set(['y', 'yes', 'true', '1', '是', '√', 'vip']);
const NO = new Set(['n', 'no', 'false', '0', '否', '']);

/** A cell as text. The export's leading apostrophe before = + - @ is taken off again; nothing is evaluated. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  // NUL characters cannot be stored in PostgreSQL text.
  let text = String(cell);
  if (text.includes('\0')) text = text.replaceAll('\0', '');
  text = text.trim();
  return text.charCodeAt(0) === 39 /* ' */ && /^'[=+\-@]/.test(text) ? text.slice(1) : text;
}

/** An Excel date serial (days since 1899-12-30) or a written date, as YYYY-MM-DD. */
function toDate(cell: Cell): string | null {
  if (typeof cell === 'number' && cell > 0 && cell < 100_000) {
    return new Date(Date.UTC(1899, 11, 30) + Math.round(cell) * 86_400_000).toISOString().slice(0, 10);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cellText(cell));
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  // A real day: 2026-02-30 would pass Date.parse but not PostgreSQL.
  const day = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === iso ? iso : null;
}

/** The customer form's limits, so an imported customer can be saved again from the form. */
const MAX_LENGTH: Record<string, number> = {
  name: 200,
  province: 50,
  city: 50,
  district: 50,
  address: 300,
  website: 300,
  creditLevel: 20,
  tags: 500,
  contactName: 100,
  contactTitle: 100,
  contactWechat: 100,
  owner: 200,
  notes: 2000,
};

/**
 * One row's cells, through the mapping, as customer values; and, per field, the locale key of what is
 * wrong. The same rules as the customer form, so an imported customer is one the form would accept.
 */
export function readRow(
  cells: Cell[],
  mapping: string[],
): { values: RowValues; errors: Record<string, string> } {
  const values: RowValues = {};
  const errors: Record<string, string> = {};
  mapping.forEach((field, i) => {
    if (!field) return;
    const cell = cells[i] ?? null;
    const text = cellText(cell);
    if (text === '') {
      values[field] = field === 'vip' ? false : null;
      return;
    }
    switch (field) {
      case 'uscc': {
        const code = normalizeUscc(text);
        const problem = usccProblem(code);
        if (problem) errors.uscc = problem;
        else values.uscc = code;
        break;
      }
      case 'contactMobile': {
        const input = typeof cell === 'number' ? cell : text;
        const mobile = normalizeMobile(input);
        if (mobile) values.contactMobile = mobile;
        else errors.contactMobile = mobileProblem(input) ?? 'validation.mobile';
        break;
      }
      case 'contactPhone': {
        const phone = normalizePhone(text);
        if (phone) values.contactPhone = phone;
        else errors.contactPhone = 'validation.phone';
        break;
      }
      case 'contactEmail': {
        const email = normalizeEmail(text);
        if (email) values.contactEmail = email;
        else errors.contactEmail = 'validation.isEmail';
        break;
      }
      case 'vip':
        if (YES.has(fold(text))) values.vip = true;
        else if (NO.has(fold(text))) values.vip = false;
        else errors.vip = 'validation.invalid';
        break;
      case 'birthday': {
        const day = toDate(cell);
        if (day) values.birthday = day;
        else errors.birthday = 'validation.isDate';
        break;
      }
      default: {
        const option = OPTIONS[field];
        if (option) {
          // A text that names no option is no error: the field stays empty unless the user maps the
          // text to an option on the preview.
          const v = option(text);
          values[field] = v;
          if (!v)
            values.unknown = { ...(values.unknown as Record<string, string>), [field]: text.slice(0, 200) };
        } else if (text.length > (MAX_LENGTH[field] ?? 200)) {
          errors[field] = 'validation.tooLong';
        } else if (field === 'website' && !/^(https?:\/\/)?[^\s/$.?#]+\.[^\s]+$/i.test(text)) {
          errors.website = 'validation.isUrl';
        } else if (field === 'tags' && text.split(/[,，;；]/).some((tag) => tag.trim().length > 30)) {
          errors.tags = 'validation.tooLong';
        } else {
          values[field] = text;
        }
      }
    }
  });
  if (!values.name) errors.name ??= 'validation.required';
  return { values, errors };
}
