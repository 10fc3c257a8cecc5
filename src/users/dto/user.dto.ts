import { IsEmail, IsIn, IsInt, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PROVINCES } from '../../common/regions.js';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import { LOCALES, type Locale, ROLES, type Role } from '../../common/roles.js';
import { NotGuessable } from '../password.js';

export const PASSWORD_MIN = 10;

/** The admin's user form; `password` only when creating. */
export class UserDto {
  @Trimmed()
  @IsEmail({}, { message: keyed('validation.isEmail') })
  @MaxLength(200, { message: keyed('validation.maxLength', 'max') })
  email: string;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @MaxLength(100, { message: keyed('validation.maxLength', 'max') })
  name: string;

  @IsIn(ROLES, { message: keyed('validation.required') })
  role: Role;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  teamId: number | null = null;

  /** The province whose unowned leads a sales rep sees in the pool: one of the region list's, as customers have. */
  @Trimmed()
  @IsOptional()
  @IsIn(PROVINCES)
  region: string | null = null;

  @IsIn(LOCALES)
  locale: Locale = 'zh-CN';

  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN, { message: keyed('validation.passwordLength', 'min') })
  @NotGuessable()
  password?: string;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  version?: number;
}

export class TeamDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @MaxLength(100, { message: keyed('validation.maxLength', 'max') })
  name: string;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  managerId: number | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  version?: number;
}

export class PasswordResetDto {
  @IsString({ message: keyed('validation.required') })
  @MinLength(PASSWORD_MIN, { message: keyed('validation.passwordLength', 'min') })
  @NotGuessable()
  password: string;
}

export class ChangePasswordDto {
  @IsString({ message: keyed('validation.required') })
  @MinLength(1, { message: keyed('validation.required') })
  currentPassword: string;

  @IsString({ message: keyed('validation.required') })
  @MinLength(PASSWORD_MIN, { message: keyed('validation.passwordLength', 'min') })
  @NotGuessable()
  newPassword: string;

  @IsString({ message: keyed('validation.required') })
  confirmPassword: string;
}
