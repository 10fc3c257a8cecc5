import { IsInt, IsNotEmpty, Max, Min } from 'class-validator';
import { IntOrNull, keyed } from '../../common/validation.js';
import type { PipelineRules } from '../pipeline-rules.js';

/** The pipeline's section of /admin/settings. */
export class PipelineRulesDto implements PipelineRules {
  @IntOrNull()
  @IsNotEmpty({ message: keyed('validation.required') })
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1, { message: keyed('validation.min', 'min') })
  @Max(365, { message: keyed('validation.max', 'max') })
  staleDays: number;

  @IntOrNull()
  @IsInt()
  version: number;
}
