import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrorBody } from '../api/api-error.js';
import { BusinessCalendarService } from './business-calendar.service.js';
import { CalendarDueResource, parseDueQuery } from './dto/calendar-due.query.js';

/**
 * /api/v1/calendar/due: the company's business clock (working hours, holidays, 调休 make-up days), the
 * same that SLAs and approval reminders run on. Any token may ask: it reveals no record.
 */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api/v1/calendar')
export class CalendarApiController {
  constructor(private readonly calendar: BusinessCalendarService) {}

  @Get('due')
  @ApiQuery({
    name: 'from',
    required: true,
    example: '2026-09-30T17:00:00+08:00',
    description: 'The start, ISO 8601 with an offset or Z (a `+` written `%2B` in the address).',
  })
  @ApiQuery({
    name: 'minutes',
    required: true,
    type: 'integer',
    example: 120,
    description: 'Business minutes, 0–1,000,000.',
  })
  @ApiOkResponse({ type: CalendarDueResource })
  @ApiBadRequestResponse({
    type: ApiErrorBody,
    description: '`from` is not a time, or `minutes` not 0–1,000,000.',
  })
  // The query is read as sent and checked by parseDueQuery, so a bad one answers 400.
  async due(@Query() query: Record<string, unknown>): Promise<CalendarDueResource> {
    const { from, minutes } = await parseDueQuery(query);
    return { due: await this.calendar.dueIso(new Date(from), minutes) };
  }
}
