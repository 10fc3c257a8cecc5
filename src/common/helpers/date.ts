import type { HelperOptions } from 'handlebars';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** Instants already written, by zone, precision and minute: a list page writes dozens of the same days. */
const written = new Map<string, string>();
const WRITTEN_MAX = 10_000;

/** Formats an instant as YYYY-MM-DD HH:mm in `zone`, or a calendar date (YYYY-MM-DD string) as is. */
export function formatInstant(value: Date | string, zone: string, withTime: boolean): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`date: not a date: ${String(value)}`);
  const key = `${zone}|${withTime}|${Math.floor(d.getTime() / 60_000)}`;
  let text = written.get(key);
  if (text === undefined) {
    text = write(d, zone, withTime);
    if (written.size >= WRITTEN_MAX) written.clear();
    written.set(key, text);
  }
  return text;
}

function write(d: Date, zone: string, withTime: boolean): string {
  // en-CA writes the day as YYYY-MM-DD; format() is several times cheaper than formatToParts().
  const f = formatter(zone, withTime);
  const m = /^(\d{4}-\d{2}-\d{2})\D*(\d{2}:\d{2})?$/.exec(f.format(d));
  if (m && (m[2] !== undefined) === withTime) return withTime ? `${m[1]} ${m[2]}` : m[1];
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  return withTime ? `${day} ${parts.hour}:${parts.minute}` : day;
}

function zoneOf(options: HelperOptions): string {
  const zone: unknown = options.data?.root?.timezone;
  if (typeof zone !== 'string') throw new Error('date: the page has no timezone');
  return zone;
}

/** {{date value}}: the day, in the viewer's time zone; empty for no value. */
export function date(value: unknown, options: HelperOptions): string {
  if (value === null || value === undefined || value === '') return '';
  return formatInstant(value as Date | string, zoneOf(options), false);
}

/** {{datetime value}}: day and minute, in the viewer's time zone; empty for no value. */
export function datetime(value: unknown, options: HelperOptions): string {
  if (value === null || value === undefined || value === '') return '';
  return formatInstant(value as Date | string, zoneOf(options), true);
}
