import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPageQuery } from '../../common/api/api-page.js';
import { describeFromValidation } from '../../common/api/openapi-schema.js';
import { toLocalInput } from '../../common/time.js';
import { keyed } from '../../common/validation.js';
import { FollowUpDto, FollowUpEditDto } from './follow-up.dto.js';

const TIMES = {
  happenedAt: 'When it happened: ISO 8601 with an offset (`2026-11-28T14:30:00+08:00`); not in the future.',
  nextFollowUpAt: 'The next step’s time: ISO 8601 with an offset; not in the past.',
};
const EXAMPLES = {
  customerId: 1207,
  method: 'visit',
  happenedAt: '2026-11-28T14:30:00+08:00',
  summary: '拜访采购部，确认明年 ERP 升级预算',
  nextAction: '发送报价单',
  nextFollowUpAt: '2026-12-05T09:00:00+08:00',
};
describeFromValidation(FollowUpDto, { omit: ['returnTo'], examples: EXAMPLES, descriptions: TIMES });
describeFromValidation(FollowUpEditDto, {
  examples: EXAMPLES,
  descriptions: { ...TIMES, version: 'Required: the version the edit was made on.' },
});
for (const dto of [FollowUpDto, FollowUpEditDto]) {
  for (const field of ['happenedAt', 'nextFollowUpAt'])
    ApiProperty({ type: 'string', format: 'date-time', required: field === 'happenedAt', nullable: true })(
      dto.prototype,
      field,
    );
}

/** An instant written with its offset (or Z). */
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The API's times (ISO 8601 with an offset) as the follow-up form's fields take them (local times in
 * the user's zone), so the page's DTO and rules check them; a time without an offset, or not a time,
 * is left for the DTO to refuse.
 */
export function followUpTimesAsLocal(body: unknown, zone: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...body };
  for (const field of ['happenedAt', 'nextFollowUpAt']) {
    const value = out[field];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const instant = new Date(value);
    out[field] =
      WITH_OFFSET.test(value.trim()) && !Number.isNaN(instant.getTime())
        ? toLocalInput(instant, zone)
        : { invalid: value };
  }
  return out;
}

/** The follow-ups list: of one customer or author, and a span of time, among the customers the user sees. */
export class FollowUpApiQuery extends ApiPageQuery {
  @ApiProperty({ required: false, type: 'integer', example: 1207 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customerId?: number;

  @ApiProperty({ required: false, type: 'integer', description: 'Who logged them.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  authorId?: number;

  @ApiProperty({ required: false, format: 'date-time', description: 'Happened at or after (ISO 8601).' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: keyed('validation.isDateTime') })
  since?: Date;

  @ApiProperty({ required: false, format: 'date-time', description: 'Happened before (ISO 8601).' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: keyed('validation.isDateTime') })
  until?: Date;
}
