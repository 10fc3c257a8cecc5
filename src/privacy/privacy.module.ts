import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AutomationModule } from '../automation/automation.module.js';
import { ContractsModule } from '../contracts/contracts.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { FollowUpsModule } from '../follow-ups/follow-ups.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { OpportunitiesModule } from '../opportunities/opportunities.module.js';
import { RulesModule } from '../rules/rules.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { PrivacyController } from './privacy.controller.js';
import { PrivacyPolicy } from './privacy.policy.js';
import { PrivacyService } from './privacy.service.js';

/** A person's requests under 个人信息保护法 (PIPL): export and erasure, by an admin. */
@Module({
  imports: [
    CustomersModule,
    FollowUpsModule,
    OpportunitiesModule,
    ContractsModule,
    ApprovalsModule,
    TicketsModule,
    NotificationsModule,
    AutomationModule,
    RulesModule,
    AuditModule,
  ],
  controllers: [PrivacyController],
  providers: [PrivacyService, PrivacyPolicy],
})
export class PrivacyModule {}
