/**
 * An uploaded file as the import reads it: which kind of spreadsheet it is (by its name; the readers
 * then refuse what is not), its header and first rows, and all its rows in batches, with a reading
 * failure saying how far the file could be read.
 */
import { readCsvBatches } from './csv-reader.js';
import { cellText, type Cell } from './import-rules.js';
import { readXlsxBatches } from './xlsx-reader.js';

export type SpreadsheetFormat = 'csv' | 'xlsx';

/** A file's rows, each with its row number as the user sees it, in the batches the reader completes. */
export type RowBatches = AsyncGenerator<{ row: number; cells: Cell[] }[]>;

/** The kind of spreadsheet a file name says (`.xlsx`; `.csv` or `.txt`), or null for anything else. */
export function spreadsheetFormat(fileName: string): SpreadsheetFormat | null {
  if (/\.xlsx$/i.test(fileName)) return 'xlsx';
  if (/\.(csv|txt)$/i.test(fileName)) return 'csv';
  return null;
}

/** Rows of an uploaded file, whichever its format, in the batches the reader completes them. */
export function rowsOf(format: SpreadsheetFormat, path: string): RowBatches {
  return format === 'csv' ? readCsvBatches(path) : readXlsxBatches(path);
}

/**
 * A file's header row (as trimmed text) and up to `count` of the rows below it that hold a value,
 * read no further than that. Reading errors are the caller's.
 */
export async function leadingRows(
  format: SpreadsheetFormat,
  path: string,
  count: number,
): Promise<{ headers: string[]; rows: string[][] }> {
  let headers: string[] | null = null;
  const rows: string[][] = [];
  for await (const batch of rowsOf(format, path)) {
    for (const { cells } of batch) {
      const texts = cells.map(cellText);
      if (headers === null) headers = texts;
      else if (texts.some(Boolean)) rows.push(texts);
      if (rows.length >= count) return { headers, rows };
    }
  }
  return { headers: headers ?? [], rows };
}

/** The file could be read only up to `afterRow` (a quote never closed, a damaged workbook). */
export class UnreadableFile extends Error {
  constructor(
    readonly afterRow: number,
    cause: unknown,
  ) {
    super(
      `the file cannot be read after row ${afterRow}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** The same rows as rowsOf, with a reading failure as UnreadableFile, saying how far the file was read. */
export async function* readableRowsOf(format: SpreadsheetFormat, path: string): RowBatches {
  let lastRow = 0;
  try {
    for await (const batch of rowsOf(format, path)) {
      lastRow = batch[batch.length - 1].row;
      yield batch;
    }
  } catch (e) {
    throw new UnreadableFile(lastRow, e);
  }
}
