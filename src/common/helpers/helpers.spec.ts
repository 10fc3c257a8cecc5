import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import type { HelperOptions } from 'handlebars';
import { HELPERS } from './index.js';
import { options } from './options.js';

/** Renders a template with the helpers, as a page would. */
function render(source: string, context: Record<string, unknown>): string {
  const hbs = Handlebars.create();
  hbs.registerHelper(HELPERS);
  return hbs.compile(source)(context);
}

describe('t', () => {
  it('translates in the page locale with named and object parameters', () => {
    expect(render('{{t "auth.throttled" minutes=5}}', { locale: 'en' })).toBe(
      'Too many failed sign-ins. Try again in 5 minutes.',
    );
    expect(render('{{t "list.range" r}}', { locale: 'zh-CN', r: { from: 1, to: 2, total: 3 } })).toBe(
      '第 1–2 条，共 3 条',
    );
  });

  it('escapes user data passed as a parameter', () => {
    expect(render('{{t "customer.created" name=n}}', { locale: 'en', n: '<b>x</b>' })).toContain('&lt;b&gt;');
  });

  it('throws without a locale or a key', () => {
    expect(() => render('{{t "auth.sign_in"}}', {})).toThrow(/locale/);
    expect(() => render('{{t missing}}', { locale: 'en' })).toThrow(/message key/);
  });
});

describe('withColon and paren', () => {
  it('write a label and an aside with the page locale’s punctuation', () => {
    const source = '{{withColon "customer.owner"}}{{name}}{{paren (t "tickets.away.short")}}';
    expect(render(source, { locale: 'en', name: '张伟' })).toBe('Owner: 张伟 (away)');
    expect(render(source, { locale: 'zh-CN', name: '张伟' })).toBe('负责人：张伟（离开）');
  });

  it('fill a label’s parameters, escape the aside and write nothing for no aside', () => {
    expect(render('{{withColon "import.row_n" row=3}}', { locale: 'zh-CN' })).toBe('第 3 行：');
    expect(render('x{{paren v}}', { locale: 'en', v: '<b>' })).toBe('x (&lt;b&gt;)');
    expect(render('x{{paren v}}', { locale: 'zh-CN', v: '' })).toBe('x');
    expect(render('x{{paren v}}', { locale: 'zh-CN' })).toBe('x');
  });

  it('throw without a locale, a key or a value', () => {
    expect(() => render('{{withColon "customer.owner"}}', {})).toThrow(/locale/);
    expect(() => render('{{withColon k}}', { locale: 'en' })).toThrow(/message key/);
    expect(() => render('{{paren v}}', { v: 'x' })).toThrow(/locale/);
    expect(() => render('{{paren}}', { locale: 'en' })).toThrow(/one value/);
  });
});

describe('eq', () => {
  it('compares as strings, and null only with null', () => {
    expect(render('{{#if (eq a b)}}y{{else}}n{{/if}}', { a: 3, b: '3' })).toBe('y');
    expect(render('{{#if (eq a b)}}y{{else}}n{{/if}}', { a: null, b: '' })).toBe('n');
    expect(render('{{#if (eq a b)}}y{{else}}n{{/if}}', {})).toBe('y');
  });

  it('throws with the wrong number of arguments', () => {
    expect(() => render('{{#if (eq a)}}y{{/if}}', { a: 1 })).toThrow(/two arguments/);
  });
});

describe('date and datetime', () => {
  const instant = new Date('2026-01-31T17:30:00Z');
  it('shows the day and time in the viewer’s zone', () => {
    expect(render('{{datetime d}}', { d: instant, timezone: 'Asia/Shanghai' })).toBe('2026-02-01 01:30');
    expect(render('{{date d}}', { d: instant, timezone: 'Asia/Shanghai' })).toBe('2026-02-01');
    expect(render('{{date d}}', { d: instant, timezone: 'UTC' })).toBe('2026-01-31');
    expect(render('{{datetime d}}', { d: new Date('2026-01-31T16:05:00Z'), timezone: 'Asia/Shanghai' })).toBe(
      '2026-02-01 00:05',
    );
    expect(render('{{datetime d}}', { d: instant, timezone: 'America/New_York' })).toBe('2026-01-31 12:30');
  });

  it('keeps a calendar date as it is, and shows nothing for no value', () => {
    expect(render('{{date d}}', { d: '1990-05-04', timezone: 'Asia/Shanghai' })).toBe('1990-05-04');
    expect(render('[{{date d}}]', { d: null, timezone: 'UTC' })).toBe('[]');
  });

  it('throws on garbage and without a zone', () => {
    expect(() => render('{{date d}}', { d: 'soon', timezone: 'UTC' })).toThrow(/not a date/);
    expect(() => render('{{date d}}', { d: instant })).toThrow(/timezone/);
  });
});

