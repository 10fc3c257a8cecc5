import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { hasKey as hasMessage, isLocale, translate, type Params } from '../i18n/i18n.js';
import type { Locale } from '../i18n/locales.js';
import { HELPERS } from './helpers/index.js';
import { VIEWS_DIR } from './paths.js';

type Template = Handlebars.TemplateDelegate;
type Node = hbs.AST.Node;

const KNOWN_HELPERS = Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true]));

const COMPILE_OPTIONS: CompileOptions = {
  strict: false,
  preventIndent: true,
  // Kehu's helpers are all known when a template compiles: calls go to them directly, without
  // asking at every use whether a name is a helper or a value.
  knownHelpers: KNOWN_HELPERS,
  knownHelpersOnly: true,
};

/** A call of `t` whose text is fixed: a literal key the catalog has, and literal parameters only. */
function fixedText(
  call: { path: hbs.AST.PathExpression | hbs.AST.Literal; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash },
  locale: Locale,
): string | undefined {
  if (call.path.type !== 'PathExpression' || (call.path as hbs.AST.PathExpression).original !== 't')
    return undefined;
  const [key, ...more] = call.params;
  // An unknown key stays a call, so the page fails as it always did, saying which key is missing.
  if (more.length || key?.type !== 'StringLiteral') return undefined;
  const name = (key as hbs.AST.StringLiteral).value;
  if (!hasMessage(locale, name)) return undefined;
  const params: Params = {};
  for (const pair of call.hash?.pairs ?? []) {
    const value = pair.value as hbs.AST.Literal & { value?: unknown };
    if (value.type === 'NullLiteral' || value.type === 'UndefinedLiteral') params[pair.key] = null;
    else if (['StringLiteral', 'NumberLiteral', 'BooleanLiteral'].includes(value.type))
      params[pair.key] = String(value.value);
    else return undefined;
  }
  return translate(locale, name, params);
}

/**
 * Writes the fixed labels of a template into it for one language: `{{t "customer.name"}}` becomes
 * the text itself, `(t "customer.name")` a string, so a page looks up only the labels that depend
 * on its data. A label with line breaks or spaces at its ends, or beside a `~`, stays a call: as
 * text it could change which lines Handlebars treats as standalone.
 */
function writeLabels(node: Node, locale: Locale): Node {
  const n = node as Node & Record<string, unknown>;
  const each = (key: string) => {
    const value = n[key];
    if (Array.isArray(value)) n[key] = value.map((child: Node) => writeLabels(child, locale));
    else if (value && typeof value === 'object' && 'type' in value)
      n[key] = writeLabels(value as Node, locale);
  };
  switch (node.type) {
    case 'Program':
      each('body');
      return node;
    case 'Hash':
      each('pairs');
      return node;
    case 'HashPair':
      each('value');
      return node;
    case 'SubExpression': {
      each('params');
      each('hash');
      const text = fixedText(node as hbs.AST.SubExpression, locale);
      if (text === undefined) return node;
      const literal: hbs.AST.StringLiteral = {
        type: 'StringLiteral',
        value: text,
        original: text,
        loc: node.loc,
      };
      return literal;
    }
    case 'MustacheStatement': {
      each('params');
      each('hash');
      const m = node as hbs.AST.MustacheStatement;
      const text = m.strip?.open || m.strip?.close ? undefined : fixedText(m, locale);
      if (text === undefined || text === '' || text !== text.trim() || /[\r\n]/.test(text)) return node;
      const value = m.escaped ? Handlebars.Utils.escapeExpression(text) : text;
      return { type: 'ContentStatement', value, original: value, loc: node.loc } as unknown as Node;
    }
    case 'BlockStatement':
    case 'DecoratorBlock':
    case 'PartialStatement':
    case 'PartialBlockStatement':
    case 'Decorator':
      for (const key of ['params', 'hash', 'program', 'inverse']) each(key);
      return node;
    default:
      return node;
  }
}

/** Templates and partials for one language (with its labels written in), or for none. */
interface ViewSet {
  hbs: typeof Handlebars;
  templates: Map<string, Template>;
  compile(source: string): Template;
}

/**
 * Handlebars for pages and mails: helpers from common/helpers, partials from views/partials, and
 * views/layouts/main.hbs around every page unless `layout: false`. Each template is compiled once
 * per language, with its fixed labels written in (recompiled on each render outside production, so
 * edits show without a restart); a page whose locals carry no language gets the templates as written.
 */
export class ViewEngine {
  private readonly sets = new Map<Locale | null, ViewSet>();

  constructor(private readonly cacheTemplates: boolean) {}

  /** Renders views/<name>.hbs; with a layout, the page goes in as `body`. */
  render(name: string, locals: Record<string, unknown>): string {
    if (!this.cacheTemplates) this.sets.clear();
    const set = this.viewSet(isLocale(locals.locale) ? locals.locale : null);
    const body = this.template(set, name)(locals);
    if (locals.layout === false) return body;
    const layout = typeof locals.layout === 'string' ? locals.layout : 'main';
    return this.template(set, `layouts/${layout}`)({ ...locals, body });
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

  private template(set: ViewSet, name: string): Template {
    let tpl = set.templates.get(name);
    if (!tpl) {
      tpl = set.compile(readFileSync(join(VIEWS_DIR, `${name}.hbs`), 'utf8'));
      set.templates.set(name, tpl);
    }
    return tpl;
  }

  private viewSet(locale: Locale | null): ViewSet {
    let set = this.sets.get(locale);
    if (!set) {
      const hbs = Handlebars.create();
      hbs.registerHelper(HELPERS);
      const compile = (source: string): Template =>
        locale === null
          ? hbs.compile(source, COMPILE_OPTIONS)
          : hbs.compile(writeLabels(Handlebars.parseWithoutProcessing(source), locale), COMPILE_OPTIONS);
      const dir = join(VIEWS_DIR, 'partials');
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
        hbs.registerPartial(basename(file, '.hbs'), compile(readFileSync(join(dir, file), 'utf8')));
      }
      set = { hbs, templates: new Map(), compile };
      this.sets.set(locale, set);
    }
    return set;
  }
}
