import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiErrorBody } from '../common/api/api-error.js';
import { CurrentUser } from '../common/decorators.js';
import type { SessionUser } from '../common/session-user.js';
import { DashboardService } from './dashboard.service.js';
import { KpiApiQuery } from './dto/dashboard-filter.dto.js';
import { KpisResource } from './kpi.resource.js';

/**
 * /api/v1/kpis?from=&to=: the dashboard's KPIs for a range of days in the company's zone (this month
 * without one) against as many days before, within what the token's user sees on /dashboard.
 */
@ApiTags('kpis')
@ApiBearerAuth()
@Controller('api/v1/kpis')
export class DashboardApiController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @ApiOkResponse({ type: KpisResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  kpis(@CurrentUser() user: SessionUser, @Query() query: KpiApiQuery): Promise<KpisResource> {
    return this.dashboard.kpisResource(user, query);
  }
}
