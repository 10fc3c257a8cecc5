import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Checkbox, IntOrNull, keyed, Trimmed } from '../../validation.js';
import { EXCEPTION_KINDS, type ExceptionKind } from '../calendar-exception.entity.js';

/** A time of day as <input type="time"> sends it (24:00 closes at midnight); empty: none. */
const TimeOfDay = () => (target: object, property: string) => {
  Trimmed()(target, property);
  IsOptional()(target, property);
  Matches(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: keyed('calendar.error.time') })(target, property);
};

/** The weekdays as the form names them, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The working-hours form: each weekday's opening and closing time (both empty: off), the lunch break. */
export class CalendarHoursDto {
  @TimeOfDay() monOpens?: string | null;
  @TimeOfDay() monCloses?: string | null;
  @TimeOfDay() tueOpens?: string | null;
  @TimeOfDay() tueCloses?: string | null;
  @TimeOfDay() wedOpens?: string | null;
  @TimeOfDay() wedCloses?: string | null;
  @TimeOfDay() thuOpens?: string | null;
  @TimeOfDay() thuCloses?: string | null;
  @TimeOfDay() friOpens?: string | null;
  @TimeOfDay() friCloses?: string | null;
  @TimeOfDay() satOpens?: string | null;
  @TimeOfDay() satCloses?: string | null;
  @TimeOfDay() sunOpens?: string | null;
  @TimeOfDay() sunCloses?: string | null;

  @Checkbox() lunch = false;
  @TimeOfDay() lunchStarts?: string | null;
  @TimeOfDay() lunchEnds?: string | null;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  version?: number;
}

/** A holiday or a make-up workday on a day, with its name. */
export class CalendarExceptionDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: keyed('validation.isDate') })
  day: string;

  @IsIn(EXCEPTION_KINDS, { message: keyed('validation.required') })
  kind: ExceptionKind;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @MaxLength(50, { message: keyed('validation.maxLength', 'max') })
  name: string;
}

/** The preview on the calendar page: from a local date and time, plus N business minutes. */
export class CalendarPreviewDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { message: keyed('validation.isDateTime') })
  from: string;

  @IntOrNull()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(0, { message: keyed('validation.min', 'min') })
  @Max(1_000_000, { message: keyed('validation.max', 'max') })
  minutes: number;
}
