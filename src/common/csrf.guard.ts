import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { isApiRequest } from './api/api-request.js';
import { CsrfRejected } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request must carry the session's token in `_csrf` (forms) or `x-csrf-token`. The
 * API is exempt: it never reads a session, and a browser never adds a bearer token on its own.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method) || isApiRequest(req)) return true;
    const expected = req.session?.csrfToken;
    const body = req.body as Record<string, unknown> | undefined;
    const given = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.get('x-csrf-token');
    if (!expected || !given) throw new CsrfRejected();
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new CsrfRejected();
    return true;
  }
}

/**
 * The CSRF token of a guest's page. Signed-in pages and the login page get theirs from the page
 * context; the public forms (the portal, its survey, a forgotten password) need one too.
 */
export function guestToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(24).toString('base64url');
  return req.session.csrfToken;
}
