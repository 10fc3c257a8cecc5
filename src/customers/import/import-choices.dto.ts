import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, Max, Min, ValidateBy } from 'class-validator';

const ACTIONS = ['create', 'update', 'skip'] as const;
export type ImportAction = (typeof ACTIONS)[number];
type Action = ImportAction;

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

  /** The option each unknown value of an option column maps to (`value[v3]=C`; empty leaves it empty). */
  @IsOptional()
  @IsObject()
  value: Record<string, string> = {};
}

/** The mapping step's correction of the header row: the row number, as the file has it. */
export class ImportHeaderDto {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  headerRow: number;
}

/**
 * The value choices by position in the preview's list of unknown values. Keys are `v<position>`;
 * anything else, and an empty choice, is left out (the service checks the option is the field's).
 */
export function perValueChoices(value: Record<string, string> | undefined): Record<number, string> {
  return Object.fromEntries(
    Object.entries(value ?? {})
      .filter(([k, v]) => /^v\d{1,4}$/.test(k) && typeof v === 'string' && v !== '')
      .map(([k, v]) => [Number(k.slice(1)), v]),
  );
}

/**
 * The per-row choices by row number. Keys are `r<row number>` (plain numbers would make the body
 * parser build a compacted list); anything else, and any value that is no action, is left out.
 */
export function perRowChoices(row: Record<string, string> | undefined): Record<number, ImportAction> {
  return Object.fromEntries(
    Object.entries(row ?? {})
      .filter(([k, v]) => /^r\d{1,9}$/.test(k) && (ACTIONS as readonly string[]).includes(v))
      .map(([k, v]) => [Number(k.slice(1)), v as ImportAction]),
  );
}
