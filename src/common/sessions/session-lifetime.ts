import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** When the user signed in (ms): the session ends SESSION_MAX_DAYS later, however busy. */
    signedInAt: number;
  }
}

/** Marks the session as signed in now: its absolute lifetime counts from here. */
export function startSessionLifetime(req: Request): void {
  req.session.signedInAt = Date.now();
}

/**
 * For a signed-in request: the answer is never stored by the browser or a proxy (`no-store`: a page
 * or an export of customers must not stay in a shared computer's cache or come back with Back after
 * signing out), and a session older than `maxDays` since its sign-in ends here, even one used every
 * day; the request goes on as a guest's, so it is sent to sign in again. A session from before this
 * rule counts from its first request under it.
 */
export function sessionLifetime(maxDays: number): RequestHandler {
  const maxMs = maxDays * 86_400_000;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user || !req.session) return next();
    const since = req.session.signedInAt;
    if (since === undefined) {
      req.session.signedInAt = Date.now();
    } else if (Date.now() - since > maxMs) {
      req.session.destroy((err) => {
        req.user = undefined;
        next(err);
      });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
