import { describe, expect, it } from 'vitest';
import { keysOf, localeFromHeader, MissingTranslation, translate } from './i18n.js';

describe('locale files', () => {
  it('have exactly the same keys in English and Chinese', () => {
    const en = keysOf('en');
    const zh = keysOf('zh-CN');
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
  });

  it('leave no message empty', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      expect(keysOf(locale).filter((k) => translate(locale, k).trim() === '')).toEqual([]);
    }
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'auth.throttled', { minutes: 15 })).toBe(
      'Too many failed sign-ins. Try again in 15 minutes.',
    );
    expect(translate('zh-CN', 'auth.throttled', {})).toContain('{minutes}');
  });

  it('throws on an unknown key', () => {
    expect(() => translate('en', 'no.such.key')).toThrow(MissingTranslation);
    expect(() => translate('en', 'customer')).toThrow(MissingTranslation);
  });
});

describe('localeFromHeader', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-TW,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['fr-FR,en;q=0.5', 'en'],
    ['en;q=0.2,zh-CN;q=0.8', 'zh-CN'],
    ['de-DE', 'zh-CN'],
  ])('%s → %s', (header, expected) => {
    expect(localeFromHeader(header)).toBe(expected);
  });
});
