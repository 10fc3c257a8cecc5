import { applyDecorators } from '@nestjs/common';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { IntOrNull, keyed } from '../../common/validation.js';
import { LOCALES, type Locale } from '../../common/roles.js';
import type { RuleSettings } from '../rule-settings.js';

/** A whole number between min and max, typed into a form (empty: required). */
const WholeNumber = (min: number, max: number) =>
  applyDecorators(
    IntOrNull(),
    IsNotEmpty({ message: keyed('validation.required') }),
    IsInt({ message: keyed('validation.isInt') }),
    Min(min, { message: keyed('validation.min', 'min') }),
    Max(max, { message: keyed('validation.max', 'max') }),
  );

const Template = () =>
  applyDecorators(
    IsString({ message: keyed('validation.required') }),
    IsNotEmpty({ message: keyed('validation.required') }),
    MaxLength(5000, { message: keyed('validation.maxLength', 'max') }),
  );

/** The automation rules' section of /admin/settings. */
export class RuleSettingsDto implements RuleSettings {
  @WholeNumber(1, 3650)
  vipIdleDays: number;

  @WholeNumber(2, 5)
  lowCsatBelow: number;

  @WholeNumber(0, 365)
  contractSurveyDays: number;

  @WholeNumber(0, 3650)
  npsSkipDays: number;

  @WholeNumber(0, 100)
  complaintRateAbove: number;

  @WholeNumber(0, 100)
  slaAttainmentBelow: number;

  @WholeNumber(0, 1000)
  jumpPercent: number;

  @WholeNumber(0, 100)
  slaDropPoints: number;

  @WholeNumber(1, 100000)
  alertMinTickets: number;

  @IsIn(LOCALES, { message: keyed('validation.invalid') })
  contactLocale: Locale;

  @Template()
  birthdayZh: string;

  @Template()
  birthdayEn: string;

  @Template()
  holidayZh: string;

  @Template()
  holidayEn: string;

  @IntOrNull()
  @IsInt()
  version: number;
}
