import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../../common/validation.js';

/** How long a new token lasts, in days (none: until revoked). */
export const TOKEN_LIFETIMES = [30, 90, 365] as const;

/** The form that makes a personal API token (My account → API tokens). */
export class ApiTokenDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @MaxLength(100, { message: keyed('validation.maxLength', 'max') })
  name: string;

  @IntOrNull()
  @IsOptional()
  @IsIn(TOKEN_LIFETIMES, { message: keyed('validation.invalid') })
  expiresInDays: number | null = null;
}
