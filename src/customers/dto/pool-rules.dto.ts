import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { IntOrNull, keyed } from '../../common/validation.js';
import type { PoolRules } from '../pool.js';

/** A whole number between min and max, typed into a form. */
const WholeNumber = (min: number, max: number) =>
  applyDecorators(
    Type(() => Number),
    IsInt({ message: keyed('validation.isInt') }),
    Min(min, { message: keyed('validation.min', 'min') }),
    Max(max, { message: keyed('validation.max', 'max') }),
  );

export class PoolRulesDto implements PoolRules {
  @WholeNumber(1, 100_000)
  maxOwned: number;

  @WholeNumber(1, 3650)
  returnDaysA: number;

  @WholeNumber(1, 3650)
  returnDaysB: number;

  @WholeNumber(1, 3650)
  returnDaysC: number;

  @WholeNumber(0, 365)
  warnDays: number;

  @IntOrNull()
  @IsInt()
  version: number;
}
