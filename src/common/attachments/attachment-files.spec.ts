import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  cleanFileName,
  contentDisposition,
  DOCX,
  isAllowedType,
  PPTX,
  sniffContentType,
  XLSX,
  zipEntryNames,
} from './attachment-files.js';

/** A real zip of `entries`, stored uncompressed: local headers, central directory, end record. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const OFFICE_COMMON = { '[Content_Types].xml': '<Types/>', '_rels/.rels': '<Relationships/>' };
const docx = zip({ ...OFFICE_COMMON, 'word/document.xml': '<w:document/>' });
const pptx = zip({ ...OFFICE_COMMON, 'ppt/presentation.xml': '<p:presentation/>' });

async function xlsx(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('客户').addRow(['名称', '金额']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

const PDF = Buffer.from(
  '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0])]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);
const MZ = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.from([0x90, 0, 3, 0, 0, 0, 4, 0]),
  Buffer.from('This program cannot be run in DOS mode'),
]);

describe('sniffContentType', () => {
  it.each([
    ['a PDF', PDF, 'scan.pdf', 'application/pdf'],
    ['a PNG', PNG, 'x.png', 'image/png'],
    ['a JPEG', JPEG, 'x.jpg', 'image/jpeg'],
    ['a GIF', GIF, 'x.gif', 'image/gif'],
    ['a WebP', WEBP, 'x.webp', 'image/webp'],
    ['a Word document', docx, 'x.docx', DOCX],
    ['a PowerPoint deck', pptx, 'x.pptx', PPTX],
    ['UTF-8 text', Buffer.from('客户回访记录\r\n\t第二行\n'), '记录.txt', 'text/plain; charset=utf-8'],
    [
      'UTF-8 CSV with a BOM',
      Buffer.from('\ufeff名称,手机\n华信,13812345678\n'),
      '客户.CSV',
      'text/csv; charset=utf-8',
    ],
    [
      'GB18030 CSV, as Excel saves it in China',
      iconv.encode('名称,手机\n华信科技,13812345678\n', 'gb18030'),
      'a.csv',
      'text/csv; charset=gb18030',
    ],
    [
      'UTF-16 text with its BOM',
      Buffer.from('\ufeff合同备注', 'utf16le'),
      'a.txt',
      'text/plain; charset=utf-16le',
    ],
  ])('knows %s', (_, bytes, name, type) => {
    expect(sniffContentType(bytes, name)).toBe(type);
    expect(isAllowedType(type)).toBe(true);
  });

  it('knows an Excel workbook as exceljs writes it', async () => {
    expect(sniffContentType(await xlsx(), 'book.xlsx')).toBe(XLSX);
  });

  it('trusts the bytes, not the name: a PDF named .png is a PDF, and a PNG named .txt a PNG', () => {
    expect(sniffContentType(PDF, 'photo.png')).toBe('application/pdf');
    expect(sniffContentType(PNG, 'notes.txt')).toBe('image/png');
    expect(sniffContentType(docx, 'sheet.xlsx')).toBe(DOCX);
  });

  it.each([
    ['a Linux program renamed .pdf', ELF, '合同.pdf', 'application/x-executable'],
    ['a Windows program renamed .pdf', MZ, 'contract.pdf', 'application/x-msdownload'],
    ['a Windows program renamed .txt', MZ, 'readme.txt', 'application/x-msdownload'],
    ['a shell script renamed .txt', Buffer.from('#!/bin/sh\nrm -rf /\n'), 'notes.txt', 'text/x-script'],
    ['a plain zip renamed .docx', zip({ 'setup.exe': 'MZ' }), 'x.docx', 'application/zip'],
    [
      'a zip with Office-like names but no [Content_Types].xml',
      zip({ 'word/document.xml': '<w/>' }),
      'x.docx',
      'application/zip',
    ],
    [
      'a Word file carrying macros',
      zip({ ...OFFICE_COMMON, 'word/document.xml': '<w/>', 'word/vbaProject.bin': 'VBA' }),
      'x.docx',
      'application/vnd.ms-office.macroEnabled',
    ],
    ['a zip whose directory is cut off', docx.subarray(0, docx.length - 30), 'x.docx', 'application/zip'],
    ['binary noise', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00]), 'x.pdf', 'application/octet-stream'],
    ['text with NUL bytes', Buffer.from('abc\u0000def'), 'x.txt', 'application/octet-stream'],
    ['an empty file', Buffer.alloc(0), 'x.txt', 'application/octet-stream'],
  ])('refuses %s', (_, bytes, name, type) => {
    expect(sniffContentType(bytes, name)).toBe(type);
    expect(isAllowedType(type)).toBe(false);
  });
});

describe('zipEntryNames', () => {
  it('lists the entries from the central directory', () => {
    expect(zipEntryNames(docx)).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    expect(zipEntryNames(Buffer.from('PK\x03\x04 not really a zip'))).toBeNull();
  });
});

describe('cleanFileName', () => {
  it.each([
    ['合同扫描件.pdf', '合同扫描件.pdf'],
    ['C:\\fakepath\\报价单.xlsx', '报价单.xlsx'],
    ['../../etc/passwd', 'passwd'],
    ['a\u0000b\r\n.txt', 'ab.txt'],
    ['合同\u202Efdp.exe', '合同fdp.exe'],
    ['\u2067报价\u2069.pdf', '报价.pdf'],
    ['  spaced .pdf  ', 'spaced .pdf'],
    ['', 'attachment'],
    ['..', 'attachment'],
    ['dir/', 'attachment'],
  ])('makes %j %j', (name, clean) => {
    expect(cleanFileName(name)).toBe(clean);
  });

  it('shortens a long name to 200 characters, keeping its extension', () => {
    const clean = cleanFileName(`${'长'.repeat(300)}.pdf`);
    expect(clean).toHaveLength(200);
    expect(clean.endsWith('长.pdf')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('sends a Chinese name in filename* and an ASCII stand-in in filename', () => {
    expect(contentDisposition('合同扫描件.pdf')).toBe(
      `attachment; filename="attachment.pdf"; filename*=UTF-8''%E5%90%88%E5%90%8C%E6%89%AB%E6%8F%8F%E4%BB%B6.pdf`,
    );
  });

  it('keeps the ASCII parts of a mixed name, and nothing that would end the quoted string', () => {
    expect(contentDisposition('报价 v2.xlsx')).toBe(
      `attachment; filename="_ v2.xlsx"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%20v2.xlsx`,
    );
    expect(contentDisposition(`say "hi"\\ 100%.txt`)).toBe(
      `attachment; filename="say _hi__ 100_.txt"; filename*=UTF-8''say%20%22hi%22%5C%20100%25.txt`,
    );
    // RFC 5987 does not allow ' ( ) * unencoded in filename*.
    expect(contentDisposition(`it's (final)*.pdf`)).toBe(
      `attachment; filename="it's (final)*.pdf"; filename*=UTF-8''it%27s%20%28final%29%2A.pdf`,
    );
  });

  it('folds full-width letters for the stand-in', () => {
    expect(contentDisposition('ＡＢＣ报告.pdf')).toContain('filename="ABC_.pdf"');
  });
});
