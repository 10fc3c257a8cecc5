import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from './session-user.js';
import type { Role } from './roles.js';

export const IS_PUBLIC = 'kehu:public';
export const ROLES_KEY = 'kehu:roles';
export const FORM_VIEW = 'kehu:form-view';

/** The route needs no signed-in user. Every other route does. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route (admin always may). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * The POST handler belongs to the form in `view`: when it fails validation or hits a stale version,
 * that view is rendered again (status 422 or 409) with the errors beside the fields and the typed values kept.
 */
export const FormView = (view: string) => SetMetadata(FORM_VIEW, view);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionUser => {
  const user = ctx.switchToHttp().getRequest<Request>().user as SessionUser | undefined;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});
