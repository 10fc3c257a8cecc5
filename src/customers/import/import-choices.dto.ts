import { IsIn, IsObject, IsOptional, ValidateBy } from 'class-validator';

const ACTIONS = ['create', 'update', 'skip'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * The mapping step: for each column (by position, `mapping[3]=name`), the field it fills, or '' to
 * ignore it. It arrives as a list, or as an object keyed by position once a sheet has over 20 columns.
 */
export class ImportMappingDto {
  @IsOptional()
  @ValidateBy({ name: 'listOrObject', validator: { validate: (v) => typeof v === 'object' && v !== null } })
  mapping: Record<string, string> | string[] = [];
}

/** The preview's decisions: what to do with every duplicate, and per row (`row[r12]=update`). */
export class ImportRunDto {
  @IsIn(ACTIONS)
  duplicates: Action = 'skip';

  @IsOptional()
  @IsObject()
  row: Record<string, Action> = {};
}
