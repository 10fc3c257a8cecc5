import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AuditTrail } from '../audit-trail.js';
import { editedVersion, NotFound, StaleVersion, ValidationFailed, type FieldErrors } from '../errors.js';
import { type ReferenceCache, ReferenceData } from '../reference-data.js';
import { localDay, parseLocalDateTime, toLocalInput, zoneOffsetMinutes } from '../time.js';
import { validateInput } from '../validation.js';
import type { BusinessHours } from './business-hours.entity.js';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  DEFAULT_LUNCH,
  type DayHours,
} from './business-time.js';
import type { CalendarException } from './calendar-exception.entity.js';
import { CalendarRepository } from './calendar.repository.js';
import {
  type CalendarExceptionDto,
  type CalendarHoursDto,
  CalendarPreviewDto,
  WEEKDAYS,
} from './dto/calendar.dto.js';

/** A day that already has a holiday or a make-up workday. */
export class DayAlreadyListed extends ValidationFailed {
  constructor(day: string, name: string) {
    super({ day: [{ key: 'calendar.error.day_taken', params: { day, name } }] });
  }
}

/** "09:00" for 540; "24:00" for 1440. */
export const clock = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** 540 for "09:00"; null for none. */
const minuteOf = (time: string | null | undefined): number | null => {
  if (!time) return null;
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
};

