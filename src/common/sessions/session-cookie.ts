import { createHmac } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { renewalDue } from './session-store.js';

/**
 * The session cookie is sent again when the session's stored expiry is renewed (at most once a
 * minute, see session-store.ts), not on every answer: the browser's cookie and the stored session
 * then end together, SESSION_IDLE_MINUTES after the last renewal. A session that changed is sent by
 * express-session itself (with `rolling: false`, only then), and so is a new one. Mounted before
 * express-session, so that its own cookie is already set when this one looks.
 */
export function renewSessionCookie(name: string, secret: string): RequestHandler {
  const prefix = `${name}=`;
  return (req: Request, res: Response, next: NextFunction) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    let looked = false;
    res.writeHead = ((...args: unknown[]) => {
      if (looked) return writeHead(...args);
      looked = true;
      const session = req.session;
      // express-session's Cookie writes itself as express-session does (its typings leave serialize out).
      const cookie = session?.cookie as
        | (typeof session.cookie & { storedExpiry?: number; serialize(name: string, value: string): string })
        | undefined;
      if (
        session &&
        cookie?.storedExpiry !== undefined &&
        cookie.originalMaxAge &&
        !(cookie.secure && !req.secure) &&
        renewalDue(cookie.storedExpiry, Date.now() + cookie.originalMaxAge) &&
        !sentAlready(res, prefix)
      ) {
        session.touch();
        const signed = `s:${req.sessionID}.${createHmac('sha256', secret).update(req.sessionID).digest('base64').replace(/=+$/, '')}`;
        res.append('Set-Cookie', cookie.serialize(name, signed));
      }
      return writeHead(...args);
    }) as Response['writeHead'];
    next();
  };
}

function sentAlready(res: Response, prefix: string): boolean {
  const header = res.getHeader('Set-Cookie');
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  return lines.some((line) => line.startsWith(prefix));
}
