import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import {
  LOST_REASONS,
  type LostReason,
  OPEN_STAGES,
  type OpenStage,
  OPPORTUNITY_SOURCES,
  OPPORTUNITY_STAGES,
  type OpportunitySource,
  type OpportunityStage,
} from '../opportunity.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What a deal says: one DTO for the page's form and the API. The amount is read as people type it. */
export class OpportunityFieldsDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(200)
  title: string;

  /** CNY as typed ("120,000", "¥98 500.50"); the service reads it exactly (money.ts). */
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(40)
  amount: string;

  /** Percent; empty: the stage's default. */
  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(0, { message: keyed('validation.min', 'min') })
  @Max(100, { message: keyed('validation.max', 'max') })
  probability: number | null = null;

  @Trimmed()
  @Matches(DATE, { message: keyed('validation.isDate') })
  expectedCloseDate: string;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(500)
  competitors: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(500)
  nextStep: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsIn(OPPORTUNITY_SOURCES, { message: keyed('validation.invalid') })
  source: OpportunitySource | null = null;

  /** The owner, where the user may choose one (a manager, the admin); otherwise it stays as it is. */
  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.ownerNotOffered') })
  ownerId: number | null = null;
}

/** A new deal, on a customer, starting at an open stage. */
export class OpportunityDto extends OpportunityFieldsDto {
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  @Max(2_147_483_647)
  customerId: number;

  @IsOptional()
  @IsIn(OPEN_STAGES, { message: keyed('validation.invalid') })
  stage: OpenStage = 'initial_contact';
}

/** An edit of a deal's fields, made on the version the form showed. */
export class OpportunityEditDto extends OpportunityFieldsDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/**
 * A move to another stage (the board's buttons, the record page, the API), made on the version shown.
 * Losing a deal needs a reason from the list; the note says more.
 */
export class StageChangeDto {
  @IsIn(OPPORTUNITY_STAGES, { message: keyed('validation.required') })
  stage: OpportunityStage;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @Trimmed()
  @IsOptional()
  @IsIn(LOST_REASONS, { message: keyed('validation.invalid') })
  lostReason: LostReason | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(2000)
  lostNote: string | null = null;

  /** Where to go after the move: the board, the list or the deal (pages only). */
  @IsOptional()
  @IsString()
  returnTo?: string;
}

/** Marking a deal lost (its form): a reason from the list is required, the note says more. */
export class LostDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @Trimmed()
  @IsIn(LOST_REASONS, { message: keyed('opportunity.lost_reason_required') })
  lostReason: LostReason;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(2000)
  lostNote: string | null = null;
}

/** Reopening a won or lost deal (its owner's manager), made on the version shown. */
export class ReopenDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}
