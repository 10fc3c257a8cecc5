import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import iconv from 'iconv-lite';

/**
 * Reads a CSV file as Excel or WPS save it, one row at a time, in bounded memory.
 *
 * Files on disk come in three encodings:
 * - UTF-8, with a BOM ("CSV UTF-8" in Excel) or without one (most other tools);
 * - GB18030, which is what Excel and WPS on Chinese Windows write for plain "CSV" (GBK is a subset);
 * - UTF-16LE with a BOM and tabs between fields: Excel's "Unicode text".
 * Every encoding is decoded to text first, then parsed; cells come back as the strings in the file.
 */

export type CsvEncoding = 'utf8' | 'gb18030' | 'utf16le';

/** One record of the file: `row` is csv-parse's record count (1 = the header), `cells` untrimmed. */
export type CsvRow = { row: number; cells: string[] };

/** How much of the start of the file is looked at to detect the encoding, binary content and the delimiter. */
export const CSV_SAMPLE_BYTES = 64 * 1024;

/** Size of each read from disk; a multi-byte character may be split between two reads. */
export const CSV_CHUNK_BYTES = 64 * 1024;

/**
 * A record longer than this (in UTF-8 bytes) stops the import: usually an unclosed quote, which would
 * otherwise make the parser buffer the rest of the file.
 */
const MAX_RECORD_BYTES = 1024 * 1024;

export async function detectCsvEncoding(path: string): Promise<CsvEncoding> {
  return detect(await readSample(path));
}

export async function* readCsvRows(path: string): AsyncGenerator<CsvRow> {
  const sample = await readSample(path);
  const encoding = detect(sample);
  const parser = parse({
    delimiter: delimiterFor(encoding, sample),
    relax_column_count: true,
    // Blank lines are read (and dropped below), so record numbers stay the row numbers a spreadsheet shows.
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
    // No `cast`: `=1+1`, `8613812345678` and `0755` stay exactly the text in the file.
    info: true,
  });
  // iconv-lite decodes UTF-8, GB18030 and UTF-16LE alike. Its stream decoder keeps the first bytes of a
  // character cut by a chunk boundary until the rest arrives, and it strips a UTF-8 or UTF-16LE BOM.
  // The parser then only sees text. Backpressure keeps at most a few chunks in memory.
  const decoder = iconv.decodeStream(encoding);
  // The pipeline destroys every stream with the error when one fails, so the loop below throws it;
  // when the caller stops early, leaving the loop destroys the parser and the pipeline closes the file.
  pipeline(createReadStream(path, { highWaterMark: CSV_CHUNK_BYTES }), decoder, parser, () => {});

  let rows = 0;
  for await (const { info, record } of parser as AsyncIterable<{ info: Info; record: string[] }>) {
    if (record.length === 1 && record[0] === '') continue;
    rows++;
    yield { row: info.records, cells: record };
  }
  // Only a BOM, or nothing but blank lines.
  if (rows === 0) throw new Error('the file is empty');
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
  const header = iconv.decode(sample, encoding).split(/\r|\n/, 1)[0];
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
