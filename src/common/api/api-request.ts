import type { Request } from 'express';

/**
 * Requests under /api/ (the token-authenticated JSON API and its documentation) share nothing with the
 * pages' sessions: no session is loaded for them, so no cookie signs them in and CSRF, a page concern,
 * does not apply to them. Errors there are always JSON.
 */
export const isApiRequest = (req: Request): boolean => req.originalUrl.startsWith('/api/');
