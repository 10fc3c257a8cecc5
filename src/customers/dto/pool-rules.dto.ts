import { applyDecorators } from '@nestjs/common';
import {
  IsInt,
  IsNotEmpty,
  Max,
  Min,
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { Checkbox, IntOrNull, keyed } from '../../common/validation.js';
import type { PoolRules } from '../pool.js';

/** A whole number between min and max, typed into a form (empty: required). */
const WholeNumber = (min: number, max: number) =>
  applyDecorators(
    IntOrNull(),
    IsNotEmpty({ message: keyed('validation.required') }),
    IsInt({ message: keyed('validation.isInt') }),
    Min(min, { message: keyed('validation.min', 'min') }),
    Max(max, { message: keyed('validation.max', 'max') }),
  );

/** The shortest of the tiers' return periods, or undefined while one of them is not a valid number of days. */
export function shortestReturn(r: Pick<PoolRules, 'returnDaysA' | 'returnDaysB' | 'returnDaysC'>) {
  const days = [r.returnDaysA, r.returnDaysB, r.returnDaysC];
  return days.every((d) => Number.isInteger(d) && d >= 1) ? Math.min(...days) : undefined;
}

/**
 * The warning must come before the customer returns: fewer days than the shortest tier's return
 * period (a warning as long as the period would be sent on the day the rep took the customer).
 */
function ShorterThanEveryReturn(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'shorterThanEveryReturn',
      target: target.constructor,
      propertyName,
      options: {
        message: (args: ValidationArguments) =>
          JSON.stringify({
            key: 'pool.warn_too_long',
            params: { days: shortestReturn(args.object as PoolRules) ?? 0 },
          }),
        ...options,
      },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const shortest = shortestReturn(args.object as PoolRules);
          return typeof value !== 'number' || shortest === undefined || value < shortest;
        },
      },
    });
}

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
  @ShorterThanEveryReturn()
  warnDays: number;

  @Checkbox()
  byRegion: boolean = false;

  @IntOrNull()
  @IsInt()
  version: number;
}
