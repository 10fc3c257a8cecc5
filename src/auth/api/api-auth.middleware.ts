import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError } from '../../common/errors.js';
import { enterReferenceVersion } from '../../common/reference-data.js';
import { ApiRateLimited, ApiTokensService, ApiUnauthorized } from './api-tokens.service.js';

/** The API's own address space: only a bearer token opens it. */
export const API_PREFIX = '/api/v1';

/** A body the API was sent in something other than JSON. */
export class ApiJsonOnly extends DomainError {
  constructor() {
    super(415, 'api.json_only');
  }
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Signs in each request under /api/v1 with its `Authorization: Bearer <token>` and nothing else:
 * sessions are not even loaded there (app.ts), so a session cookie never opens the API, and since this
 * runs only there, a token never opens a page. It also refuses, before anything is read, a body that
 * is not JSON (415) and a token past its rate limit (429 with Retry-After).
 */
export function apiAuthentication(tokens: ApiTokensService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== API_PREFIX && !req.path.startsWith(`${API_PREFIX}/`)) return next();
    const [scheme, token] = (req.get('authorization') ?? '').split(' ');
    res.setHeader('Cache-Control', 'no-store');
    const refuse = (err: DomainError) => {
      if (err instanceof ApiUnauthorized) res.setHeader('WWW-Authenticate', 'Bearer realm="kehu"');
      if (err instanceof ApiRateLimited) res.setHeader('Retry-After', String(err.retryAfter));
      next(err);
    };
    if (scheme?.toLowerCase() !== 'bearer' || !token) return refuse(new ApiUnauthorized());
    // An IPv4 caller reaching a dual-stack server is named as IPv4 (127.0.0.1, not ::ffff:127.0.0.1).
    const ip = req.ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') ?? null;
    tokens.authenticate(token, ip).then(
      ({ user, referenceVersion }) => {
        if (WITH_BODY.has(req.method) && hasBody(req) && !req.is('application/json'))
          return refuse(new ApiJsonOnly());
        req.user = user;
        res.setHeader('RateLimit-Limit', String(tokens.ratePerMinute));
        // What this request reads of users and settings is as current as its token check.
        enterReferenceVersion(referenceVersion);
        next();
      },
      (err: unknown) => (err instanceof DomainError ? refuse(err) : next(err)),
    );
  };
}

const hasBody = (req: Request) =>
  req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
