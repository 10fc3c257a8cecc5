import type { HelperOptions } from 'handlebars';
import { scalar } from './scalar.js';

/** (query page=2): the current list URL with some query parameters replaced; keeps the filters. */
export function query(options: HelperOptions): string {
  const root = options.data?.root as { path?: unknown; query?: unknown };
  if (typeof root?.path !== 'string') throw new Error('query: the page has no path');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries((root.query as Record<string, unknown>) ?? {})) {
    if (typeof v === 'string' && v !== '') params.set(k, v);
  }
  for (const [k, v] of Object.entries(options.hash as Record<string, unknown>)) {
    if (v === null || v === undefined || v === '') params.delete(k);
    else params.set(k, scalar(v, 'query'));
  }
  const qs = params.toString();
  return qs ? `${root.path}?${qs}` : root.path;
}
