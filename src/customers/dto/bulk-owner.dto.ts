import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IntOrNull } from '../../common/validation.js';

export const BULK_ACTIONS = ['assign', 'release'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Most customers one bulk action takes: a few pages of the list. */
export const BULK_MAX = 200;

/**
 * The customer list's bulk form: the ticked customers (`ids`), and either `assign` them to an owner
 * (an unowned customer is assigned, an owned one transferred) or `release` them to the pool.
 */
export class BulkOwnerDto {
  // One ticked box arrives as a string, several as a list.
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(Number),
  )
  @IsArray()
  @ArrayMaxSize(BULK_MAX)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  ids: number[] = [];

  @IsIn(BULK_ACTIONS)
  action: BulkAction;

  /** The new owner, for `assign` (the service says so when it is missing). */
  @IsOptional()
  @IntOrNull()
  @ValidateIf((o: BulkOwnerDto) => o.ownerId !== null)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  ownerId?: number | null;

  /** The list the form was sent from, with its filters and page, to go back to. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  returnTo?: string;
}
