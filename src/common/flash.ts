import type { Request } from 'express';
import type { Params } from '../i18n/i18n.js';

export interface FlashMessage {
  type: 'success' | 'error' | 'info';
  key: string;
  params?: Params;
}

/** Queues a message for the next page this session renders (post/redirect/get). */
export function flash(
  req: Request,
  key: string,
  params?: Params,
  type: FlashMessage['type'] = 'success',
): void {
  req.session.flash = [...(req.session.flash ?? []), { type, key, params }];
}

/** Takes the queued messages off the session. */
export function takeFlash(req: Request): FlashMessage[] {
  const messages = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  return messages;
}

/**
 * A `returnTo` only ever points inside the site: one leading slash, and no backslash or control
 * character anywhere (browsers drop tabs and newlines, so `/\t/evil.example` would become `//evil.example`).
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && /^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/.test(value) ? value : fallback;
}

/** What a page POST handler returns with Nest's @Redirect(): a 303, so the browser follows with GET. */
export function seeOther(url: string): { url: string; statusCode: number } {
  return { url, statusCode: 303 };
}
