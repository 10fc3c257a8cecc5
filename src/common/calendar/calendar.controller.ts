import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FormView, Roles } from '../decorators.js';
import { flash, seeOther } from '../flash.js';
import { IdPipe } from '../ids.js';
import { BusinessCalendarService } from './business-calendar.service.js';
import { CalendarExceptionDto, CalendarHoursDto } from './dto/calendar.dto.js';

/** A year in the page's address (?year=2027); anything else shows this year. */
const yearOf = (value: unknown): number | undefined =>
  typeof value === 'string' && /^\d{4}$/.test(value) ? Number(value) : undefined;

/**
 * /admin/calendar: the company's business calendar. The working week, the holidays and 调休 make-up
 * workdays of a year (added and removed one by one), and a preview of the clock: from a time plus N
 * business minutes, when it is due.
 */
@Controller('admin/calendar')
@Roles('admin')
export class CalendarController {
  constructor(private readonly calendar: BusinessCalendarService) {}

  /** The page; `posted` names the form a rejected post came from, whose typed values it shows. */
  async pageModel(year: number | undefined, preview: Record<string, unknown>, posted?: string) {
    const model = await this.calendar.page(year, preview);
    // The stored week under a rejected hours form (its version, for a stale save).
    return { ...model, posted, values: posted === 'hours' ? model.hours : {} };
  }

  @Get()
  @Render('admin/calendar')
  async index(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const model = await this.pageModel(yearOf(query.year), query);
    const errors = model.preview.errors;
    // The preview's own form, shown again with its errors, as a rejected form is.
    if (Object.keys(errors).length) res.status(422);
    return { ...model, posted: 'preview', form: { values: model.preview.values, errors } };
  }

  @Post('hours')
  @FormView<CalendarController>('admin/calendar', (c) => c.pageModel(undefined, {}, 'hours'))
  @Redirect()
  async saveHours(@Body() dto: CalendarHoursDto, @Req() req: Request) {
    await this.calendar.saveHours(dto);
    flash(req, 'calendar.hours_saved');
    return seeOther('/admin/calendar');
  }

  @Post('exceptions')
  @FormView<CalendarController>('admin/calendar', (c, { input }) =>
    c.pageModel(yearOf(typeof input.day === 'string' ? input.day.slice(0, 4) : undefined), {}, 'exception'),
  )
  @Redirect()
  async addException(@Body() dto: CalendarExceptionDto, @Req() req: Request) {
    const added = await this.calendar.addException(dto);
    flash(req, `calendar.${added.kind}_added`, { day: added.day, name: added.name });
    return seeOther(`/admin/calendar?year=${added.day.slice(0, 4)}`);
  }

  @Post('exceptions/:id/delete')
  @Redirect()
  async removeException(@Param('id', IdPipe) id: number, @Req() req: Request) {
    const removed = await this.calendar.removeException(id);
    flash(req, `calendar.${removed.kind}_removed`, { day: removed.day, name: removed.name });
    return seeOther(`/admin/calendar?year=${removed.day.slice(0, 4)}`);
  }
}
