/**
 * An uploaded file as the import reads it: which kind of spreadsheet it is (by its name; the readers
 * then refuse what is not), its first rows (the header is among them), and all its rows in batches, with a reading
 * failure saying how far the file could be read.
 *
 * A file is read whole once, at upload (readUpload): that read refuses a file over the row limit or
 * any bound of read-limits.ts, and keeps the header and first rows in memory, so the mapping page
 * shows them without reading the file again on every view.
 */
import { ValidationFailed } from '../../common/errors.js';
import { readCsvBatches } from './csv-reader.js';
import { cellText, type Cell } from './import-rules.js';
import { LimitExceeded, type ReadOptions } from './read-limits.js';
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
export function rowsOf(format: SpreadsheetFormat, path: string, options: ReadOptions = {}): RowBatches {
  return format === 'csv' ? readCsvBatches(path, options) : readXlsxBatches(path, options);
}

/** A row of a file as text: its row number as the user sees it, and its cells trimmed. */
export interface TextRow {
  row: number;
  texts: string[];
}

/** Rows with a value kept from the upload's read, for the pages that show a file's first rows. */
const KEPT_ROWS = 50;
/** Files whose first rows are kept (the most recently read); an import is mapped minutes after its upload. */
const KEPT_FILES = 200;
/** By file path: the file's first rows with a value, and whether they are all it has. */
const kept = new Map<string, { rows: TextRow[]; complete: boolean }>();

/** The first `count` rows from what the upload's read kept, if it kept that many (or the file has no more). */
function keptRows(path: string, count: number): TextRow[] | undefined {
  const found = kept.get(path);
  if (!found || (found.rows.length < count && !found.complete)) return undefined;
  return found.rows.slice(0, count);
}

/**
 * A file's first `count` rows that hold a value, as trimmed text, read no further than that: the rows
 * among which the header is looked for, and the first rows shown beside it. Reading errors are the
 * caller's.
 */
export async function leadingRows(
  format: SpreadsheetFormat,
  path: string,
  count: number,
): Promise<TextRow[]> {
  // Read at upload (readUpload): the page showing them does not read the file again.
  const known = keptRows(path, count);
  if (known) return known;
  const rows: TextRow[] = [];
  for await (const batch of rowsOf(format, path)) {
    for (const { row, cells } of batch) {
      const texts = cells.map(cellText);
      if (texts.some(Boolean)) rows.push({ row, texts });
      if (rows.length >= count) return rows;
    }
  }
  return rows;
}

/**
 * The upload's one read of the whole file. It stops at the first bound the file passes (more than
 * `maxRows` rows, a part or a string too large: read-limits.ts) and refuses the file with a
 * ValidationFailed on the form's `file` field naming the bound. It keeps the file's first rows for
 * leadingRows, so the pages showing them never read the file again, and says how many rows hold a
 * value. A file that cannot be read at all (not a spreadsheet) is the caller's error; one damaged
 * further down is taken, and its check says from which row on it cannot be read.
 */
export async function readUpload(
  format: SpreadsheetFormat,
  path: string,
  maxRows: number,
): Promise<{ total: number }> {
  const rows: TextRow[] = [];
  let total = 0;
  let complete = true;
  try {
    for await (const batch of rowsOf(format, path, { maxRows })) {
      for (const { row, cells } of batch) {
        if (!cells.some((c) => cellText(c) !== '')) continue;
        total++;
        if (rows.length < KEPT_ROWS) rows.push({ row, texts: cells.map(cellText) });
      }
    }
  } catch (e) {
    if (e instanceof LimitExceeded) throw refusal(e);
    if (rows.length === 0) throw e;
    complete = false;
  }
  kept.delete(path);
  kept.set(path, { rows, complete });
  if (kept.size > KEPT_FILES) kept.delete(kept.keys().next().value!);
  return { total };
}

/** A bound passed, as the error the upload form shows beside its file field. */
export function refusal(e: LimitExceeded): ValidationFailed {
  const max = e.max.toLocaleString('en');
  switch (e.limit) {
    case 'rows':
      return ValidationFailed.field('file', 'import.too_many_rows', { max });
    case 'columns':
      return ValidationFailed.field('file', 'import.too_many_columns', { max });
    case 'cell':
      return ValidationFailed.field('file', 'import.cell_too_long', { max });
    default:
      // A part inflating past its bound, a shared-strings table too large, a zip of countless entries.
      return ValidationFailed.field('file', 'import.too_large_inside');
  }
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
export async function* readableRowsOf(
  format: SpreadsheetFormat,
  path: string,
  options: ReadOptions = {},
): RowBatches {
  let lastRow = 0;
  try {
    for await (const batch of rowsOf(format, path, options)) {
      lastRow = batch[batch.length - 1].row;
      yield batch;
    }
  } catch (e) {
    throw new UnreadableFile(lastRow, e);
  }
}
