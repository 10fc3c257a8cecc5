/**
 * The rejected-rows workbook: the rows an import left out (errors, and skipped duplicates), read again
 * from the kept file and written out as they were, each with a last column saying why, in the user's
 * language. Streamed, so a large file's rejects never sit in memory whole.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Locale } from '../../common/roles.js';
import { translate } from '../../i18n/i18n.js';
import type { RejectedRow } from './customer-import.repository.js';
import { rowsOf, type SpreadsheetFormat } from './import-files.js';
import { rowErrorText } from './import-rules.js';

/** Why a row was left out: its errors, or the earlier row or the existing customer it repeats. */
function whyLeftOut(locale: Locale, r: RejectedRow): string {
  if (Object.keys(r.errors).length) {
    return Object.entries(r.errors)
      .map(([field, key]) => rowErrorText(locale, field, key))
      .join('; ');
  }
  return r.duplicateOf !== null && r.duplicateOf < 0
    ? translate(locale, 'import.same_as_row', { row: -r.duplicateOf })
    : translate(locale, 'import.duplicate_of', { name: r.duplicateName ?? '' });
}

/**
 * Writes the workbook to `out`: the row number, the file's cells under its own headers, and why.
 * `rejected` gives the left-out rows in row order; the file is read beside them, in the same order.
 */
export async function writeRejectedWorkbook(
  out: Writable,
  file: { format: SpreadsheetFormat; filePath: string; headers: string[] },
  rejected: AsyncIterator<RejectedRow>,
  locale: Locale,
): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = book.addWorksheet(translate(locale, 'import.rejected_sheet'));
  sheet.addRow([translate(locale, 'import.row'), ...file.headers, translate(locale, 'import.why')]).commit();
  let next = await rejected.next();
  for await (const batch of rowsOf(file.format, file.filePath)) {
    for (const { row, cells } of batch) {
      while (!next.done && next.value.rowNo < row) next = await rejected.next();
      if (next.done) break;
      if (next.value.rowNo !== row) continue;
      sheet
        .addRow([row, ...file.headers.map((_, i) => cells[i] ?? ''), whyLeftOut(locale, next.value)])
        .commit();
    }
    if (next.done) break;
  }
  await book.commit();
}
