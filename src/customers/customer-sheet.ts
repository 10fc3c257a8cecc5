import type { Locale } from '../common/roles.js';
import { translate } from '../i18n/i18n.js';
import type { Contact } from './contact.entity.js';
import type { Customer } from './customer.entity.js';

/**
 * The columns of a customer spreadsheet, shared by export and import: an exported file imports back
 * unchanged. Headers and option values (tier, status, …) are written in the user's language; import
 * recognises either language, and the codes.
 */
/** A customer as a row shows it: its fields, and its owner's name. */
export type SheetCustomer = Customer & { ownerName: string | null };

export interface SheetColumn {
  field: string;
  value(c: SheetCustomer, primary: Contact | undefined, locale: Locale): string | number | boolean | null;
}

/** An option's label in `locale` (customer.tier.A → "A 级"); null for no value. */
const label = (locale: Locale, prefix: string, value: string | null) =>
  value === null ? null : translate(locale, `${prefix}${value}`);

export const SHEET_COLUMNS: SheetColumn[] = [
  { field: 'name', value: (c) => c.name },
  { field: 'kind', value: (c, _, l) => label(l, 'customer.kind.', c.kind) },
  { field: 'uscc', value: (c) => c.uscc },
  { field: 'industry', value: (c, _, l) => label(l, 'customer.industry.', c.industry) },
  { field: 'size', value: (c, _, l) => label(l, 'customer.size.', c.size) },
  { field: 'province', value: (c) => c.province },
  { field: 'city', value: (c) => c.city },
  { field: 'district', value: (c) => c.district },
  { field: 'address', value: (c) => c.address },
  { field: 'website', value: (c) => c.website },
  { field: 'tier', value: (c, _, l) => label(l, 'customer.tier.', c.tier) },
  { field: 'vip', value: (c, _, l) => translate(l, c.vip ? 'sheet.yes' : 'sheet.no') },
  { field: 'creditLevel', value: (c) => c.creditLevel },
  { field: 'source', value: (c, _, l) => label(l, 'customer.source.', c.source) },
  { field: 'status', value: (c, _, l) => label(l, 'customer.status.', c.status) },
  // The name people know the owner by; the import takes a name or an e-mail (two users may share a name).
  { field: 'owner', value: (c) => c.ownerName },
  { field: 'tags', value: (c) => c.tags.join(', ') },
  { field: 'birthday', value: (c) => c.birthday },
  { field: 'contactName', value: (_, p) => p?.name ?? null },
  { field: 'contactTitle', value: (_, p) => p?.title ?? null },
  { field: 'contactMobile', value: (_, p) => p?.mobile ?? null },
  { field: 'contactPhone', value: (_, p) => p?.phone ?? null },
  { field: 'contactEmail', value: (_, p) => p?.email ?? null },
  { field: 'contactWechat', value: (_, p) => p?.wechat ?? null },
  { field: 'notes', value: (c) => c.notes },
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

export function sheetRow(
  c: SheetCustomer,
  primary: Contact | undefined,
  locale: Locale,
): (string | number | boolean | null)[] {
  return SHEET_COLUMNS.map((col) => neutralize(col.value(c, primary, locale)));
}
