import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { UsersModule } from '../users/users.module.js';
import { PortalController } from './portal.controller.js';
import { SurveyController } from './survey.controller.js';
import { TicketAdminController } from './ticket-admin.controller.js';
import { TicketUploadMiddleware } from './ticket-upload.middleware.js';
import { TicketsController } from './tickets.controller.js';
import { TicketsNavMiddleware } from './tickets-nav.middleware.js';
import { TicketsModule } from './tickets.module.js';

/**
 * The pages of tickets: the agents' queues and ticket pages, the admin's settings, and the public
 * portal and survey. They reach tickets only through TicketsService.
 */
@Module({
  imports: [TicketsModule, CustomersModule, UsersModule],
  controllers: [TicketAdminController, PortalController, SurveyController, TicketsController],
  providers: [TicketUploadMiddleware, TicketsNavMiddleware],
})
export class TicketPagesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TicketsNavMiddleware).exclude('healthz', 'readyz').forRoutes('{*path}');
    consumer
      .apply(TicketUploadMiddleware)
      .forRoutes(
        { path: 'tickets/new', method: RequestMethod.POST },
        { path: 'tickets/:id/reply', method: RequestMethod.POST },
        { path: 'portal/tickets/new', method: RequestMethod.POST },
        { path: 'portal/tickets/:token/reply', method: RequestMethod.POST },
      );
  }
}
