import type { NextFunction, Request, Response } from 'express';

/**
 * A redirect waits until the session is stored. express-session writes a response's headers first
 * and stores a changed session while the body finishes, so a browser that follows a 303 at once (as
 * Chromium does) could read the session before the POST's flash message was in it: the next page
 * showed no confirmation, about one save in four. Only sessions that hold something are stored (a
 * guest's empty session stays unsaved, as `saveUninitialized: false` wants); express-session then
 * sees the session saved and does not write it again.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const session = req.session;
    if (!session || Object.keys(session).every((key) => key === 'cookie')) return redirect(...args);
    session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
}
