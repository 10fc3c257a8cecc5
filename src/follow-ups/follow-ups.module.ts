import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalsModule } from '../approvals/approvals.module.js';
import { ContractsModule } from '../contracts/contracts.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { OpportunitiesModule } from '../opportunities/opportunities.module.js';
import { TicketsApiModule } from '../tickets/tickets-api.module.js';
import { UsersModule } from '../users/users.module.js';
import { FollowUp } from './follow-up.entity.js';
import { FollowUpPolicy } from './follow-up.policy.js';
import { FollowUpsApiController } from './follow-ups.api.controller.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { FollowUpsRepository } from './follow-ups.repository.js';
import { FollowUpsService } from './follow-ups.service.js';
import { MyDayController } from './my-day.controller.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([FollowUp]),
    CustomersModule,
    UsersModule,
    OpportunitiesModule,
    ApprovalsModule,
    ContractsModule,
    TicketsApiModule,
  ],
  controllers: [MyDayController, FollowUpsController, FollowUpsApiController],
  providers: [FollowUpsService, FollowUpsRepository, FollowUpPolicy],
  exports: [FollowUpsService],
})
export class FollowUpsModule {}
