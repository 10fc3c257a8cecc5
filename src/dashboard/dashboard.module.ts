import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { DashboardApiController } from './dashboard.api.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardPolicy } from './dashboard.policy.js';
import { DashboardService } from './dashboard.service.js';
import { CustomerHealthService } from './customer-health.service.js';
import { DayTotalsService } from './day-totals.service.js';
import { CustomerHealthQuery } from './queries/customer-health.query.js';
import { CustomersQuery } from './queries/customers.query.js';
import { DayTotalsQuery } from './queries/day-totals.query.js';
import { FiguresQuery } from './queries/figures.query.js';

/** The KPI dashboard: its query classes read every module's tables (the one declared exception). */
@Module({
  imports: [UsersModule, AuditModule],
  controllers: [DashboardController, DashboardApiController],
  providers: [
    DashboardService,
    DashboardPolicy,
    FiguresQuery,
    CustomersQuery,
    DayTotalsQuery,
    DayTotalsService,
    CustomerHealthQuery,
    CustomerHealthService,
  ],
  exports: [DashboardService],
})
export class DashboardModule {}
