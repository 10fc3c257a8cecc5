import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import { FOLLOW_UP_METHODS, type FollowUpMethod } from '../follow-up.entity.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2})?$/;

/** What a follow-up says: a visit, call, e-mail, WeChat chat or meeting. Times are the user's local times. */
export class FollowUpFieldsDto {
  @IntOrNull()
  @IsOptional()
  @IsInt()
  contactId: number | null = null;

  @IsIn(FOLLOW_UP_METHODS, { message: keyed('validation.required') })
  method: FollowUpMethod;

  @Trimmed()
  @Matches(LOCAL_TIME, { message: keyed('validation.isDateTime') })
  happenedAt: string;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(4000)
  summary: string;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(2000)
  promises: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(500)
  nextAction: string | null = null;

  @Trimmed()
  @IsOptional()
  @Matches(LOCAL_TIME, { message: keyed('validation.isDateTime') })
  nextFollowUpAt: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(300)
  location: string | null = null;
}

/** A follow-up being logged, on a customer. */
export class FollowUpDto extends FollowUpFieldsDto {
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  customerId: number;

  /** The customer's deal it was logged against, if any. */
  @IntOrNull()
  @IsOptional()
  @IsInt()
  opportunityId: number | null = null;

  /** Where to go after saving: the customer page or my day. */
  @IsOptional()
  @IsString()
  returnTo?: string;
}

/** A correction of a follow-up by its author: the same fields, made on the version the form showed. */
export class FollowUpEditDto extends FollowUpFieldsDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}
