import type { Locale } from '../users/roles.js';
import { translate } from '../i18n/i18n.js';
import type { Contact } from './contact.entity.js';
import type { Customer } from './customer.entity.js';

/**
 * The columns of a customer spreadsheet, shared by export and import: an exported file imports back
 * unchanged. Headers are written in the user's language; import recognises either language.
 * Option values (tier, status, …) are written as their codes, which read the same in both.
 */
export interface SheetColumn {
  field: string;
  value(c: Customer, primary: Contact | undefined): string | number | boolean | null;
}

export const SHEET_COLUMNS: SheetColumn[] = [
  { field: 'name', value: (c) => c.name },
  { field: 'kind', value: (c) => c.kind },
  { field: 'uscc', value: (c) => c.uscc },
  { field: 'industry', value: (c) => c.industry },
  { field: 'size', value: (c) => c.size },
  { field: 'province', value: (c) => c.province },
  { field: 'city', value: (c) => c.city },
  { field: 'district', value: (c) => c.district },
  { field: 'address', value: (c) => c.address },
  { field: 'website', value: (c) => c.website },
  { field: 'tier', value: (c) => c.tier },
  { field: 'vip', value: (c) => (c.vip ? 'Y' : 'N') },
  { field: 'creditLevel', value: (c) => c.creditLevel },
  { field: 'source', value: (c) => c.source },
  { field: 'status', value: (c) => c.status },
  { field: 'owner', value: (c) => c.owner?.email ?? null },
  { field: 'tags', value: (c) => c.tags.join(', ') },
  { field: 'birthday', value: (c) => c.birthday },
  { field: 'contactName', value: (_, p) => p?.name ?? null },
  { field: 'contactTitle', value: (_, p) => p?.title ?? null },
  { field: 'contactMobile', value: (_, p) => p?.mobile ?? null },
  { field: 'contactPhone', value: (_, p) => p?.phone ?? null },
  { field: 'contactEmail', value: (_, p) => p?.email ?? null },
  { field: 'contactWechat', value: (_, p) => p?.wechat ?? null },
];

export function sheetHeaders(locale: Locale): string[] {
  return SHEET_COLUMNS.map((col) => translate(locale, `sheet.${col.field}`));
}

/**
 * A cell as text that a spreadsheet will not run: a value starting with = + - @ (or a tab or carriage
 * return) is a formula to Excel and WPS, so it gets a leading apostrophe, which they show as text.
 */
export function neutralize(value: string | number | boolean | null): string | number | boolean | null {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function sheetRow(c: Customer, primary: Contact | undefined): (string | number | boolean | null)[] {
  return SHEET_COLUMNS.map((col) => neutralize(col.value(c, primary)));
}