describe('options, concat and query', () => {
  it('labels select options in the page locale', () => {
    expect(
      render('{{#each (options "customer.tier." tiers)}}{{value}}={{label}};{{/each}}', {
        locale: 'zh-CN',
        tiers: ['A', 'B'],
      }),
    ).toBe('A=A 级;B=B 级;');
  });

  it('labels a fixed list once per language, and each page in its own', () => {
    const tiers = ['A', 'B'];
    const page = '{{#each (options "customer.tier." tiers)}}{{label}};{{/each}}';
    expect(render(page, { locale: 'zh-CN', tiers })).toBe('A 级;B 级;');
    expect(render(page, { locale: 'en', tiers })).not.toContain('级');
    expect(render(page, { locale: 'zh-CN', tiers })).toBe('A 级;B 级;');
    const hbs = { data: { root: { locale: 'en' } }, hash: {} } as unknown as HelperOptions;
    expect(options('customer.tier.', tiers, hbs)).toBe(options('customer.tier.', tiers, hbs));
    // A list that grew is labelled again.
    tiers.push('C');
    expect(options('customer.tier.', tiers, hbs).map((o) => o.value)).toEqual(['A', 'B', 'C']);
  });

  it('joins strings', () => {
    expect(render('{{concat "customer.status." s}}', { s: 'lead' })).toBe('customer.status.lead');
    expect(() => render('{{concat "only"}}', {})).toThrow(/at least two/);
    expect(() => render('{{concat "a" o}}', { o: {} })).toThrow(/expected text/);
  });

  it('replaces one query parameter and keeps the filters', () => {
    const html = render('{{query page=3}}', {
      path: '/customers',
      query: { q: '华信', status: 'lead', page: '2', empty: '' },
    });
    expect(Handlebars.Utils.escapeExpression('/customers?q=%E5%8D%8E%E4%BF%A1&status=lead&page=3')).toBe(
      html,
    );
  });
});

describe('hasKey and labelOf', () => {
  it('tell a field the newer save changed, by the label of its option', () => {
    const tiers = [
      { value: 'A', label: 'A 级' },
      { value: 'B', label: 'B 级' },
    ];
    const context = { saved: { tier: 'B', city: '' }, tiers };
    expect(render('{{#if (hasKey saved "city")}}{{labelOf tiers saved.city}}{{/if}}', context)).toBe('—');
    expect(render('{{labelOf tiers saved.tier}}', context)).toBe('B 级');
    expect(render('{{labelOf tiers "Z"}}', context)).toBe('Z');
    expect(render('{{#if (hasKey saved "name")}}yes{{else}}no{{/if}}', context)).toBe('no');
  });
});

describe('money', () => {
  it('writes an amount in fen the same way in both languages', () => {
    expect(render('{{money a}}', { locale: 'en', a: 123450 })).toBe('¥1,234.50');
    expect(render('{{money a}}', { locale: 'zh-CN', a: 123450 })).toBe('¥1,234.50');
    expect(render('{{money a}}', { a: -5 })).toBe('-¥0.05');
    expect(render('[{{money a}}]', { a: null })).toBe('[]');
  });

  it('writes Chinese capitals when asked', () => {
    expect(render('{{money a words=true}}', { a: 100401 })).toBe('壹仟零肆元零壹分');
  });

  it('throws on anything but whole fen', () => {
    expect(() => render('{{money a}}', { a: '1234.50' })).toThrow(/in fen/);
    expect(() => render('{{money a}}', { a: 12.5 })).toThrow(/in fen/);
    expect(() => render('{{money a b}}', { a: 1, b: 2 })).toThrow(/exactly one/);
  });
});

describe('regionList', () => {
  it('lists the provinces, then the chosen province’s cities and the chosen city’s districts', () => {
    expect(render('{{#each (regionList "provinces")}}{{this}},{{/each}}', {})).toContain('广东省,');
    expect(render('{{#each (regionList "cities" p)}}{{this}},{{/each}}', { p: '广东省' })).toContain(
      '深圳市,',
    );
    expect(
      render('{{#each (regionList "districts" p c)}}{{this}},{{/each}}', { p: '广东省', c: '深圳市' }),
    ).toContain('南山区,');
    expect(render('{{#each (regionList "cities" p)}}{{this}},{{/each}}', { p: null })).toBe('');
  });

  it('throws on an unknown level', () => {
    expect(() => render('{{regionList "streets"}}', {})).toThrow(/regionList/);
  });
});

describe('json', () => {
  it('writes a data block that no name can end or break out of, and that parses back', () => {
    const value = { name: '</script><b>"华信" & co</b>', n: [1, 2.5] };
    const out = render('<script type="application/json">{{json v}}</script>', { v: value });
    expect(out).not.toContain('</script><b>');
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(out.slice(out.indexOf('>') + 1, out.lastIndexOf('<')))).toEqual(value);
  });

  it('throws without a value', () => {
    expect(() => render('{{json missing}}', {})).toThrow(/no value/);
  });
});
