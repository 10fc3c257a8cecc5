import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ValidationFailed } from '../errors.js';
import { validateStrictly } from '../validation.js';

/**
 * The request's JSON body as sent, for a handler that checks it itself: an edit merged over the
 * stored record (`patched`). Global pipes leave a custom decorator's value alone.
 */
export const JsonBody = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): unknown => ctx.switchToHttp().getRequest<Request>().body,
);

/**
 * An edit through the API (PATCH): the fields sent over the stored ones, checked with the page's DTO as
 * strictly as every API input (an unknown field is refused). `version` counts only as sent: an edit
 * must say which version it was made on.
 */
export async function patched<T extends object>(
  dto: new () => T,
  stored: Record<string, unknown>,
  sent: unknown,
): Promise<T> {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent))
    throw ValidationFailed.field('_', 'validation.invalid');
  const { version: _version, ...kept } = stored;
  return validateStrictly(dto, { ...kept, ...sent });
}
