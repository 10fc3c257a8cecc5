import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { keyed } from '../../common/validation.js';

export class MergeDto {
  /** The customer merged into this one (it goes to the recycle bin). */
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  otherId: number;
}

/** The merge page's address: a search for the customer to fold in (`q`), or the one chosen (`with`). */
export class MergeQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  with?: number;
}
