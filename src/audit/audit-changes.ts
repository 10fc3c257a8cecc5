import { formatInstant } from '../common/helpers/date.js';
import { hasKey, translate } from '../i18n/i18n.js';
import type { Locale } from '../common/roles.js';

/**
 * How the audit page names a changed field, by kind of record: the label the record's own form uses.
 * A field not listed shows as stored.
 */
const FIELD_LABELS: Record<string, Record<string, string>> = {
  customer: {
    name: 'sheet.name',
    kind: 'sheet.kind',
    uscc: 'sheet.uscc',
    industry: 'sheet.industry',
    size: 'sheet.size',
    province: 'sheet.province',
    city: 'sheet.city',
    district: 'sheet.district',
    address: 'sheet.address',
    website: 'sheet.website',
    tier: 'sheet.tier',
    vip: 'sheet.vip',
    creditLevel: 'sheet.creditLevel',
    source: 'sheet.source',
    status: 'sheet.status',
    tags: 'sheet.tags',
    birthday: 'sheet.birthday',
    ownerId: 'sheet.owner',
  },
  contact: {
    name: 'contact.name',
    title: 'contact.title',
    mobile: 'contact.mobile',
    phone: 'contact.phone',
    email: 'contact.email',
    wechat: 'contact.wechat',
    primary: 'contact.primary',
    birthday: 'contact.birthday',
  },
  follow_up: {
    method: 'follow_up.method_label',
    happenedAt: 'follow_up.happened_at',
    contactId: 'follow_up.contact',
    summary: 'follow_up.summary',
    promises: 'follow_up.promises',
    nextAction: 'follow_up.next_action',
    nextFollowUpAt: 'follow_up.next_at',
    location: 'follow_up.location',
  },
  user: {
    name: 'user.name',
    email: 'user.email',
    role: 'user.role',
    teamId: 'user.team',
    region: 'user.region',
    locale: 'user.locale',
    active: 'user.status',
  },
};

/** Fields whose stored codes have labels: the prefix of their messages. */
const VALUE_LABELS: Record<string, string> = {
  kind: 'customer.kind.',
  industry: 'customer.industry.',
  size: 'customer.size.',
  tier: 'customer.tier.',
  source: 'customer.source.',
  status: 'customer.status.',
  method: 'follow_up.method.',
  role: 'role.',
  locale: 'locale.',
};

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A changed field's name in the viewer's language, or as stored. */
export function fieldLabel(locale: Locale, entity: string, field: string): string {
  const key = FIELD_LABELS[entity]?.[field];
  return key ? translate(locale, key) : field;
}

/** A stored value as the viewer reads it: an option's label, a time in their zone, else as stored. */
export function valueText(locale: Locale, timezone: string, field: string, value: string): string {
  if (value === '') return '';
  const prefix = VALUE_LABELS[field];
  if (prefix && hasKey(locale, prefix + value)) return translate(locale, prefix + value);
  if (INSTANT.test(value)) return formatInstant(value, timezone, true);
  return value;
}
