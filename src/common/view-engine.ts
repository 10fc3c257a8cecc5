import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { HELPERS } from './helpers/index.js';
import { VIEWS_DIR } from './paths.js';

type Template = Handlebars.TemplateDelegate;

const KNOWN_HELPERS = Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true]));

/**
 * Handlebars for pages and mails: helpers from common/helpers, partials from views/partials, and
 * views/layouts/main.hbs around every page unless `layout: false`. Templates are compiled once
 * (recompiled on each render outside production, so edits show without a restart).
 */
export class ViewEngine {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Template>();

  constructor(private readonly cacheTemplates: boolean) {
    this.hbs.registerHelper(HELPERS);
    this.loadPartials();
  }

  /** Renders views/<name>.hbs; with a layout, the page goes in as `body`. */
  render(name: string, locals: Record<string, unknown>): string {
    if (!this.cacheTemplates) this.loadPartials();
    const body = this.template(name)(locals);
    if (locals.layout === false) return body;
    const layout = typeof locals.layout === 'string' ? locals.layout : 'main';
    return this.template(`layouts/${layout}`)({ ...locals, body });
  }

  /** The Express view engine: res.render('customers/index', locals). */
  readonly express = (file: string, locals: object, done: (err: unknown, html?: string) => void): void => {
    try {
      done(
        null,
        this.render(relative(VIEWS_DIR, file).replace(/\.hbs$/, ''), locals as Record<string, unknown>),
      );
    } catch (e) {
      done(e);
    }
  };

  private template(name: string): Template {
    let tpl = this.cacheTemplates ? this.cache.get(name) : undefined;
    if (!tpl) {
      tpl = this.hbs.compile(readFileSync(join(VIEWS_DIR, `${name}.hbs`), 'utf8'), {
        strict: false,
        preventIndent: true,
        // Kehu's helpers are all known when a template compiles: calls go to them directly, without
        // asking at every use whether a name is a helper or a value.
        knownHelpers: KNOWN_HELPERS,
        knownHelpersOnly: true,
      });
      this.cache.set(name, tpl);
    }
    return tpl;
  }

  private loadPartials(): void {
    const dir = join(VIEWS_DIR, 'partials');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      this.hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
    }
  }
}
