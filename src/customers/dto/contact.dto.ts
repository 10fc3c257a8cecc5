import { Transform } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { Checkbox, IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import { normalizeEmail } from '../email.js';
import { normalizeMobile, normalizePhone } from '../phone.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });

/** Normalises a value and keeps what was typed when it cannot, so the error can show it. */
const Normalized = (fn: (v: string) => string | null) =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string' || !value.trim()) return null;
    return fn(value) ?? { invalid: value };
  });
const notInvalid = (name: string, key: string) =>
  ValidateBy({ name, validator: { validate: (v) => typeof v === 'string' } }, { message: keyed(key) });

export class ContactDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(100)
  name: string;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  title: string | null = null;

  @Normalized(normalizeMobile)
  @IsOptional()
  @notInvalid('mobile', 'validation.mobile')
  mobile: string | null = null;

  @Normalized(normalizePhone)
  @IsOptional()
  @notInvalid('phone', 'validation.phone')
  phone: string | null = null;

  @Normalized(normalizeEmail)
  @IsOptional()
  @notInvalid('email', 'validation.isEmail')
  email: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  wechat: string | null = null;

  @Checkbox()
  primary: boolean = false;

  /** No greetings or surveys by mail: the contact's choice, honoured by every rule that mails contacts. */
  @Checkbox()
  mailOptOut: boolean = false;

  @Trimmed()
  @IsOptional()
  @IsDateString({ strict: true }, { message: keyed('validation.isDate') })
  birthday: string | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  version?: number;
}
