import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { I18N_DIR } from '../common/paths.js';
import { LOCALES, type Locale } from '../users/roles.js';

type Tree = { [key: string]: string | Tree };
export type Params = Record<string, string | number | null | undefined>;

const catalogs: Record<Locale, Tree> = {
  en: JSON.parse(readFileSync(join(I18N_DIR, 'en.json'), 'utf8')) as Tree,
  'zh-CN': JSON.parse(readFileSync(join(I18N_DIR, 'zh-CN.json'), 'utf8')) as Tree,
};

export class MissingTranslation extends Error {}

export function hasKey(locale: Locale, key: string): boolean {
  return typeof lookup(catalogs[locale], key) === 'string';
}

/** The message for `key` in `locale`, with `{name}` placeholders filled. Unknown keys throw. */
export function translate(locale: Locale, key: string, params: Params = {}): string {
  const message = lookup(catalogs[locale], key);
  if (typeof message !== 'string') throw new MissingTranslation(`No "${key}" in ${locale}.json`);
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

function lookup(tree: Tree, key: string): string | Tree | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return node;
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
  const walk = (t: Tree, prefix: string): string[] =>
    Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : walk(v, `${prefix}${k}.`)));
  return walk(catalogs[locale], '');
}
