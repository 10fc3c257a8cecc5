import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContractsModule } from '../contracts/contracts.module.js';
import { CustomersModule } from '../customers/customers.module.js';
import { DashboardModule } from '../dashboard/dashboard.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { UsersModule } from '../users/users.module.js';
import { RuleFiring } from './rule-firing.entity.js';
import { RulesRepository } from './rules.repository.js';
import { RulesService } from './rules.service.js';
import { UnsubscribeController } from './unsubscribe.controller.js';

/**
 * The automation rules: scheduled jobs that act on customers, surveys and the dashboard's KPIs, each
 * firing once (rule_firing), and the public unsubscribe page of contacts' mail.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RuleFiring]),
    CustomersModule,
    TicketsModule,
    ContractsModule,
    DashboardModule,
    UsersModule,
  ],
  controllers: [UnsubscribeController],
  providers: [RulesService, RulesRepository],
  exports: [RulesService],
})
export class RulesModule {}
