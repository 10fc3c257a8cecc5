import { IsIn, IsOptional, IsString } from 'class-validator';
import { LOCALES, type Locale } from '../common/roles.js';

/** The language switcher on every page (and the login page). */
export class LocaleDto {
  @IsIn(LOCALES)
  locale: Locale;

  @IsOptional()
  @IsString()
  returnTo?: string;
}
