import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Trimmed } from '../../common/validation.js';
import { CONTRACT_STATUSES, type ContractStatus } from '../contract.options.js';

/** The contract list's filters, in the query string. */
export class ContractFilterDto {
  /** Words of the number, the title or the customer's name. */
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
  @IsIn(CONTRACT_STATUSES)
  status?: ContractStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customer?: number;

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
