import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Trimmed } from '../../common/validation.js';
import {
  OPPORTUNITY_SORTS,
  OPPORTUNITY_STAGES,
  type OpportunitySort,
  type OpportunityStage,
} from '../opportunity.options.js';

/** The pipeline's filters, in the query string: the board and the list take the same ones. */
export class OpportunityFilterDto {
  /** `list`: the sortable list; otherwise the board. */
  @IsOptional()
  @IsIn(['board', 'list'])
  view?: 'board' | 'list';

  /** Words of the deal's title or its customer's name. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  /** `me`, or an owner's id. */
  @Trimmed()
  @IsOptional()
  @Matches(/^(me|\d{1,9})$/)
  owner?: string;

  @IsOptional()
  @IsIn(OPPORTUNITY_STAGES)
  stage?: OpportunityStage;

  /** Only deals with no activity for the stale period. */
  @IsOptional()
  @IsIn(['1'])
  stale?: '1';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customer?: number;

  @IsOptional()
  @IsIn(OPPORTUNITY_SORTS)
  sort?: OpportunitySort;

  /** Keyset cursors of the list's pages. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  before?: string;
}

/** The new deal form's address: `/opportunities/new?customer=1207`. */
export class OpportunityFormQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customer?: number;

  /** A search for the customer, while none is chosen. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
