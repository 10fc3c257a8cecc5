import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type RequestHandler, Router } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import passport from 'passport';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { apiAuthentication } from './auth/api/api-auth.middleware.js';
import { ApiTokensService } from './auth/api/api-tokens.service.js';
import { mountApiDocs } from './common/api/api-docs.js';
import { isApiRequest } from './common/api/api-request.js';
import { renewSessionCookie } from './common/sessions/session-cookie.js';
import { saveSessionBeforeRedirect } from './common/sessions/save-before-redirect.js';
import { sessionLifetime } from './common/sessions/session-lifetime.js';
import { SessionStore } from './common/sessions/session-store.js';
import { poolOf } from './common/sql.js';
import { PUBLIC_DIR, VIEWS_DIR } from './common/paths.js';
import { ViewEngine } from './common/view-engine.js';
import { NotificationsService } from './notifications/notifications.service.js';
import type { AppConfig } from './config/config.js';

const SESSION_COOKIE = 'kehu.sid';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Builds the whole Kehu app (middleware, sessions, views, modules) ready to listen. The server and
 * the tests both start it here, so tests run exactly what production runs.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
  });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // Signed-in pages are never cached (no-store): a hash of every page body would be wasted.
  app.set('etag', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      // The Referer goes to Kehu itself only: a form shown again after an error needs it to know its page.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/assets/', maxAge: config.production ? '1d' : 0 });

  const pool = poolOf(app.get(DataSource));
  const pages: RequestHandler[] = [
    renewSessionCookie(SESSION_COOKIE, config.sessionSecret),
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      store: new SessionStore(pool, [app.get(NotificationsService).bellFigure]),
      resave: false,
      saveUninitialized: false,
      // Sent again when its stored expiry is renewed (renewSessionCookie), not with every answer.
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: config.sessionIdleMinutes * 60_000 },
    }),
    // A confirmation set before a redirect is stored before the browser can ask for the next page.
    saveSessionBeforeRedirect,
    passport.initialize(),
    passport.session(),
    // Signed-in answers are not cached, and a session ends SESSION_MAX_DAYS after its sign-in.
    sessionLifetime(config.sessionMaxDays),
  ];
  // Pages sign in with a session cookie; /api/ never loads a session, /api/v1 signs in with a bearer token.
  app.use(pagesOnly(pages));
  app.use(apiAuthentication(app.get(ApiTokensService)));

  // The API's OpenAPI document and its page (/api/docs.json, /api/docs).
  mountApiDocs(app);

  const views = app.get(ViewEngine);
  app.engine('hbs', views.express);
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  await app.init();
  return app;
}

/** Runs `handlers` in turn for page requests; requests under /api/ skip them. */
function pagesOnly(handlers: RequestHandler[]): RequestHandler {
  const router = Router();
  router.use(...handlers);
  return (req, res, next) => (isApiRequest(req) ? next() : router(req, res, next));
}
