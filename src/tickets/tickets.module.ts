import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttachmentsModule } from '../common/attachments/attachments.module.js';
import { CalendarModule } from '../common/calendar/calendar.module.js';
import { SequencesModule } from '../common/sequences/sequences.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { UsersModule } from '../users/users.module.js';
import { CannedReply } from './canned-reply.entity.js';
import { INBOUND_MAIL_HANDLER } from './inbound/inbound-smtp.server.js';
import { InboundModule } from './inbound/inbound.module.js';
import { SlaPolicy } from './sla-policy.entity.js';
import { SurveyResponse } from './survey-response.entity.js';
import { TicketMessage } from './ticket-message.entity.js';
import { TicketRouting } from './ticket-routing.entity.js';
import { Ticket } from './ticket.entity.js';
import { SlaWatch } from './sla-watch.js';
import { TicketNotices } from './ticket-notices.js';
import { TicketSettings } from './ticket-settings.js';
import { TicketSurveys } from './ticket-surveys.js';
import { PortalRateLimit } from './portal-rate-limit.js';
import { PortalRequestsRepository } from './portal-requests.repository.js';
import { TicketPolicy } from './ticket.policy.js';
import { TicketsRepository } from './tickets.repository.js';
import { TicketsService } from './tickets.service.js';

/**
 * Service tickets: intake (agents, portal, e-mail), queues and assignment, the SLA clock on the
 * business calendar, replies and notes, merges, surveys, and the jobs that watch the SLA and close
 * resolved tickets. Other modules use TicketsService only.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Ticket, TicketMessage, SlaPolicy, TicketRouting, CannedReply, SurveyResponse]),
    AttachmentsModule,
    CalendarModule,
    SequencesModule,
    CustomersModule,
    UsersModule,
    InboundModule,
  ],
  controllers: [],
  providers: [
    TicketsService,
    TicketsRepository,
    TicketPolicy,
    TicketNotices,
    TicketSurveys,
    TicketSettings,
    SlaWatch,
    PortalRateLimit,
    PortalRequestsRepository,
    // The inbound SMTP listener hands each accepted mail to the ticket service.
    { provide: INBOUND_MAIL_HANDLER, useExisting: TicketsService },
  ],
  // The policy too: the API and My day decide with the same rules as the pages; the portal its bound.
  exports: [TicketsService, TicketPolicy, PortalRateLimit],
})
export class TicketsModule {}
