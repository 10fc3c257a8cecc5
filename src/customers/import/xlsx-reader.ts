import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import unzipper from 'unzipper';
import {
  LimitExceeded,
  MAX_CELL_CHARS,
  MAX_COLUMNS_READ,
  MAX_PART_BYTES,
  MAX_SHARED_STRING_BYTES,
  MAX_SHARED_STRINGS,
  MAX_ZIP_ENTRIES,
  type ReadOptions,
  rowCounter,
} from './read-limits.js';
import { XmlScanner, type XmlTag } from './xml-scanner.js';

/**
 * Reads the first worksheet of an .xlsx file row by row, in bounded memory: the sheet XML is
 * inflated, decoded and parsed as a stream, and rows are handed out as each chunk is parsed.
 *
 * Only the shared strings are held in memory (cells refer to them by index). Text is decoded with
 * a streaming UTF-8 decoder (`setEncoding('utf8')`), so a Chinese character split across two zip
 * chunks arrives whole; exceljs's streaming reader gets this wrong (its issues #2063, #2084).
 *
 * Formulas are never evaluated: a formula cell gives its cached result. Styles are not read, so a
 * date arrives as its serial number (days since 1899-12-30) and the caller decides what it means.
 *
 * A workbook is read within the bounds of read-limits.ts, whatever it claims about itself: the
 * inflated bytes of each part are counted as they are inflated, every string being built (a shared
 * string or a cell's text, which comments or entities may split into any number of pieces) is
 * bounded as it grows, and so is the shared-strings table. Passing a bound throws LimitExceeded.
 */

export type XlsxCell = string | number | boolean | null;

export interface XlsxRow {
  /** The 1-based row number in the sheet, as the user sees it in Excel. */
  row: number;
  /** From column A to the last cell with a value; cells without a value are null. */
  cells: XlsxCell[];
}

/** The file cannot be read as a workbook; the message says why, in English, for the log. */
export class XlsxReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'XlsxReadError';
  }
}

/** Excel's last column is XFD; a cell reference beyond it means a damaged file, not a wide sheet. */
const MAX_COLUMNS = 16_384;

/**
 * Yields each row of the first worksheet that has at least one value, in sheet order. Rows with no
 * values (only formatting) are skipped; `row` keeps the sheet's numbering, so messages can cite it.
 * Stopping early (`break`, `return()`) closes the file.
 */
export async function* readXlsxRows(path: string, options: ReadOptions = {}): AsyncGenerator<XlsxRow> {
  for await (const rows of readXlsxBatches(path, options)) yield* rows;
}

/**
 * The same rows, in the batches each chunk of the sheet completes. With `maxRows`, reading stops
 * (LimitExceeded) at the row one past that many below the header.
 */
