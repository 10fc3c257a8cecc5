import { Controller, Get, Param, Query, Redirect, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { join } from 'node:path';
import { CurrentUser } from '../common/decorators.js';
import { ROOT } from '../common/paths.js';
import type { SessionUser } from '../common/session-user.js';
import {
  DashboardFilterDto,
  DashboardFormDto,
  DrillFilterDto,
  meantFilter,
} from './dto/dashboard-filter.dto.js';
import { PERIOD_KINDS } from './period.js';
import { DashboardService, filterParams } from './dashboard.service.js';

/** Chart.js as its package ships it: served by Kehu itself, no CDN (the CSP allows only this site). */
const CHART_JS = join(ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.js');

/** The KPI dashboard, its drill-downs and its export. */
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Render('dashboard/index')
  async index(@CurrentUser() user: SessionUser, @Query() filter: DashboardFilterDto) {
    return { title: 'dashboard.title', periods: PERIOD_KINDS, ...(await this.dashboard.page(user, filter)) };
  }

  /** The filter form's target: on to the page for the filter the form meant (see meantFilter). */
  @Get('filter')
  @Redirect('/dashboard', 303)
  filter(@Query() form: DashboardFormDto) {
    const query = filterParams(meantFilter(form)).toString();
    return { url: query ? `/dashboard?${query}` : '/dashboard' };
  }

  /** /dashboard/export?…filters: the page's tables as XLSX. */
  @Get('export')
  async export(@CurrentUser() user: SessionUser, @Query() filter: DashboardFilterDto, @Res() res: Response) {
    const file = await this.dashboard.export(user, filter);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    res.end(file.body);
  }

  /** The charting library the page's script draws with. */
  @Get('chart.umd.js')
  chartJs(@Res() res: Response) {
    res.sendFile(CHART_JS, { maxAge: '1d', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  }

  @Get('drill/:figure')
  @Render('dashboard/drill')
  async drill(
    @CurrentUser() user: SessionUser,
    @Param('figure') figure: string,
    @Query() filter: DrillFilterDto,
  ) {
    const drill = await this.dashboard.drill(user, figure, filter);
    return { title: drill.heading, section: 'dashboard', ...drill };
  }
}
