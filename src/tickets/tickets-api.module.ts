import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/customers.module.js';
import { UsersModule } from '../users/users.module.js';
import { Ticket } from './ticket.entity.js';
import { TicketLifecycle } from './ticket-lifecycle.js';
import { TicketLifecycleRepository } from './ticket-lifecycle.repository.js';
import { TicketResources } from './ticket-resources.service.js';
import { TicketResourcesRepository } from './ticket-resources.repository.js';
import { TicketsApiController } from './tickets.api.controller.js';
import { TicketsModule } from './tickets.module.js';
import { MyDayTicketsService } from './my-day-tickets.service.js';

/**
 * Tickets as the rest of Kehu meets them, on top of TicketsService: the /api/v1/tickets resource,
 * tickets' part in the customer lifecycle (timeline, merge, an agent leaving, audit labels, webhook
 * events) and My day's "my tickets".
 */
@Module({
  imports: [TypeOrmModule.forFeature([Ticket]), TicketsModule, CustomersModule, UsersModule],
  controllers: [TicketsApiController],
  providers: [
    TicketResources,
    TicketResourcesRepository,
    TicketLifecycle,
    TicketLifecycleRepository,
    MyDayTicketsService,
  ],
  exports: [MyDayTicketsService],
})
export class TicketsApiModule {}