export async function* readXlsxBatches(path: string, options: ReadOptions = {}): AsyncGenerator<XlsxRow[]> {
  const zip = await openZip(path);
  try {
    const parts = await findParts(zip);
    const sharedStrings = parts.sharedStrings
      ? await readSharedStrings(parts.sharedStrings)
      : new SharedStrings();
    const count = rowCounter(options.maxRows);
    for await (const rows of readSheet(parts.sheet, sharedStrings)) {
      count(rows.length);
      yield rows;
    }
  } finally {
    await zip.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The zip

interface Zip {
  /** The entry at this path (case-insensitive, as OPC part names are), if there is one. */
  entry(path: string): unzipper.File | undefined;
  close(): Promise<void>;
}

/**
 * Opens the zip's central directory. This is `unzipper.Open.file` with one difference: it keeps
 * the file streams it opens, so `close()` can release them. With `Open.file`, an entry read only
 * partway (the consumer stopped early) leaves its file descriptor open for the life of the process.
 */
async function openZip(path: string): Promise<Zip> {
  const streams = new Set<Readable>();
  const close = async (): Promise<void> => {
    const closing = [...streams].map((s) => new Promise<void>((resolve) => s.once('close', resolve)));
    for (const s of streams) s.destroy();
    await Promise.all(closing);
  };
  const source = {
    size: async () => (await stat(path)).size,
    // Same range as Open.file (its `end` is inclusive, so one byte more than asked; harmless).
    stream: (offset: number, length?: number) => {
      const s = createReadStream(path, { start: offset, end: length ? offset + length : undefined });
      streams.add(s);
      s.once('close', () => streams.delete(s));
      return s;
    },
  };

  // Ask for the size first so that a missing or unreadable file keeps its own error (ENOENT…).
  const size = await source.size();
  // unzipper reads the whole central directory into memory: its length is checked first.
  const entries = await declaredEntries(path, size);
  if (entries !== null && entries >= MAX_ZIP_ENTRIES) throw new LimitExceeded('entries', MAX_ZIP_ENTRIES);
  let directory: unzipper.CentralDirectory;
  try {
    directory = await unzipper.Open.custom(source);
  } catch (err) {
    await close();
    // No end-of-central-directory record (a CSV, an old .xls, a password-protected workbook…).
    throw new XlsxReadError('not an .xlsx workbook', { cause: err });
  }

  const byPath = new Map<string, unzipper.File>();
  for (const file of directory.files) {
    if (file.type === 'File') byPath.set(file.path.toLowerCase(), file);
  }
  return { entry: (p) => byPath.get(p.toLowerCase()), close };
}

/**
 * How many entries the zip's end-of-central-directory record declares, or null when the file has no
 * such record (it is then no zip, and unzipper says so). The record is in the last 64 KB + 22 bytes;
 * a zip64 file says 0xFFFF here, which is over the limit anyway.
 */
async function declaredEntries(path: string, size: number): Promise<number | null> {
  const length = Math.min(size, 65_535 + 22);
  const file = await open(path, 'r');
  try {
    const tail = Buffer.alloc(length);
    await file.read(tail, 0, length, size - length);
    for (let i = length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) return tail.readUInt16LE(i + 10);
    }
    return null;
  } finally {
    await file.close();
  }
}

/**
 * Parses one zip entry, feeding the XML scanner text decoded by a streaming UTF-8 decoder. It yields
 * after each chunk, so the caller can hand out what the handlers collected (the sheet's rows); the
 * next chunk is read only when the caller asks for more. The inflated bytes are counted as they come,
 * whatever the zip declares: past MAX_PART_BYTES the part is refused.
 */
async function* parseEntry(file: unzipper.File, handlers: XmlHandlers): AsyncGenerator<void> {
  const parser = new XmlScanner({
    open: (tag) => handlers.open(localName(tag.name), tag),
    close: (name) => handlers.close(localName(name)),
    text: (text) => handlers.text(text),
  });

  const stream = file.stream();
  // Never `chunk.toString()` per chunk: that splits multi-byte characters at chunk boundaries.
  const decoder = new StringDecoder('utf8');
  let inflated = 0;
  try {
    // Leaving this loop early (the consumer stopped) destroys the entry stream.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > MAX_PART_BYTES) throw new LimitExceeded('part', MAX_PART_BYTES);
      parser.write(decoder.write(chunk));
      yield;
    }
    parser.write(decoder.end());
    parser.close();
  } catch (err) {
    if (err instanceof XlsxReadError || err instanceof LimitExceeded) throw err;
    // Bad XML (the scanner), a corrupt deflate stream (zlib), a truncated file (unzipper).
    throw new XlsxReadError(`the workbook is damaged (${file.path})`, { cause: err });
  }
}

/** Parses a whole entry, still chunk by chunk: for the parts needed before the sheet. */
async function parseWholeEntry(file: unzipper.File, handlers: XmlHandlers): Promise<void> {
  for await (const _ of parseEntry(file, handlers)) {
    // Everything happens in the handlers.
  }
}

interface XmlHandlers {
  open(name: string, tag: XmlTag): void;
  close(name: string): void;
  text(text: string): void;
}

/**
 * An element's name without its namespace prefix. Most writers use the default namespace
 * (`<row>`), but some (e.g. the Open XML SDK) write `<x:row>`.
 */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

// ---------------------------------------------------------------------------------------------
// Which parts: the first worksheet and the shared strings

interface Parts {
  sheet: unzipper.File;
  sharedStrings: unzipper.File | undefined;
}

interface Relationship {
  type: string;
  /** The target's path inside the zip. */
  path: string;
}

/**
 * The first worksheet is the first `<sheet>` in xl/workbook.xml (its tab order) whose relationship
 * in xl/_rels/workbook.xml.rels is a worksheet (it may be a chart sheet). Files that lack these
 * parts, or point at a missing part, fall back to xl/worksheets/sheet1.xml.
 */
async function findParts(zip: Zip): Promise<Parts> {
  const relsFile = zip.entry('xl/_rels/workbook.xml.rels');
  const workbookFile = zip.entry('xl/workbook.xml');
  const rels = relsFile ? await readRelationships(relsFile) : new Map<string, Relationship>();
  const sheetRelIds = workbookFile ? await readSheetRelIds(workbookFile) : [];

  let sheet: unzipper.File | undefined;
  for (const id of sheetRelIds) {
    const rel = rels.get(id);
    if (rel && rel.type.endsWith('/worksheet')) {
      sheet = zip.entry(rel.path);
      break;
    }
  }
  sheet ??= zip.entry('xl/worksheets/sheet1.xml');
  if (!sheet) throw new XlsxReadError('the workbook has no worksheet');

  const stringsRel = [...rels.values()].find((r) => r.type.endsWith('/sharedStrings'));
  const sharedStrings = (stringsRel && zip.entry(stringsRel.path)) ?? zip.entry('xl/sharedStrings.xml');
  return { sheet, sharedStrings };
}

