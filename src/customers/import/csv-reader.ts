import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { LimitExceeded, MAX_COLUMNS_READ, type ReadOptions, rowCounter } from './read-limits.js';

/**
 * Reads a CSV file as Excel or WPS save it, in bounded memory: the file is read in chunks, each
 * chunk decoded and parsed, and the rows it completes handed out together.
 *
 * Files on disk come in three encodings:
 * - UTF-8, with a BOM ("CSV UTF-8" in Excel) or without one (most other tools);
 * - GB18030, which is what Excel and WPS on Chinese Windows write for plain "CSV" (GBK is a subset);
 * - UTF-16LE with a BOM and tabs between fields: Excel's "Unicode text".
 * Every encoding is decoded to text first, then parsed; cells come back as the strings in the file.
 * Quoting is Excel's: a quoted cell may hold delimiters, line breaks and doubled quotes; a quote
 * elsewhere in a cell is an ordinary character.
 */

export type CsvEncoding = 'utf8' | 'gb18030' | 'utf16le';

/** One record of the file: `row` is its record number (1 = the header, blank lines count), `cells` untrimmed. */
export type CsvRow = { row: number; cells: string[] };

/** How much of the start of the file is looked at to detect the encoding, binary content and the delimiter. */
export const CSV_SAMPLE_BYTES = 64 * 1024;

/** Size of each read from disk; a multi-byte character may be split between two reads. */
export const CSV_CHUNK_BYTES = 64 * 1024;

/**
 * A record longer than this (in characters) stops the import: usually an unclosed quote, which would
 * otherwise make the parser hold the rest of the file.
 */
const MAX_RECORD_CHARS = 1024 * 1024;

const LABELS: Record<CsvEncoding, string> = { utf8: 'utf-8', gb18030: 'gb18030', utf16le: 'utf-16le' };

export async function detectCsvEncoding(path: string): Promise<CsvEncoding> {
  return detect(await readSample(path));
}

/** The file's rows, one at a time. */
export async function* readCsvRows(path: string, options: ReadOptions = {}): AsyncGenerator<CsvRow> {
  for await (const rows of readCsvBatches(path, options)) yield* rows;
}

/**
 * The file's rows, in the batches each chunk of the file completes (blank lines left out). With
 * `maxRows`, reading stops (LimitExceeded) at the row one past that many below the header.
 */
