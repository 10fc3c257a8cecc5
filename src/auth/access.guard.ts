import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC, ROLES_KEY } from '../common/decorators.js';
import { NotAllowed, SessionEnded } from '../common/errors.js';
import { mayUseRoute, type Role } from '../common/roles.js';

/**
 * Every route needs a signed-in user unless @Public(); @Roles() narrows it further (admin passes all).
 * It runs before the CSRF check, so a form from an ended session is told so.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    // A form sent with no one signed in comes from a session that ended (timed out, signed out
    // elsewhere, deactivated): say so, rather than blame the form.
    if (!req.user)
      throw req.method === 'GET' || req.method === 'HEAD' ? new UnauthorizedException() : new SessionEnded();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!mayUseRoute(req.user.role, roles)) throw new NotAllowed();
    return true;
  }
}
