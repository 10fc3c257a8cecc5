import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CUSTOMER_STATUSES, CUSTOMER_TIERS, INDUSTRIES } from '../customer.options.js';

const emptyToUndefined = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined,
  );

export const CUSTOMER_SORTS = ['updated', 'name', 'idle'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

/** The customer list's filters, all in the query string so a filtered list can be bookmarked and shared. */
export class CustomerFilterDto {
  @emptyToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  /** A user id, `me`, or `pool` (no owner). */
  @emptyToUndefined()
  @IsOptional()
  @Matches(/^(\d{1,9}|me|pool)$/)
  owner?: string;

  @emptyToUndefined()
  @IsOptional()
  @IsIn(CUSTOMER_TIERS)
  tier?: string;

  /** VIP customers only: `1` from the page's checkbox, `true` as an API caller writes it. */
  @emptyToUndefined()
  @IsOptional()
  @IsIn(['1', 'true'])
  vip?: string;

  @emptyToUndefined()
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  status?: string;

  @emptyToUndefined()
  @IsOptional()
  @IsIn(INDUSTRIES)
  industry?: string;

  @emptyToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  province?: string;

  @emptyToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(50)
  city?: string;

  @emptyToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(30)
  tag?: string;

  /** Last interaction older than this many days (or never). */
  @emptyToUndefined()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(3650)
  idle?: number;

  @emptyToUndefined()
  @IsOptional()
  @IsIn(CUSTOMER_SORTS)
  sort?: CustomerSort;

  /** Keyset cursor: where the previous page ended. */
  @emptyToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  /** Keyset cursor going back: the first row of the page the user leaves (the "previous" link). */
  @emptyToUndefined()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  before?: string;
}

/** The export takes the list's filters and a format. */
export class CustomerExportDto extends CustomerFilterDto {
  @IsIn(['xlsx', 'csv'])
  format: 'xlsx' | 'csv' = 'xlsx';
}