export async function* readCsvBatches(path: string, options: ReadOptions = {}): AsyncGenerator<CsvRow[]> {
  const sample = await readSample(path);
  const encoding = detect(sample);
  // A streaming decoder keeps the first bytes of a character cut by a chunk boundary until the rest
  // arrives; it drops a UTF-8 or UTF-16LE BOM.
  const decoder = new TextDecoder(LABELS[encoding]);
  const parser = new CsvParser(delimiterFor(encoding, sample));
  let rows = 0;
  const count = rowCounter(options.maxRows);
  // Leaving the loop early (the caller stopped) closes the file.
  for await (const chunk of createReadStream(path, { highWaterMark: CSV_CHUNK_BYTES })) {
    const batch = parser.push(decoder.decode(chunk as Buffer, { stream: true }), false);
    rows += batch.length;
    count(batch.length);
    if (batch.length) yield batch;
  }
  const last = parser.push(decoder.decode(), true);
  rows += last.length;
  count(last.length);
  if (last.length) yield last;
  // Only a BOM, or nothing but blank lines.
  if (rows === 0) throw new Error('the file is empty');
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * The CSV grammar, fed text piece by piece. `push` returns the records the text completes and keeps
 * an unfinished one for the next piece.
 */
export class CsvParser {
  private pending = '';
  private records = 0;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(text: string, final: boolean): CsvRow[] {
    const s = this.pending + text;
    const rows: CsvRow[] = [];
    let at = 0;
    while (at < s.length) {
      const cells: string[] = [];
      const end = this.record(s, at, final, cells);
      if (end < 0) break;
      at = end;
      this.records++;
      // A blank line is a record number but no row.
      if (cells.length > 1 || cells[0] !== '') rows.push({ row: this.records, cells });
    }
    this.pending = s.slice(at);
    if (this.pending.length > MAX_RECORD_CHARS) {
      throw new Error('a row is longer than 1 MB (is a quoted cell never closed?)');
    }
    return rows;
  }

  /**
   * Reads the record starting at `at` into `cells` and returns where the next one starts, or -1 when
   * the text ends before the record does (and more text may follow).
   */
  private record(s: string, at: number, final: boolean, cells: string[]): number {
    const n = s.length;
    let i = at;
    for (;;) {
      let value = '';
      if (s.charCodeAt(i) === QUOTE) {
        i++;
        for (;;) {
          const quote = s.indexOf('"', i);
          // The closing quote, or a doubled one, may be in the text still to come.
          if (quote < 0 && final) throw new Error('a quoted cell is never closed');
          if (quote < 0 || (quote + 1 === n && !final)) return -1;
          value += s.slice(i, quote);
          i = quote + 1;
          if (s.charCodeAt(i) !== QUOTE) break;
          value += '"';
          i++;
        }
      }
      // Unquoted text, or what follows a closing quote, up to the delimiter or the end of the line.
      let end = i;
      for (let c = s.charCodeAt(end); end < n && c !== this.delimiter && c !== LF && c !== CR;) {
        c = s.charCodeAt(++end);
      }
      if (end === n && !final) return -1;
      cells.push(value + s.slice(i, end));
      if (cells.length > MAX_COLUMNS_READ) throw new LimitExceeded('columns', MAX_COLUMNS_READ);
      i = end;
      if (i === n) return n;
      const c = s.charCodeAt(i);
      if (c === this.delimiter) {
        i++;
        continue;
      }
      // CR LF, LF or CR ends the record; a CR at the end of this text may have its LF in the next.
      if (c === CR) {
        if (i + 1 === n && !final) return -1;
        return s.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      }
      return i + 1;
    }
  }
}

/** The first CSV_SAMPLE_BYTES of the file (fewer if the file is shorter). */
async function readSample(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(CSV_SAMPLE_BYTES);
    const { bytesRead } = await file.read(buffer, 0, CSV_SAMPLE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function detect(sample: Buffer): CsvEncoding {
  if (sample.length === 0) throw new Error('the file is empty');
  // An .xlsx (or any zip) renamed or saved as .csv.
  if (startsWith(sample, [0x50, 0x4b, 0x03, 0x04])) throw new Error('not a CSV file');
  // Checked before the NUL test: every ASCII character in UTF-16LE has a zero high byte.
  if (startsWith(sample, [0xff, 0xfe])) return 'utf16le';
  // Text files have no NUL bytes; .xls, images, PDFs and UTF-16 without a BOM do.
  if (sample.includes(0)) throw new Error('not a CSV file');
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return 'utf8';
  return isUtf8(sample, sample.length === CSV_SAMPLE_BYTES) ? 'utf8' : 'gb18030';
}

/**
 * Whether the bytes are valid UTF-8. Chinese text in GB18030 almost never is: its lead bytes 0x81–0xFE
 * are mostly followed by bytes that UTF-8 does not allow there.
 *
 * When the sample stops at CSV_SAMPLE_BYTES the file goes on, and the sample may end in the middle of a
 * character. In streaming mode TextDecoder keeps such an incomplete sequence for the next call instead of
 * rejecting it, so only a genuinely invalid byte counts against UTF-8.
 */
function isUtf8(bytes: Buffer, fileContinues: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: fileContinues });
    return true;
  } catch {
    return false;
  }
}

/**
 * Comma, unless the header line has more semicolons (Excel in locales with a decimal comma) or tabs.
 * Excel's "Unicode text" (UTF-16LE) is always tab-separated.
 */
function delimiterFor(encoding: CsvEncoding, sample: Buffer): string {
  if (encoding === 'utf16le') return '\t';
  // Decoding a sample cut mid-character only spoils its last character, far past the header line.
  const header = new TextDecoder(LABELS[encoding]).decode(sample).split(/\r|\n/, 1)[0];
  let delimiter = ',';
  for (const candidate of [';', '\t']) {
    if (count(header, candidate) > count(header, delimiter)) delimiter = candidate;
  }
  return delimiter;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function startsWith(bytes: Buffer, prefix: number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}
