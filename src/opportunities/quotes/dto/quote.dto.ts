import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Checkbox, keyed, Trimmed } from '../../../common/validation.js';
import { MAX_LINES } from '../quote.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LINE_FIELDS = [
  'itemName',
  'specification',
  'unit',
  'quantity',
  'unitPrice',
  'discountPercent',
] as const;

/**
 * The lines as a form or the API sends them, in order, without the rows left entirely blank (the
 * form always offers an empty row): `lines[0][itemName]=…` arrives as a list, or, past twenty rows,
 * as an object keyed by position; anything else is left as sent for the validator to refuse. The
 * form shown again after an error lists the same rows, so a row's errors stay beside it.
 */
export function compactLines(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return [];
  const rows = Array.isArray(value)
    ? value
    : typeof value === 'object' && Object.keys(value).every((k) => /^\d{1,3}$/.test(k))
      ? Object.entries(value as Record<string, unknown>)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, row]) => row)
      : null;
  if (!rows) return value;
  return rows.filter(
    (row) =>
      typeof row !== 'object' ||
      row === null ||
      LINE_FIELDS.some((f) => {
        const v = (row as Record<string, unknown>)[f];
        return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
      }),
  );
}

/** One line as typed: figures are text, read exactly by the service (quote-totals.ts, money.ts). */
export class QuoteLineDto {
  // Required, as are the quantity and the unit price: checked by the service, so that the form's
  // "add line" button shows a half-typed row again without complaint.
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(200)
  itemName: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(500)
  specification: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(20)
  unit: string | null = null;

  /** "2", "2.5" (up to three decimals), more than zero. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(30)
  quantity: string | null = null;

  /** CNY as typed ("1,200", "¥99.99"), zero or more. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(40)
  unitPrice: string | null = null;

  /** Percent off this line, 0–100; empty is none. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(10)
  discountPercent: string | null = null;
}

/** What a quote says: one DTO for the page's form and the API. */
export class QuoteFieldsDto {
  /** Percent: 13, 9, 6, 3, 1, 0. */
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(10)
  taxRate: string;

  /** Unit prices include the tax (含税价). */
  @Checkbox()
  pricesIncludeTax: boolean = false;

  /** Percent off the whole quote, 0–100; empty is none. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(10)
  discountPercent: string | null = null;

  @Trimmed()
  @Matches(DATE, { message: keyed('validation.isDate') })
  validUntil: string;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(4000)
  terms: string | null = null;

  @Transform(({ value }: { value: unknown }) => compactLines(value))
  @IsArray({ message: keyed('quote.lines_required') })
  @ArrayMaxSize(MAX_LINES, { message: keyed('quote.lines_too_many', 'max') })
  @ValidateNested({ each: true })
  @Type(() => QuoteLineDto)
  lines: QuoteLineDto[] = [];

  /** The form's "add line" button: show the form again with one more row (pages only). */
  @IsOptional()
  @IsString()
  _addLine?: string;
}

/** A new quote through the API: on which deal. (The page's form takes the deal from its address.) */
export class QuoteDto extends QuoteFieldsDto {
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  @Max(2_147_483_647)
  opportunityId: number;
}

/** An edit of a draft or rejected quote, made on the version the form showed. */
export class QuoteEditDto extends QuoteFieldsDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/** A status change (submit, send, accept, expire), made on the version shown. */
export class QuoteActionDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}
