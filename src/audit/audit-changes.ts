import { formatInstant } from '../common/helpers/date.js';
import { hasKey, translate } from '../i18n/i18n.js';
import type { Locale } from '../common/roles.js';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A changed field's name in the viewer's language: `labelKey`, the label the record's own form uses
 * (each module registers its own, see CustomerLifecycle.audit), or the field as stored.
 */
export function fieldLabel(locale: Locale, labelKey: string | undefined, field: string): string {
  return labelKey ? translate(locale, labelKey) : field;
}

/**
 * A stored value as the viewer reads it: an option's label (`prefix` + value, when the field has
 * options), a time in their zone, else as stored.
 */
export function valueText(
  locale: Locale,
  timezone: string,
  prefix: string | undefined,
  value: string,
): string {
  if (value === '') return '';
  if (prefix && hasKey(locale, prefix + value)) return translate(locale, prefix + value);
  if (INSTANT.test(value)) return formatInstant(value, timezone, true);
  return value;
}
