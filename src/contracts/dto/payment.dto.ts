import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
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
import { keyed, Trimmed } from '../../common/validation.js';
import {
  INVOICE_TYPES,
  type InvoiceType,
  MAX_INSTALLMENTS,
  PAYMENT_METHODS,
  type PaymentMethod,
} from '../payment.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Money as typed ("12,000", "¥98.50"), or as the API sends it: a decimal string or a number. */
const MoneyText = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value,
  );

/** One installment as typed; the amount is read exactly by the service (payment-plan.ts). */
export class InstallmentDto {
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 311,
    description: 'The installment this row keeps (omit for a new one).',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'number' ? String(value) : value === '' || value === undefined ? null : value,
  )
  @IsOptional()
  @IsString()
  @max(12)
  id: string | null = null;

  @ApiProperty({ type: 'string', format: 'date', example: '2027-01-15' })
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(20)
  dueOn: string | null = null;

  @ApiProperty({ type: 'string', example: '45335.03', description: 'CNY, exact to the fen.' })
  @MoneyText()
  @IsOptional()
  @IsString()
  @max(40)
  amount: string | null = null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: '签约后 10 个工作日内' })
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(500)
  note: string | null = null;
}

/** The installments as a form posts them (`installments[0][amount]`, an object by index past twenty) or the API sends them. */
const InstallmentsInput = () =>
  Transform(({ value }: { value: unknown }) => {
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
    // Rows left wholly empty on the form (its spare rows) are dropped; a row keeping an id is not.
    return rows.filter(
      (r) =>
        typeof r !== 'object' ||
        r === null ||
        Object.values(r as Record<string, unknown>).some(
          (v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== ''),
        ),
    );
  });

/** A payment plan (回款计划): its installments, saved on the plan's version (0 for a first plan). */
export class PaymentPlanDto {
  @ApiProperty({ type: [InstallmentDto] })
  @InstallmentsInput()
  @IsArray({ message: keyed('payment.plan_required') })
  @ArrayMaxSize(MAX_INSTALLMENTS, { message: keyed('payment.plan_too_long', 'max') })
  @ValidateNested({ each: true })
  @Type(() => InstallmentDto)
  installments: InstallmentDto[] = [];

  @ApiProperty({
    example: 2,
    description: "The plan's version as read (0 when the contract has no plan yet).",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  version?: number;
}

/** The plan form's address: `?split=3` fills it with three equal installments. */
export class PaymentPlanQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INSTALLMENTS)
  split?: number;
}

/** A payment received (回款). */
export class PaymentDto {
  @ApiProperty({ type: 'string', format: 'date', example: '2027-01-12' })
  @Trimmed()
  @Matches(DATE, { message: keyed('validation.isDate') })
  receivedOn: string;

  @ApiProperty({
    type: 'string',
    example: '45335.03',
    description: 'CNY, exact to the fen; at most what is outstanding.',
  })
  @MoneyText()
  @IsString({ message: keyed('validation.required') })
  @max(40)
  amount: string;

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'bank_transfer' })
  @IsIn(PAYMENT_METHODS, { message: keyed('validation.invalid') })
  method: PaymentMethod;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: '招商银行 流水号 20270112-0038' })
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(200)
  reference: string | null = null;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: '首付款' })
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(1000)
  note: string | null = null;
}

/** Reversing a mistaken payment or invoice (红冲): why. */
export class ReversalDto {
  @Trimmed()
  @IsString({ message: keyed('payment.reason_required') })
  @max(1000)
  reversalReason: string;
}

/** An invoice issued (开票). */
export class InvoiceDto {
  @ApiProperty({
    example: '04400212345678',
    description:
      'As the tax system issued it (spaces and full-width digits are folded); a number already recorded on a contract is refused.',
  })
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(60)
  number: string;

  @ApiProperty({ type: 'string', format: 'date', example: '2027-01-10' })
  @Trimmed()
  @Matches(DATE, { message: keyed('validation.isDate') })
  issuedOn: string;

  @ApiProperty({ type: 'string', example: '45335.03', description: 'CNY, tax included, exact to the fen.' })
  @MoneyText()
  @IsString({ message: keyed('validation.required') })
  @max(40)
  amount: string;

  @ApiProperty({ enum: INVOICE_TYPES, example: 'vat_special' })
  @IsIn(INVOICE_TYPES, { message: keyed('validation.invalid') })
  type: InvoiceType;

  @ApiProperty({
    type: 'string',
    example: '13',
    description: 'VAT in percent, 0 to 17, up to two decimals: usually 13, 9, 6, 3, 1 or 0.',
  })
  @MoneyText()
  @IsString({ message: keyed('validation.required') })
  @max(10)
  taxRate: string;

  @ApiPropertyOptional({ type: 'string', nullable: true, example: null })
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(1000)
  note: string | null = null;
}
