import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BusinessCalendarService } from './business-calendar.service.js';
import { BusinessHours } from './business-hours.entity.js';
import { CalendarApiController } from './calendar.api.controller.js';
import { CalendarException } from './calendar-exception.entity.js';
import { CalendarController } from './calendar.controller.js';
import { CalendarRepository } from './calendar.repository.js';

/**
 * The business calendar, global: approval reminders use it now, ticket SLAs later, each through
 * BusinessCalendarService. /admin/calendar edits it; GET /api/v1/calendar/due asks its clock.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([BusinessHours, CalendarException])],
  controllers: [CalendarController, CalendarApiController],
  providers: [BusinessCalendarService, CalendarRepository],
  exports: [BusinessCalendarService],
})
export class CalendarModule {}
