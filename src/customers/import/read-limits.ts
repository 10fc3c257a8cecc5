/**
 * How much of an uploaded file the readers will hold or read. A spreadsheet is small on disk and may
 * be enormous inside: a zip entry inflates up to a thousand times, and shared strings or cell values
 * can be built from countless small pieces. Each reader stops at the first bound it passes and throws
 * LimitExceeded, which the import shows as a refusal naming the bound.
 */

/** Inflated bytes of any one part of a workbook (the sheet's XML is the largest). */
export const MAX_PART_BYTES = 512 * 1024 * 1024;

/** Characters in one cell: Excel's own limit (32,767). Longer text is built to exhaust memory. */
export const MAX_CELL_CHARS = 32_767;

/** Strings in a workbook's shared-strings table, and their UTF-8 bytes together. */
export const MAX_SHARED_STRINGS = 4_000_000;
export const MAX_SHARED_STRING_BYTES = 128 * 1024 * 1024;

/** Parts in a workbook's zip: Excel writes a handful, a large workbook a few hundred. */
export const MAX_ZIP_ENTRIES = 10_000;

/** Columns with a value in one row. The import maps a few dozen fields; this leaves ample room. */
export const MAX_COLUMNS_READ = 1_000;

export type LimitName = 'rows' | 'part' | 'cell' | 'sharedStrings' | 'entries' | 'columns';

/** The file passes one of the bounds above (or the configured row limit, `rows`). */
export class LimitExceeded extends Error {
  constructor(
    readonly limit: LimitName,
    readonly max: number,
  ) {
    super(`the file is over the ${limit} limit (${max})`);
    this.name = 'LimitExceeded';
  }
}

/** What a reader is asked to stop at; `maxRows` is IMPORT_MAX_ROWS (the header row not counted). */
export interface ReadOptions {
  maxRows?: number;
}

/**
 * Counts the rows a reader hands out and throws once there are more than `maxRows` below the header:
 * the reader stops at the row one past the limit, without reading the rest of the file.
 */
export function rowCounter(maxRows: number | undefined): (rows: number) => void {
  let seen = 0;
  return (rows) => {
    seen += rows;
    // The first row is the header.
    if (maxRows !== undefined && seen - 1 > maxRows) throw new LimitExceeded('rows', maxRows);
  };
}
