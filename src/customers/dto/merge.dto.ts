import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { keyed } from '../../common/validation.js';

export class MergeDto {
  /** The customer merged into this one (it goes to the recycle bin). */
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  otherId: number;
}
