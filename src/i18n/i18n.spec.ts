import { describe, expect, it } from 'vitest';
import { hasKey, keysOf, localeFromHeader, MissingTranslation, PLURAL_FORM, translate } from './i18n.js';

/** A key giving a counting message's form for a count of its own (`x_one` beside `x`), in `locale`. */
const pluralForm = (locale: 'en' | 'zh-CN', key: string) =>
  PLURAL_FORM.test(key) && hasKey(locale, key.replace(PLURAL_FORM, ''));

describe('locale files', () => {
  it('have exactly the same keys in English and Chinese, but for the plural forms of one language', () => {
    const en = keysOf('en').filter((k) => !pluralForm('en', k));
    const zh = keysOf('zh-CN').filter((k) => !pluralForm('zh-CN', k));
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
  });

  it('give Chinese no plural forms, which it would never read', () => {
    expect(keysOf('zh-CN').filter((k) => pluralForm('zh-CN', k))).toEqual([]);
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

  it('reads a counting message in the grammatical number of its count: English singular for 1, Chinese alike for all', () => {
    expect(translate('en', 'dashboard.drill.count', { count: 1 })).toBe('1 record');
    expect(translate('en', 'dashboard.drill.count', { count: 0 })).toBe('0 records');
    expect(translate('en', 'dashboard.drill.count', { count: 2 })).toBe('2 records');
    expect(translate('en', 'dashboard.reason.stale_deals', { count: 1, days: 30 })).toBe(
      '1 deal idle for 30+ days',
    );
    expect(translate('en', 'notification.handed_over', { count: 1, name: 'Li Ming' })).toBe(
      '1 record of Li Ming was handed over to you.',
    );
    expect(translate('en', 'notification.handed_over', { count: '12', name: 'Li Ming' })).toBe(
      '12 records of Li Ming were handed over to you.',
    );
    expect(translate('zh-CN', 'dashboard.drill.count', { count: 1 })).toBe('共 1 条记录');
    expect(translate('zh-CN', 'dashboard.drill.count', { count: 5 })).toBe('共 5 条记录');
    // No count, or not a number: the message as it is.
    expect(translate('en', 'dashboard.drill.count', {})).toBe('{count} records');
    expect(translate('en', 'dashboard.drill.count', { count: '1,000+' })).toBe('1,000+ records');
  });

  it('reads a message counting its only number (days, minutes) in that number, whatever else it is given', () => {
    expect(translate('en', 'tickets.due.in_days', { d: 1, h: 4, m: 30 })).toBe('in 1 day');
    expect(translate('en', 'tickets.due.in_days', { d: 3, h: 4, m: 30 })).toBe('in 3 days');
    expect(translate('en', 'notification.pool_warning', { name: '华信', days: 1 })).toBe(
      '华信 returns to the public pool in 1 day unless you follow up.',
    );
    expect(translate('en', 'auth.throttled', { minutes: '1' })).toBe(
      'Too many failed sign-ins. Try again in 1 minute.',
    );
    expect(translate('en', 'auth.throttled', { minutes: 15 })).toBe(
      'Too many failed sign-ins. Try again in 15 minutes.',
    );
    expect(translate('zh-CN', 'tickets.due.in_days', { d: 1, h: 0, m: 0 })).toBe(
      translate('zh-CN', 'tickets.due.in_days', { d: 2, h: 0, m: 0 }).replace('2', '1'),
    );
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
