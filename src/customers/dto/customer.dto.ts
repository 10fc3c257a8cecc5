import { Transform } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { Checkbox, IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import {
  CUSTOMER_KINDS,
  CUSTOMER_SIZES,
  CUSTOMER_SOURCES,
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  type CustomerKind,
  type CustomerStatus,
  type CustomerTier,
  INDUSTRIES,
  readTier,
} from '../customer.options.js';
import { normalizeEmail } from '../email.js';
import { normalizeMobile } from '../phone.js';
import { isValidUscc, normalizeUscc } from '../uscc.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const oneOf = (values: readonly string[]) => IsIn(values, { message: keyed('validation.invalid') });

/** One DTO for the customer form (new and edit) and, later, the API. */
export class CustomerDto {
  @IsIn(CUSTOMER_KINDS, { message: keyed('validation.invalid') })
  kind: CustomerKind = 'company';

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(200)
  name: string;

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() ? normalizeUscc(value) : null,
  )
  @IsOptional()
  @ValidateBy(
    { name: 'uscc', validator: { validate: (v) => typeof v === 'string' && isValidUscc(v) } },
    { message: keyed('validation.uscc') },
  )
  uscc: string | null = null;

  @Trimmed()
  @IsOptional()
  @oneOf(INDUSTRIES)
  industry: string | null = null;

  @Trimmed()
  @IsOptional()
  @oneOf(CUSTOMER_SIZES)
  size: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(50)
  province: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(50)
  city: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(50)
  district: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(300)
  address: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsUrl({ require_protocol: false }, { message: keyed('validation.isUrl') })
  @max(300)
  website: string | null = null;

  /** As people write it (A, a, Ａ类, B级): folded to A, B or C; anything else stays, to be refused. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (readTier(value) ?? value) : value,
  )
  @IsIn(CUSTOMER_TIERS, { message: keyed('validation.invalid') })
  tier: CustomerTier = 'C';

  @Checkbox()
  vip: boolean = false;

  /** Notes (备注): free text, several lines. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(2000)
  notes: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(20)
  creditLevel: string | null = null;

  @Trimmed()
  @IsOptional()
  @oneOf(CUSTOMER_SOURCES)
  source: string | null = null;

  @IsIn(CUSTOMER_STATUSES, { message: keyed('validation.invalid') })
  status: CustomerStatus = 'lead';

  /** Only managers and admins choose the owner; a sales rep's new customer is their own. */
  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.ownerNotOffered') })
  ownerId: number | null = null;

  @Trimmed()
  @IsOptional()
  @IsDateString({ strict: true }, { message: keyed('validation.isDate') })
  birthday: string | null = null;

  /** Comma-separated in the form (both , and ，), a list in the database. */
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[,，]/) : [])
      .map((t) => t.trim())
      .filter(Boolean),
  )
  @IsString({ each: true })
  @MaxLength(30, { each: true, message: keyed('validation.maxLength', 'max') })
  tags: string[] = [];

  @IntOrNull()
  @IsOptional()
  @IsInt()
  version?: number;

  // The first contact, when creating a customer.

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  contactName: string | null = null;

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() ? (normalizeMobile(value) ?? { invalid: value }) : null,
  )
  @IsOptional()
  @ValidateBy(
    { name: 'mobile', validator: { validate: (v) => typeof v === 'string' } },
    { message: keyed('validation.mobile') },
  )
  contactMobile: string | null = null;

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() ? (normalizeEmail(value) ?? { invalid: value }) : null,
  )
  @IsOptional()
  @ValidateBy(
    { name: 'email', validator: { validate: (v) => typeof v === 'string' } },
    { message: keyed('validation.isEmail') },
  )
  contactEmail: string | null = null;

  // The duplicate check's answer (see duplicates.ts).

  @Checkbox()
  confirmDuplicate: boolean = false;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(500)
  duplicateReason: string | null = null;

  /** The form's "update lists" button (no JavaScript): show the form again with the new choices, save nothing. */
  @IsOptional()
  @IsIn(['1'])
  _refresh?: '1';
}
