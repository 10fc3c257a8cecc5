import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsString, Max, Min } from 'class-validator';
import { ValidationFailed } from '../../errors.js';
import { IntOrNull, keyed, validateStrictly } from '../../validation.js';

/** `GET /api/v1/calendar/due`: a start with its offset and a number of business minutes. */
export class CalendarDueQuery {
  @IsString({ message: keyed('validation.required') })
  @IsISO8601({ strict: true }, { message: keyed('validation.isDateTime') })
  from: string;

  @IntOrNull()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(0, { message: keyed('validation.min', 'min') })
  @Max(1_000_000, { message: keyed('validation.max', 'max') })
  minutes: number;
}

/** The answer: when the minutes are up, in the company's zone. */
export class CalendarDueResource {
  @ApiProperty({
    example: '2026-10-08T10:00:00+08:00',
    description: 'ISO 8601 with the company zone’s offset.',
  })
  due: string;
}

/**
 * The query checked as every API input is (an unknown parameter refused). A query that does not say
 * a time and a number is a bad request: 400, with the fields and messages in the token user's language.
 */
export async function parseDueQuery(query: unknown): Promise<CalendarDueQuery> {
  const badRequest = (e: unknown) => {
    if (e instanceof ValidationFailed) e.apiStatus = 400;
    return e;
  };
  const parsed = await validateStrictly(CalendarDueQuery, query).catch((e: unknown) => {
    throw badRequest(e);
  });
  // A time without an offset would be read in the server's zone: say which instant is meant.
  if (!/T.*(Z|[+-]\d{2}(:?\d{2})?)$/i.test(parsed.from))
    throw badRequest(ValidationFailed.field('from', 'calendar.error.offset'));
  return parsed;
}
