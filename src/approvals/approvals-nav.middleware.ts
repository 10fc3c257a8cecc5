import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApprovalsService } from './approvals.service.js';

/**
 * The menu's link to /approvals for whom approvals are routed to (managers, admins, the general
 * managers), decided from memory: pages run no statement for it.
 */
@Injectable()
export class ApprovalsNavMiddleware implements NestMiddleware {
  constructor(private readonly approvals: ApprovalsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user;
    if (!user || req.method !== 'GET' || req.originalUrl.startsWith('/api/')) return next();
    this.approvals.linksInbox(user).then((links) => {
      res.locals.approvalsLink = links;
      next();
    }, next);
  }
}
