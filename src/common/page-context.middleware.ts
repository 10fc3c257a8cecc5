import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isLocale, localeFromHeader } from '../i18n/i18n.js';
import type { Locale } from '../i18n/locales.js';
import { isApiRequest } from './api/api-request.js';
import { LOCALES, mayUseRoute } from './roles.js';
import { messagesFor, takeFlash } from './flash.js';
import { requestContext } from './request-context.js';
import { bellCount } from './session-user.js';

/** The language of the last user signed in on this browser, kept beyond their session. */
const LANG_COOKIE = 'kehu.lang';
const LANG_COOKIE_VALUE = /(?:^|;\s*)kehu\.lang=([^;]+)/;

/**
 * The request's language: the user's setting, else the session's, else the last signed-in user's on
 * this browser, else Accept-Language. Also for an error met before this middleware ran (a body that
 * does not parse), so the error page speaks it too.
 */
export function requestLocale(req: Request): Locale {
  const sessionLocale = req.session?.locale;
  const rememberedLocale = LANG_COOKIE_VALUE.exec(req.get('cookie') ?? '')?.[1];
  return (
    req.user?.locale ??
    (isLocale(sessionLocale)
      ? sessionLocale
      : isLocale(rememberedLocale)
        ? rememberedLocale
        : localeFromHeader(req.get('accept-language')))
  );
}

/** The page a POSTed form came from (its Referer, when on this site), else My day. */
function pageOfForm(req: Request): string {
  try {
    const from = new URL(req.get('referer') ?? '');
    return from.host === req.get('host') ? from.pathname + from.search : '/';
  } catch {
    return '/';
  }
}

/**
 * Per request: an id, the language (user setting, else session, else the last signed-in user's, else
 * Accept-Language), the request context that audit entries read, and what every page shows (user,
 * navigation, unread count, CSRF token, flash messages). It queries nothing: the session and its user
 * are loaded before it runs.
 */
@Injectable()
export class PageContextMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request, res: Response, next: NextFunction): void {
    req.id = randomUUID();
    const user = req.user;
    const rememberedLocale = LANG_COOKIE_VALUE.exec(req.get('cookie') ?? '')?.[1];
    req.locale = requestLocale(req);
    res.setHeader('Content-Language', req.locale);
    const api = isApiRequest(req);
    // A signed-in user's language outlives the session, so what follows its end speaks it too.
    if (user && !api && rememberedLocale !== user.locale) {
      res.cookie(LANG_COOKIE, user.locale, {
        maxAge: 365 * 86_400_000,
        httpOnly: true,
        sameSite: 'lax',
        secure: req.secure,
      });
    }

    // Mounted middleware sees a relative req.path; the page's own path comes from the original URL.
    const path = req.originalUrl.split('?')[0];
    const isPage = req.method === 'GET' && !path.startsWith('/api/');
    // A guest gets a token (and so a session row) only where there is a form to post: the login page.
    const needsToken = isPage && (user !== undefined || path === '/login');
    if (needsToken && req.session && !req.session.csrfToken)
      req.session.csrfToken = randomBytes(24).toString('base64url');
    Object.assign(res.locals, {
      locale: req.locale,
      locales: LOCALES,
      timezone: user?.timezone ?? this.config.defaultTimezone,
      user,
      // The menu's admin pages, which are @Roles('admin').
      isAdmin: user !== undefined && mayUseRoute(user.role, ['admin']),
      csrfToken: req.session?.csrfToken,
      path,
      // The menu item a page belongs to: /customers/12 → customers, /admin/users/3/edit → admin/users.
      section: path
        .split('/')
        .slice(1, path.startsWith('/admin/') ? 3 : 2)
        .join('/'),
      // Where the language switcher returns: a form shown again after a POST lives at the page it was on.
      currentUrl: req.method === 'GET' ? req.originalUrl : pageOfForm(req),
      query: req.query,
      // Loaded with the user (UsersService.findForSession).
      unreadCount: user && isPage ? bellCount(user.unreadNotifications) : 0,
    });
    // Flash messages are taken when a page is actually rendered, not by a redirect on the way, nor by
    // an error page (a missing image or icon requested beside the page would swallow them).
    // A refused form's message goes beside that form when the page shows it (messagesFor).
    const render = res.render.bind(res);
    res.render = ((view: string, locals?: object, cb?: (err: Error, html: string) => void) =>
      render(
        view,
        { ...messagesFor(res.statusCode < 400 ? takeFlash(req) : [], path, locals), ...locals },
        cb,
      )) as Response['render'];

    requestContext.run({ requestId: req.id, ip: req.ip ?? null, locale: req.locale, user, api }, () =>
      next(),
    );
  }
}
