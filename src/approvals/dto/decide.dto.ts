import { IsIn, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import type { ApprovalDecision } from '../approvals.types.js';

/** An approver's decision, from the inbox or the record's page. */
export class DecideDto {
  @IsIn(['approve', 'reject'], { message: keyed('validation.invalid') })
  decision: ApprovalDecision;

  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(2000, { message: keyed('validation.maxLength', 'max') })
  comment: string | null = null;

  /** The step the form showed: a click on a step decided since is not taken as a decision on the next. */
  @IntOrNull()
  @IsOptional()
  @IsInt()
  stepId: number | null = null;

  /** Where to go back to: a page inside the site (the record's), else the inbox. */
  @IsOptional()
  @IsString()
  returnTo?: string;
}
