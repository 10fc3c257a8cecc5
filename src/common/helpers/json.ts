import Handlebars from 'handlebars';
import type { HelperOptions } from 'handlebars';

/**
 * {{json value}}: a value as JSON for a `<script type="application/json">` data block (chart data),
 * which the browser does not entity-decode: so it is not HTML-escaped but made unable to end the
 * block or open markup, by writing <, >, & and the JavaScript line separators as \u escapes.
 */
export function json(value: unknown, ...rest: unknown[]): Handlebars.SafeString {
  const options = rest.pop() as HelperOptions | undefined;
  if (rest.length !== 0 || !options) throw new Error('json takes exactly one value');
  if (value === undefined) throw new Error('json: no value');
  const text = JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return new Handlebars.SafeString(text);
}