/** An instant as ISO 8601 in `zone`, with its offset: 2026-10-08T10:00:00+08:00. */
export function isoInZone(instant: Date, zone: string): string {
  const offset = zoneOffsetMinutes(instant, zone);
  const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** One exception as the calendar page lists it. */
export interface CalendarExceptionView {
  id: number;
  day: string;
  /** calendar.weekday.mon … sun */
  weekdayKey: string;
  kind: 'holiday' | 'workday';
  name: string;
}

export interface CalendarPreviewView {
  values: { from?: string; minutes?: string | number };
  errors: FieldErrors;
  /** The due time in the company's zone (datetime-local text) and as ISO with offset. */
  due?: { local: string; iso: string; weekdayKey: string };
}

const weekdayKey = (day: string) =>
  `calendar.weekday.${WEEKDAYS[(new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7]}`;

/**
 * The company's business calendar (working week, holidays, 调休 make-up workdays) and the clock that
 * runs on it: due times for SLAs, business minutes for approval reminders. The calendar is reference
 * data: loaded once per app instance and reloaded when an admin's save moves the reference version.
 */
@Injectable()
export class BusinessCalendarService {
  private readonly cached: ReferenceCache<BusinessCalendar>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: CalendarRepository,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    reference: ReferenceData,
  ) {
    this.cached = reference.cache(() => this.load());
  }

  private async load(): Promise<BusinessCalendar> {
    const [hours, exceptions] = await Promise.all([this.repo.findHours(), this.repo.findExceptions()]);
    return {
      zone: this.config.defaultTimezone,
      week: hours.opens.map((opens, i) => {
        const closes = hours.closes[i];
        return opens === null || closes === null ? null : { opens, closes };
      }),
      lunch:
        hours.lunchStarts === null || hours.lunchEnds === null
          ? null
          : { starts: hours.lunchStarts, ends: hours.lunchEnds },
      holidays: new Set(exceptions.filter((e) => e.kind === 'holiday').map((e) => e.day)),
      makeUpDays: new Set(exceptions.filter((e) => e.kind === 'workday').map((e) => e.day)),
    };
  }

  /** The calendar as it now stands (from memory unless an admin changed it). */
  calendar(): Promise<BusinessCalendar> {
    return this.cached.get();
  }

  /** When `minutes` of business time from `from` are up: an SLA's due time. */
  async due(from: Date, minutes: number): Promise<Date> {
    return addBusinessMinutes(from, minutes, await this.calendar());
  }

  /** Whole business minutes from `from` to `to`. */
  async between(from: Date, to: Date): Promise<number> {
    return businessMinutesBetween(from, to, await this.calendar());
  }

  /** The API's answer: the due time as ISO 8601 with the company zone's offset. */
  async dueIso(from: Date, minutes: number): Promise<string> {
    return isoInZone(await this.due(from, minutes), this.config.defaultTimezone);
  }

  // ---- The admin page ----

  /**
   * /admin/calendar: the working week as the form shows it, the exceptions of `year` (default: this
   * year in the company's zone), the years to choose from, and the preview when one was asked.
   */
  async page(year: number | undefined, preview: Record<string, unknown>) {
    const zone = this.config.defaultTimezone;
    const thisYear = Number(localDay(new Date(), zone).slice(0, 4));
    const shown = year ?? thisYear;
    const [hours, exceptions, stored] = await Promise.all([
      this.repo.findHours(),
      this.repo.findExceptionsOfYear(shown),
      this.repo.exceptionYears(),
    ]);
    const years = [...new Set([...stored, thisYear, thisYear + 1, shown])].sort((a, b) => a - b);
    // A year without holidays counts every weekday as worked: this year's, and from October (when the
    // State Council publishes the next year's) the next year's, are asked for.
    const month = Number(localDay(new Date(), zone).slice(5, 7));
    const missingYears = [thisYear, ...(month >= 10 ? [thisYear + 1] : [])].filter(
      (y) => !stored.includes(y),
    );
    return {
      title: 'calendar.title',
      zone,
      missingYears,
      year: shown,
      years: years.map((y) => ({ year: y, current: y === shown })),
      hours: this.hoursValues(hours),
      weekdays: WEEKDAYS.map((d) => ({ key: d, labelKey: `calendar.weekday.${d}` })),
      exceptions: exceptions.map((e) => this.exceptionView(e)),
      preview: await this.preview(preview),
    };
  }

  /** The working week as the form's fields hold it. */
  private hoursValues(
    hours: Pick<BusinessHours, 'opens' | 'closes' | 'lunchStarts' | 'lunchEnds' | 'version'>,
  ): Record<string, string | number | boolean> {
    const values: Record<string, string | number | boolean> = { version: hours.version };
    WEEKDAYS.forEach((d, i) => {
      const opens = hours.opens[i];
      const closes = hours.closes[i];
      values[`${d}Opens`] = opens === null ? '' : clock(opens);
      values[`${d}Closes`] = closes === null ? '' : clock(closes);
    });
    values.lunch = hours.lunchStarts !== null;
    values.lunchStarts = clock(hours.lunchStarts ?? DEFAULT_LUNCH.starts);
    values.lunchEnds = clock(hours.lunchEnds ?? DEFAULT_LUNCH.ends);
    return values;
  }

  private exceptionView(e: CalendarException): CalendarExceptionView {
    return { id: e.id, day: e.day, weekdayKey: weekdayKey(e.day), kind: e.kind, name: e.name };
  }

  /** The preview's answer for the typed values, or their errors (nothing asked: nothing answered). */
  private async preview(input: Record<string, unknown>): Promise<CalendarPreviewView> {
    const values = { from: input.from as string | undefined, minutes: input.minutes as string | undefined };
    if (input.from === undefined && input.minutes === undefined) {
      // Offered: now, plus a working day.
      return {
        values: { from: toLocalInput(new Date(), this.config.defaultTimezone), minutes: 540 },
        errors: {},
      };
    }
    let dto: CalendarPreviewDto;
    try {
      dto = await validateInput(CalendarPreviewDto, { from: input.from, minutes: input.minutes });
    } catch (e) {
      if (e instanceof ValidationFailed) return { values, errors: e.fields };
      throw e;
    }
    const zone = this.config.defaultTimezone;
    const from = parseLocalDateTime(dto.from, zone);
    if (!from) return { values, errors: { from: [{ key: 'validation.isDateTime' }] } };
    const due = await this.due(from, dto.minutes);
    const local = toLocalInput(due, zone);
    return {
      values,
      errors: {},
      due: {
        local: local.replace('T', ' '),
        iso: isoInZone(due, zone),
        weekdayKey: weekdayKey(local.slice(0, 10)),
      },
    };
  }

  /** Saves the working week edited on `dto.version`; a newer save refuses it. */
  async saveHours(dto: CalendarHoursDto): Promise<void> {
    const expected = editedVersion(dto.version);
    const { opens, closes, lunchStarts, lunchEnds } = this.checkHours(dto);
    await this.dataSource.transaction(async (m) => {
      const row = await this.repo.lockHours(m);
      if (row.version !== expected) throw new StaleVersion();
      const before = this.hoursValues(row);
      await this.repo.saveHours(m, { opens, closes, lunchStarts, lunchEnds });
      const after = this.hoursValues({ opens, closes, lunchStarts, lunchEnds, version: row.version });
      const diff = Object.fromEntries(
        Object.entries(after)
          .filter(([k, v]) => k !== 'version' && before[k] !== v)
          .map(([k, v]) => [k, { from: before[k], to: v }]),
      );
      await this.audit.record({ action: 'update', entity: 'business_hours', entityId: 1, diff }, m);
    });
  }

  /** The week the form describes, or the fields that do not make one. */
  private checkHours(dto: CalendarHoursDto) {
    const errors: FieldErrors = {};
    const fail = (field: string, key: string) => (errors[field] = [{ key }]);
    const days: (DayHours | null)[] = WEEKDAYS.map((d) => {
      const opens = minuteOf(dto[`${d}Opens`]);
      const closes = minuteOf(dto[`${d}Closes`]);
      if (opens === null && closes === null) return null;
      if (opens === null) fail(`${d}Opens`, 'calendar.error.both_times');
      else if (closes === null) fail(`${d}Closes`, 'calendar.error.both_times');
      else if (closes <= opens) fail(`${d}Closes`, 'calendar.error.closes_after_opens');
      else return { opens, closes };
      return null;
    });
    let lunchStarts: number | null = null;
    let lunchEnds: number | null = null;
    if (dto.lunch) {
      lunchStarts = minuteOf(dto.lunchStarts);
      lunchEnds = minuteOf(dto.lunchEnds);
      if (lunchStarts === null) fail('lunchStarts', 'validation.required');
      else if (lunchEnds === null) fail('lunchEnds', 'validation.required');
      else if (lunchEnds <= lunchStarts) fail('lunchEnds', 'calendar.error.closes_after_opens');
    }
    if (!Object.keys(errors).length && days.every((d) => d === null)) fail('_', 'calendar.error.no_workday');
    if (Object.keys(errors).length) throw new ValidationFailed(errors);
    return {
      opens: days.map((d) => d?.opens ?? null),
      closes: days.map((d) => d?.closes ?? null),
      lunchStarts: dto.lunch ? lunchStarts : null,
      lunchEnds: dto.lunch ? lunchEnds : null,
    };
  }

  /**
   * Lists a holiday or a make-up workday. A day already listed is refused (the database's unique day
   * decides between two admins at once); a make-up workday must fall on a day the week has off.
   */
  async addException(dto: CalendarExceptionDto): Promise<CalendarExceptionView> {
    const check = new Date(`${dto.day}T00:00:00Z`);
    if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== dto.day)
      throw ValidationFailed.field('day', 'validation.isDate');
    const calendar = await this.calendar();
    if (dto.kind === 'workday') {
      const weekday = calendar.week[(check.getUTCDay() + 6) % 7];
      if (weekday) throw ValidationFailed.field('day', 'calendar.error.workday_not_off');
    }
    return this.dataSource.transaction(async (m) => {
      const id = await this.repo.insertException(m, dto);
      if (id === null) {
        const listed = await this.repo.findExceptionOn(m, dto.day);
        throw new DayAlreadyListed(dto.day, listed?.name ?? '');
      }
      await this.audit.record(
        {
          action: 'create',
          entity: 'calendar_exception',
          entityId: id,
          diff: { day: { to: dto.day }, kind: { to: dto.kind }, name: { to: dto.name } },
        },
        m,
      );
      return { id, day: dto.day, weekdayKey: weekdayKey(dto.day), kind: dto.kind, name: dto.name };
    });
  }

  /** Removes a holiday or a make-up workday; answers it as it was. */
  async removeException(id: number): Promise<CalendarExceptionView> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.repo.deleteException(m, id);
      if (!row) throw new NotFound();
      await this.audit.record(
        {
          action: 'delete',
          entity: 'calendar_exception',
          entityId: id,
          diff: { day: { from: row.day }, kind: { from: row.kind }, name: { from: row.name } },
        },
        m,
      );
      return this.exceptionView(row);
    });
  }
}
