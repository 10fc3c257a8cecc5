import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import { MAX_CONTRACT_LINES } from '../contract.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One line as typed: quantity and unit price are text, read exactly by the service (contract-lines.ts). */
export class ContractLineDto {
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(300)
  item: string | null = null;

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

  /** "3", "1.5" (up to three decimals). */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(30)
  quantity: string | null = null;

  /** CNY as typed ("12,000", "¥98.50"). */
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(40)
  unitPrice: string | null = null;
}

/**
 * The lines as a form posts them (`lines[0][item]`, read as an array or, past twenty, as an object by
 * index) or as the API sends them (an array), each read as a ContractLineDto; rows left wholly empty
 * on the form are dropped. Read from the raw input, so both shapes arrive here alike.
 */
const LinesInput = () =>
  Transform(({ obj }: { obj: Record<string, unknown> }) => {
    const value = obj.lines;
    if (value === undefined || value === null || value === '') return [];
    const rows = Array.isArray(value)
      ? value
      : typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
            .filter(([k]) => /^\d+$/.test(k))
            .sort(([a], [b]) => Number(a) - Number(b))
            .map(([, v]) => v)
        : value;
    if (!Array.isArray(rows)) return rows;
    return rows
      .map((r) =>
        r !== null && typeof r === 'object' && !Array.isArray(r) ? plainToInstance(ContractLineDto, r) : r,
      )
      .filter(
        (r) =>
          !(r instanceof ContractLineDto) ||
          Object.values(r).some((v) => v !== null && v !== undefined && v !== ''),
      );
  });

/** What a contract says: one DTO for the page's form and the API. */
export class ContractFieldsDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(200)
  title: string;

  @Trimmed()
  @IsOptional()
  @Matches(DATE, { message: keyed('validation.isDate') })
  startOn: string | null = null;

  @Trimmed()
  @IsOptional()
  @Matches(DATE, { message: keyed('validation.isDate') })
  endOn: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(2000)
  paymentTerms: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  ourSignatoryName: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  ourSignatoryTitle: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  customerSignatoryName: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(100)
  customerSignatoryTitle: string | null = null;

  @LinesInput()
  @IsArray({ message: keyed('contract.lines_required') })
  @ArrayMaxSize(MAX_CONTRACT_LINES, { message: keyed('contract.too_many_lines', 'max') })
  @ValidateNested({ each: true })
  lines: ContractLineDto[] = [];

  /** The form's "add line" button: show the form again with more rows (pages only). */
  @IsOptional()
  @IsString()
  _addLine?: string;

  /** The owner, where the user may choose one (a manager, the admin); otherwise it stays as it is. */
  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.ownerNotOffered') })
  ownerId: number | null = null;
}

/** A new contract on a customer; from a won deal or an accepted quote when they are named. */
export class ContractDto extends ContractFieldsDto {
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  @Max(2_147_483_647)
  customerId: number;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  opportunityId: number | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  quoteId: number | null = null;
}

/** An edit of a draft or rejected contract, made on the version the form showed. */
export class ContractEditDto extends ContractFieldsDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/** A status change made on the version shown: submit, complete. */
export class ContractVersionDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/** Approving or rejecting (by an approver of the current step), with a comment. */
export class ContractDecisionDto {
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(2000)
  comment: string | null = null;
}

/** Marking an approved contract signed: the day it was signed (the scan comes as the upload's file). */
export class ContractSignDto extends ContractVersionDto {
  @Trimmed()
  @Matches(DATE, { message: keyed('validation.isDate') })
  signedOn: string;
}

/** Ending a signed contract early: why. */
export class ContractTerminateDto extends ContractVersionDto {
  @Trimmed()
  @IsString({ message: keyed('contract.reason_required') })
  @max(2000)
  reason: string;
}

/** The new contract form's address: `/contracts/new?customer=…`, `?opportunity=…` or `?quote=…`. */
export class ContractFormQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customer?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  opportunity?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  quote?: number;

  /** A search for the customer, while none is chosen. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

/** The print page's language: the user's own unless asked. */
export class ContractPrintQueryDto {
  @IsOptional()
  @IsIn(['en', 'zh-CN'])
  lang?: 'en' | 'zh-CN';
}
