import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { TicketPolicy } from './ticket.policy.js';

/**
 * The menu's link to /tickets for those who work tickets (service agents, managers, the admin), as
 * the tickets policy says; decided from the session's user, with no statement. Sales reps read the
 * tickets of their customers on the customer's page.
 */
@Injectable()
export class TicketsNavMiddleware implements NestMiddleware {
  private readonly policy = new TicketPolicy();

  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user;
    if (user && req.method === 'GET' && !req.originalUrl.startsWith('/api/'))
      res.locals.ticketsLink = this.policy.isAgent(user);
    next();
  }
}
