import { randomBytes } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Session, SessionData } from 'express-session';
import { from, mergeMap, type Observable, of, tap } from 'rxjs';
import { flash, seeOther } from './flash.js';

/**
 * A create form sent twice creates one record. Every create form carries a one-time token
 * (`{{> once}}`, a hidden `_once` field minted when the form is rendered); a handler marked
 * @OnceOnly() remembers, in the session, where each token's first successful send led. The same form
 * sent again (Back and Save, a double tap, a draft sent twice) is not handled a second time: the user
 * lands on what the first send created, told so. A form without a token (the API, an old page) is
 * handled as always.
 */

/** The name of the hidden field. */
export const ONCE_FIELD = '_once';
/** How long a sent form is remembered, and how many at most per session. */
export const ONCE_REMEMBERED_MS = 24 * 3_600_000;
export const ONCE_REMEMBERED_MAX = 50;

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

declare module 'express-session' {
  interface SessionData {
    /** Sent forms by token: where the first send led, and when (ms since epoch). */
    sentForms: Record<string, { url: string; at: number }>;
  }
}

/** A fresh token for a form being rendered (the `formToken` view helper). */
export function newFormToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Where the form with `token` led when it was first sent, if this session remembers it. */
export function sentFormUrl(session: Partial<SessionData>, token: string, now = Date.now()): string | null {
  const sent = session.sentForms?.[token];
  return sent && now - sent.at < ONCE_REMEMBERED_MS ? sent.url : null;
}

/** Remembers that the form with `token` was sent and led to `url`; forgets old and surplus entries. */
export function rememberSentForm(
  session: Partial<SessionData>,
  token: string,
  url: string,
  now = Date.now(),
): void {
  const kept = Object.entries(session.sentForms ?? {})
    .filter(([t, s]) => t !== token && now - s.at < ONCE_REMEMBERED_MS)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, ONCE_REMEMBERED_MAX - 1);
  session.sentForms = Object.fromEntries([[token, { url, at: now }], ...kept]);
}

/**
 * Sends of one token being handled in this process, or handled within the last minute, by session
 * and token: a second send arriving meanwhile (a double tap) waits for the first and follows it. It
 * cannot rely on the session alone, which it read before the first send stored its answer. (Across
 * app instances the session is the memory, which holds once the first send is stored.)
 */
const inFlight = new Map<string, Promise<string | null>>();
const KEEP_HANDLED_MS = 60_000;

/** The URL a page handler's `seeOther(...)` result redirects to. */
const redirectOf = (result: unknown): string | null =>
  typeof result === 'object' && result !== null && typeof (result as { url?: unknown }).url === 'string'
    ? (result as { url: string }).url
    : null;

@Injectable()
export class OnceOnlyInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const token = (req.body as Record<string, unknown> | undefined)?.[ONCE_FIELD];
    const session = req.session as (Session & Partial<SessionData>) | undefined;
    if (typeof token !== 'string' || !TOKEN.test(token) || !session) return next.handle();

    const sentTo = (url: string) => {
      rememberSentForm(session, token, url);
      flash(req, 'form.already_sent', {}, 'info');
      return of(seeOther(url));
    };
    const known = sentFormUrl(session, token);
    if (known) return sentTo(known);

    const key = `${req.sessionID}:${token}`;
    const running = inFlight.get(key);
    if (running) return from(running).pipe(mergeMap((url) => (url ? sentTo(url) : next.handle())));

    let settle: (url: string | null) => void = () => undefined;
    inFlight.set(key, new Promise<string | null>((resolve) => (settle = resolve)));
    let settled = false;
    const done = (url: string | null) => {
      if (settled) return;
      settled = true;
      settle(url);
      if (url) setTimeout(() => inFlight.delete(key), KEEP_HANDLED_MS).unref();
      else inFlight.delete(key);
    };
    return next.handle().pipe(
      tap({
        next: (result) => {
          const url = redirectOf(result);
          if (url) rememberSentForm(session, token, url);
          done(url);
        },
        error: () => done(null),
        complete: () => done(null),
        unsubscribe: () => done(null),
      }),
    );
  }
}

/** The POST handler of a create form: the same form sent twice is handled once (see above). */
export const OnceOnly = () => UseInterceptors(OnceOnlyInterceptor);
