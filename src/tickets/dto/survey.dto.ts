import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { keyed, Trimmed } from '../../common/validation.js';

/** The answer to a ticket's survey: satisfaction 1–5 (stars), effort 1–7, a comment. */
export class SurveyAnswerDto {
  @Type(() => Number)
  @IsInt({ message: keyed('survey.csat_required') })
  @Min(1, { message: keyed('survey.csat_required') })
  @Max(5, { message: keyed('survey.csat_required') })
  csat: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7)
  ces?: number;

  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(2000, { message: keyed('validation.maxLength', 'max') })
  comment: string | null = null;
}
