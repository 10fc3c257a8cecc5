/**
 * What an attached file is, told from its bytes alone, and how it is named on the way out. The
 * browser's content type and the file's extension are never believed: a renamed program stays a
 * program. Pure functions, so every rule has a case in attachment-files.spec.ts.
 */

/** The largest file Kehu attaches to a record. */
export const ATTACHMENT_MAX_MB = 20;
export const ATTACHMENT_MAX_BYTES = ATTACHMENT_MAX_MB * 1024 * 1024;

export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** The kinds of file a user may attach (content types without parameters). */
export const ALLOWED_ATTACHMENT_TYPES: readonly string[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  DOCX,
  XLSX,
  PPTX,
  'text/plain',
  'text/csv',
];

/** Whether a sniffed content type may be attached. */
export function isAllowedType(contentType: string): boolean {
  return ALLOWED_ATTACHMENT_TYPES.includes(contentType.split(';')[0].trim());
}

const startsWith = (b: Buffer, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => Array.from(Buffer.from(s, 'latin1'));

const EXECUTABLES: [number[], string][] = [
  [ascii('MZ'), 'application/x-msdownload'],
  [[0x7f, 0x45, 0x4c, 0x46], 'application/x-executable'],
  [[0xfe, 0xed, 0xfa, 0xce], 'application/x-mach-binary'],
  [[0xfe, 0xed, 0xfa, 0xcf], 'application/x-mach-binary'],
  [[0xce, 0xfa, 0xed, 0xfe], 'application/x-mach-binary'],
  [[0xcf, 0xfa, 0xed, 0xfe], 'application/x-mach-binary'],
  [[0xca, 0xfe, 0xba, 0xbe], 'application/x-mach-binary'],
  [ascii('#!'), 'text/x-script'],
];

/**
 * The content type of `bytes`, by their magic numbers: PDF, PNG, JPEG, GIF, WebP; a zip is a Word,
 * Excel or PowerPoint file by the names of its entries; text is text if it decodes cleanly as UTF-8,
 * UTF-16 (with its byte-order mark) or GB18030 (as Chinese Windows saves it). Programs are named for
 * what they are so the allowed list refuses them; anything unknown is application/octet-stream.
 * `fileName` only tells CSV from other text: both are equally harmless.
 */
export function sniffContentType(bytes: Buffer, fileName: string): string {
  for (const [sig, type] of EXECUTABLES) if (startsWith(bytes, sig)) return type;
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return officeType(zipEntryNames(bytes));
  const charset = textCharset(bytes);
  if (charset) return `${/\.csv$/i.test(fileName) ? 'text/csv' : 'text/plain'}; charset=${charset}`;
  return 'application/octet-stream';
}

/** An Office Open XML file by its main part; a macro-carrying or any other zip is just a zip. */
function officeType(names: string[] | null): string {
  if (!names || !names.includes('[Content_Types].xml')) return 'application/zip';
  if (names.some((n) => /(^|\/)vbaProject\.bin$/i.test(n))) return 'application/vnd.ms-office.macroEnabled';
  if (names.includes('word/document.xml')) return DOCX;
  if (names.includes('xl/workbook.xml')) return XLSX;
  if (names.includes('ppt/presentation.xml')) return PPTX;
  return 'application/zip';
}

/**
 * The entry names in a zip's central directory, read without inflating anything (so a zip bomb
 * costs nothing); null if the directory is not where its end record says.
 */
export function zipEntryNames(bytes: Buffer): string[] | null {
  const END = 0x06054b50;
  const ENTRY = 0x02014b50;
  let end = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (bytes.readUInt32LE(p) === END) {
      end = p;
      break;
    }
  }
  if (end < 0) return null;
  const count = bytes.readUInt16LE(end + 10);
  let p = bytes.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > end || bytes.readUInt32LE(p) !== ENTRY) return null;
    const nameLength = bytes.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + bytes.readUInt16LE(p + 30) + bytes.readUInt16LE(p + 32);
    if (next > end) return null;
    names.push(bytes.toString('utf8', p + 46, p + 46 + nameLength));
    p = next;
  }
  return names;
}

/** Control characters other than tab, line feed, form feed and carriage return: not in a text file. */
const CONTROL = /(?![\t\n\f\r])\p{Cc}/u;

function decodes(bytes: Buffer, encoding: string): boolean {
  try {
    return !CONTROL.test(new TextDecoder(encoding, { fatal: true }).decode(bytes));
  } catch {
    return false;
  }
}

/** The charset `bytes` are text in, or null if they are not text. */
function textCharset(bytes: Buffer): string | null {
  if (bytes.length === 0) return null;
  if (startsWith(bytes, [0xff, 0xfe]) && bytes.length % 2 === 0 && decodes(bytes, 'utf-16le'))
    return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff]) && bytes.length % 2 === 0 && decodes(bytes, 'utf-16be'))
    return 'utf-16be';
  if (decodes(bytes, 'utf-8')) return 'utf-8';
  if (decodes(bytes, 'gb18030')) return 'gb18030';
  return null;
}

/**
 * The last part of a browser's file name, without control characters nor the direction overrides
 * that make 合同{U+202E}fdp.exe read as 合同exe.pdf; "attachment" if nothing is left.
 */
export function cleanFileName(name: string): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, '').trim();
  if (clean === '' || clean === '.' || clean === '..') return 'attachment';
  if (clean.length <= 200) return clean;
  const ext = /\.[^.]{1,10}$/.exec(clean)?.[0] ?? '';
  return clean.slice(0, 200 - ext.length) + ext;
}

/**
 * The Content-Disposition of a download: a plain ASCII `filename` for old clients and the real name
 * in `filename*` (RFC 6266, UTF-8 percent-encoded) that every current browser prefers, so 合同扫描件.pdf
 * arrives as 合同扫描件.pdf.
 */
export function contentDisposition(fileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encoded}`;
}

function asciiFallback(fileName: string): string {
  const ascii = fileName
    .normalize('NFKC')
    .replace(/[^\x20-\x7e]+/g, '_')
    .replace(/["\\%]/g, '_')
    .trim();
  const dot = ascii.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [ascii.slice(0, dot), ascii.slice(dot)] : [ascii, ''];
  if (!/[A-Za-z0-9]/.test(stem)) return `attachment${/^\.[A-Za-z0-9]+$/.test(ext) ? ext : ''}`;
  return ascii;
}
