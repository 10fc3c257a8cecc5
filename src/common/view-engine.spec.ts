import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { HELPERS } from './helpers/index.js';
import { VIEWS_DIR } from './paths.js';
import { ViewEngine } from './view-engine.js';

/** Every template under views/ but the partials, by name (customers/index). */
function templateNames(dir = VIEWS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'partials' ? [] : templateNames(path);
    return entry.name.endsWith('.hbs') ? [relative(VIEWS_DIR, path).replace(/\.hbs$/, '')] : [];
  });
}

/** The templates as written, every label looked up by the `t` helper while rendering. */
function asWritten(): (name: string, context: Record<string, unknown>) => string {
  const hbs = Handlebars.create();
  hbs.registerHelper(HELPERS);
  const dir = join(VIEWS_DIR, 'partials');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs')))
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
  return (name, context) =>
    hbs.compile(readFileSync(join(VIEWS_DIR, `${name}.hbs`), 'utf8'), {
      strict: false,
      preventIndent: true,
      knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true])),
      knownHelpersOnly: true,
    })(context);
}

describe('ViewEngine', () => {
  const views = new ViewEngine(true);

  it('writes a page’s fixed labels in the language of the page it renders', () => {
    const page = (locale: string) =>
      views.render('errors/error', {
        locale,
        status: 404,
        message: { key: 'error.not_found' },
        home: { href: '/', key: 'error.home' },
        flash: [],
        csrfToken: 't',
        locales: ['en', 'zh-CN'],
        currentUrl: '/',
        layout: 'bare',
      });
    const en = page('en');
    const zh = page('zh-CN');
    expect(en).toContain('>Back to my day</a>');
    expect(en).toContain('<label for="locale-select" class="visually-hidden">Language</label>');
    expect(zh).toContain('>返回我的一天</a>');
    // The same engine, one page after the other: each keeps its own language.
    expect(page('en')).toBe(en);
    expect(zh).not.toContain('Back to my day');
  });

  it('renders every template exactly as the templates as written do, in both languages', () => {
    const written = asWritten();
    let compared = 0;
    for (const name of templateNames()) {
      for (const locale of ['en', 'zh-CN']) {
        const context = {
          locale,
          timezone: 'Asia/Shanghai',
          locales: ['en', 'zh-CN'],
          csrfToken: 'token',
          currentUrl: '/x?y=1',
          path: '/x',
          query: {},
          flash: [{ type: 'success', key: 'customer.created', params: { name: '<b>华信</b>' } }],
          user: { name: 'Li <Lei>', role: 'sales' },
          values: {},
          errors: {},
          filter: {},
          options: {},
          layout: false,
        };
        let expected: string;
        try {
          expected = written(name, context);
        } catch {
          continue; // needs data this generic page does not have
        }
        // A create form's one-time token is new on every render.
        const once = (html: string) => html.replace(/(name="_once" value=")[^"]+/g, '$1');
        expect(once(views.render(name, context)), `${name} in ${locale}`).toBe(once(expected));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('leaves an unknown key to fail when the page renders, naming the key', () => {
    expect(() =>
      views.render('errors/error', {
        locale: 'en',
        message: { key: 'no.such.key' },
        home: { href: '/', key: 'error.home' },
        layout: false,
      }),
    ).toThrow(/no\.such\.key/);
  });
});