/** xl/_rels/workbook.xml.rels: `<Relationship Id="rId1" Type="…/worksheet" Target="worksheets/sheet1.xml"/>`. */
async function readRelationships(file: unzipper.File): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  await parseWholeEntry(file, {
    open(name, tag) {
      const { Id: id, Type: type, Target: target, TargetMode: mode } = tag.attributes;
      if (name !== 'Relationship' || !id || !type || !target || mode === 'External') return;
      // Targets are relative to the workbook's folder (xl/), or absolute from the zip root.
      const path = target.startsWith('/') ? target.slice(1) : posix.join('xl', target);
      rels.set(id, { type, path });
    },
    close() {},
    text() {},
  });
  return rels;
}

/** xl/workbook.xml: the relationship ids of `<sheets><sheet name="…" r:id="rId1"/></sheets>`, in tab order. */
async function readSheetRelIds(file: unzipper.File): Promise<string[]> {
  const ids: string[] = [];
  await parseWholeEntry(file, {
    open(name, tag) {
      if (name !== 'sheet') return;
      // The attribute is `r:id` in the relationships namespace; the prefix is usually, not always, `r`.
      const key = Object.keys(tag.attributes).find((k) => k.endsWith(':id'));
      if (key) ids.push(tag.attributes[key]);
    },
    close() {},
    text() {},
  });
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Shared strings

/**
 * The shared strings, packed as UTF-8 in one growing buffer with their offsets beside it. A sheet
 * refers to most of its text through this table, so it is as large as the file's text; packed, it
 * takes a fraction of the memory of as many JavaScript strings, outside the garbage-collected heap.
 */
export class SharedStrings {
  private bytes = Buffer.alloc(1 << 16);
  private used = 0;
  private ends = new Uint32Array(1024);
  private count = 0;

  add(text: string): void {
    const length = Buffer.byteLength(text);
    if (this.count >= MAX_SHARED_STRINGS) throw new LimitExceeded('sharedStrings', MAX_SHARED_STRINGS);
    if (this.used + length > MAX_SHARED_STRING_BYTES) {
      throw new LimitExceeded('sharedStrings', MAX_SHARED_STRINGS);
    }
    if (this.used + length > this.bytes.length) {
      const wanted = Math.max(this.bytes.length * 2, this.used + length);
      const bigger = Buffer.alloc(Math.min(wanted, MAX_SHARED_STRING_BYTES));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    if (this.count === this.ends.length) {
      const bigger = new Uint32Array(this.ends.length * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.used += this.bytes.write(text, this.used);
    this.ends[this.count++] = this.used;
  }

  /** The string at `index`, or undefined if there is none. */
  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    return this.bytes.toString('utf8', index === 0 ? 0 : this.ends[index - 1], this.ends[index]);
  }
}

/**
 * xl/sharedStrings.xml: one `<si>` per string, in index order. An `<si>` holds either one `<t>`
 * or rich-text runs `<r><rPr>…</rPr><t>…</t></r>`, whose `<t>` are concatenated. Phonetic hints
 * (`<rPh><t>…</t></rPh>`, furigana over Japanese text) are not part of the value and are skipped.
 */
async function readSharedStrings(file: unzipper.File): Promise<SharedStrings> {
  const strings = new SharedStrings();
  let current = '';
  let inPhonetic = false;
  let inText = false;
  await parseWholeEntry(file, {
    open(name) {
      if (name === 'si') current = '';
      else if (name === 'rPh') inPhonetic = true;
      else if (name === 't' && !inPhonetic) inText = true;
    },
    close(name) {
      if (name === 'si') strings.add(unescapeXstring(current));
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 't') inText = false;
    },
    text(text) {
      if (!inText) return;
      current += text;
      if (current.length > MAX_CELL_CHARS) throw new LimitExceeded('cell', MAX_CELL_CHARS);
    },
  });
  return strings;
}

/**
 * Cell text is an ST_Xstring: characters XML cannot hold are written `_xHHHH_` (Excel writes a
 * carriage return as `_x000D_`), and a literal `_x` that would be misread is written `_x005F_x`.
 */
function unescapeXstring(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

// ---------------------------------------------------------------------------------------------
// The sheet

/**
 * xl/worksheets/sheetN.xml: `<sheetData><row r="2"><c r="A2" t="s"><v>0</v></c>…</row></sheetData>`.
 * `r` is optional on both rows and cells (Excel always writes it, some generators do not); without
 * it a row follows the previous row and a cell the previous cell.
 */
async function* readSheet(file: unzipper.File, sharedStrings: SharedStrings): AsyncGenerator<XlsxRow[]> {
  let ready: XlsxRow[] = [];
  let inSheetData = false;
  let rowNumber = 0;
  let cells: XlsxCell[] = [];
  let nextColumn = 0;
  // The cell being read.
  let column = 0;
  let type = 'n';
  let value: string | null = null; // the text of <v>, null when the cell has none
  let inline: string | null = null; // the text of <is> (t="inlineStr")
  let inPhonetic = false;
  let capture: 'v' | 'is' | null = null;

  const handlers: XmlHandlers = {
    open(name, tag) {
      if (name === 'sheetData') inSheetData = true;
      if (!inSheetData) return;
      if (name === 'row') {
        const r = tag.attributes.r;
        rowNumber = r && /^\d+$/.test(r) ? Number(r) : rowNumber + 1;
        cells = [];
        nextColumn = 0;
      } else if (name === 'c') {
        const r = tag.attributes.r;
        column = r ? columnIndex(r) : nextColumn;
        if (column < 0 || column >= MAX_COLUMNS) {
          throw new XlsxReadError(`the workbook is damaged (cell reference ${r})`);
        }
        type = tag.attributes.t ?? 'n';
        value = null;
        inline = null;
      } else if (name === 'v') {
        value = '';
        capture = 'v';
      } else if (name === 'is') {
        inline = '';
      } else if (name === 'rPh') {
        inPhonetic = true;
      } else if (name === 't' && inline !== null && !inPhonetic) {
        capture = 'is';
      }
      // <f> (the formula) is ignored: its cached result is in <v>.
    },
    close(name) {
      if (name === 'sheetData') inSheetData = false;
      if (!inSheetData) return;
      if (name === 'v' || name === 't') {
        capture = null;
      } else if (name === 'rPh') {
        inPhonetic = false;
      } else if (name === 'c') {
        const cell = cellValue(type, value, inline, sharedStrings);
        if (cell !== null) {
          // Cells before it are filled with null: one value in column XFD would make 16,384 of them.
          if (column >= MAX_COLUMNS_READ) throw new LimitExceeded('columns', MAX_COLUMNS_READ);
          while (cells.length < column) cells.push(null);
          cells[column] = cell;
        }
        nextColumn = column + 1;
      } else if (name === 'row') {
        if (cells.length > 0) ready.push({ row: rowNumber, cells });
      }
    },
    text(text) {
      if (capture === 'v') value += text;
      else if (capture === 'is') inline += text;
      else return;
      if ((value?.length ?? 0) > MAX_CELL_CHARS || (inline?.length ?? 0) > MAX_CELL_CHARS) {
        throw new LimitExceeded('cell', MAX_CELL_CHARS);
      }
    },
  };

  for await (const _ of parseEntry(file, handlers)) {
    // Hand out the rows this chunk completed; the next chunk is read when the consumer asks.
    if (ready.length) yield ready;
    ready = [];
  }
  if (ready.length) yield ready;
}

/** The 0-based column of a cell reference: "A1" → 0, "AB12" → 27. */
function columnIndex(ref: string): number {
  let column = 0;
  for (let i = 0; i < ref.length; i++) {
    let code = ref.charCodeAt(i);
    if (code >= 97 && code <= 122) code -= 32; // 'a'…'z' read as 'A'…'Z'
    if (code < 65 || code > 90) break; // 'A'…'Z'; the row number follows
    column = column * 26 + (code - 64);
  }
  return column - 1;
}

/**
 * A cell's value from its type (`t`) and the text of its `<v>` or `<is>`:
 *   s          index into the shared strings
 *   inlineStr  the text of <is> (rich runs concatenated)
 *   str        a formula's cached string result
 *   b          1 or 0
 *   e          an error such as #N/A or #DIV/0!, kept as its text
 *   n / none   a number, e.g. 8613812345678 or 8.61381234567E12 (Number reads both)
 *   d          an ISO 8601 date (rare; Excel itself writes dates as numbers), kept as its text
 */
function cellValue(
  type: string,
  v: string | null,
  inline: string | null,
  sharedStrings: SharedStrings,
): XlsxCell {
  switch (type) {
    case 's': {
      if (v === null || v.trim() === '') return null;
      const text = sharedStrings.get(Number(v));
      if (text === undefined) throw new XlsxReadError(`the workbook is damaged (shared string ${v})`);
      return text;
    }
    case 'inlineStr':
      // Some generators put an inline string's text in <v> rather than <is><t>.
      return inline !== null ? unescapeXstring(inline) : v !== null ? unescapeXstring(v) : null;
    case 'str':
      return v === null ? null : unescapeXstring(v);
    case 'b':
      return v === null ? null : v.trim() === '1' || v.trim() === 'true';
    case 'e':
    case 'd':
      return v;
    default: {
      if (v === null || v.trim() === '') return null;
      const n = Number(v);
      // Not a number after all: give the text rather than NaN, so nothing is silently lost.
      return Number.isNaN(n) ? v : n;
    }
  }
}
