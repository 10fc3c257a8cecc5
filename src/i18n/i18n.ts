import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALES, type Locale } from './locales.js';

/** The catalogs sit beside this file in src/i18n; the build in dist/src/i18n reads them from there. */
const HERE = dirname(fileURLToPath(import.meta.url));
const I18N_DIR = existsSync(join(HERE, 'en.json')) ? HERE : join(HERE, '..', '..', '..', 'src', 'i18n');

type Tree = { [key: string]: string | Tree };
export type Params = Record<string, string | number | null | undefined>;

const catalogs: Record<Locale, Tree> = {
  en: JSON.parse(readFileSync(join(I18N_DIR, 'en.json'), 'utf8')) as Tree,
  'zh-CN': JSON.parse(readFileSync(join(I18N_DIR, 'zh-CN.json'), 'utf8')) as Tree,
};

/** Each catalog flattened once, "customer.tier.A" → message: pages look up hundreds of keys. */
const messages: Record<Locale, Map<string, string>> = {
  en: flatten(catalogs.en),
  'zh-CN': flatten(catalogs['zh-CN']),
};

function flatten(tree: Tree, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') into.set(prefix + k, v);
    else flatten(v, `${prefix}${k}.`, into);
  }
  return into;
}

export class MissingTranslation extends Error {}

export function hasKey(locale: Locale, key: string): boolean {
  return messages[locale].has(key);
}

/** How each language names a count's grammatical number: English "one" for 1, Chinese always "other". */
const pluralRules: Record<Locale, Intl.PluralRules> = {
  en: new Intl.PluralRules('en'),
  'zh-CN': new Intl.PluralRules('zh-CN'),
};

/** The forms a catalog may give a counting message beside its own (`other`): `key_one`, `key_few`… */
export const PLURAL_FORM = /_(zero|one|two|few|many)$/;

/** The messages of each catalog that have a form for a count of their own (`x` of `x_one`). */
const counting: Record<Locale, Set<string>> = {
  en: countingKeys(messages.en),
  'zh-CN': countingKeys(messages['zh-CN']),
};

function countingKeys(catalog: Map<string, string>): Set<string> {
  return new Set(
    [...catalog.keys()].filter((k) => PLURAL_FORM.test(k)).map((k) => k.replace(PLURAL_FORM, '')),
  );
}

/** What `message` counts: `params.count`, else the only number it shows ("in {days} days"), else nothing. */
function countOf(message: string, params: Params): Params[string] {
  if (params.count !== undefined) return params.count;
  const numbers = [...message.matchAll(/\{(\w+)\}/g)]
    .map(([, name]) => params[name])
    .filter((v) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)));
  return numbers.length === 1 ? numbers[0] : undefined;
}

/**
 * The key a message counting `count` reads in `locale`: `key_<form>` when the language gives
 * that count a form of its own and the catalog has it (English: `key_one` for 1, "1 record"), else
 * `key` ("0 records", "3 records"; Chinese, which has no plural, always).
 */
function pluralKey(locale: Locale, key: string, count: Params[string]): string {
  const n =
    typeof count === 'number'
      ? count
      : typeof count === 'string' && /^\d+$/.test(count)
        ? Number(count)
        : NaN;
  if (!Number.isFinite(n)) return key;
  const form = pluralRules[locale].select(n);
  return form !== 'other' && messages[locale].has(`${key}_${form}`) ? `${key}_${form}` : key;
}

/**
 * The message for `key` in `locale`, with `{name}` placeholders filled; a message counting things
 * (`params.count`, or its only number) in the grammatical number of that count (see pluralKey).
 * Unknown keys throw.
 */
export function translate(locale: Locale, key: string, params: Params = {}): string {
  const catalog = messages[locale];
  let message = catalog.get(key);
  if (message === undefined) throw new MissingTranslation(`No "${key}" in ${locale}.json`);
  if (counting[locale].has(key))
    message = catalog.get(pluralKey(locale, key, countOf(message, params))) ?? message;
  if (!message.includes('{')) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Picks en or zh-CN from an Accept-Language header; Chinese when it says nothing we know. */
export function localeFromHeader(header: string | undefined): Locale {
  if (!header) return 'zh-CN';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((l) => l.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** Every key path of a catalog, for the test that keeps en and zh-CN in step. */
export function keysOf(locale: Locale): string[] {
  return [...messages[locale].keys()];
}
