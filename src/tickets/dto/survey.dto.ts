import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { keyed, Trimmed } from '../../common/validation.js';

/**
 * The answer to a survey: after a ticket, satisfaction 1–5 (stars), effort 1–7 and a comment; after
 * a contract, the stars and a comment; the NPS question, 0–10 and a comment. Which are required is
 * the survey's kind's to say (TicketsService.answerSurvey).
 */
export class SurveyAnswerDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: keyed('survey.csat_required') })
  @Min(1, { message: keyed('survey.csat_required') })
  @Max(5, { message: keyed('survey.csat_required') })
  csat?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: keyed('survey.error.nps') })
  @Min(0, { message: keyed('survey.error.nps') })
  @Max(10, { message: keyed('survey.error.nps') })
  nps?: number;

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
