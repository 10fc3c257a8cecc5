import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitExceeded } from './read-limits.js';
import { readXlsxRows, SharedStrings, XlsxReadError, type XlsxRow } from './xlsx-reader.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kehu-xlsx-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function readAll(path: string): Promise<XlsxRow[]> {
  const rows: XlsxRow[] = [];
  for await (const row of readXlsxRows(path)) rows.push(row);
  return rows;
}

/** Writes a one-sheet workbook with exceljs, as a user's Excel file would arrive. */
async function writeWorkbook(name: string, fill: (sheet: ExcelJS.Worksheet) => void): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  fill(workbook.addWorksheet('客户'));
  const path = join(dir, name);
  await workbook.xlsx.writeFile(path);
  return path;
}

/** A minimal zip writer (deflated entries), for parts exceljs never writes. */
function writeZip(name: string, entries: Record<string, string>): string {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [entryName, text] of Object.entries(entries)) {
    const nameBytes = Buffer.from(entryName, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const deflated = deflateRawSync(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0); // local file header
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(deflated.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(header, nameBytes, deflated);
    centrals.push(central, nameBytes);
    offset += header.length + nameBytes.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([...locals, directory, end]));
  return path;
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A hand-written workbook: one worksheet (xl/worksheets/sheet1.xml) and optional shared strings. */
function writeRawWorkbook(name: string, sheetData: string, sharedStrings?: string): string {
  return writeZip(name, {
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_TYPE}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${sheetData}</sheetData></worksheet>`,
    ...(sharedStrings !== undefined && {
      'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}">${sharedStrings}</sst>`,
    }),
  });
}

describe('readXlsxRows', () => {
  it('reads Chinese text, numbers, booleans and empty cells, with sheet row numbers', async () => {
    const path = await writeWorkbook('basic.xlsx', (sheet) => {
      sheet.getCell('A1').value = '客户名称';
      sheet.getCell('B1').value = '手机';
      sheet.getCell('C1').value = 'VIP';
      sheet.getCell('A2').value = '北京华信科技有限公司';
      sheet.getCell('B2').value = 8613812345678; // a mobile number typed without separators
      sheet.getCell('C2').value = true;
      sheet.getCell('A3').value = '上海明德贸易';
      // B3 is empty in the middle of the row
      sheet.getCell('C3').value = false;
      sheet.getCell('D3').value = 3.25;
      // row 4 is empty; row 5 has one cell in column C
      sheet.getCell('C5').value = '深圳';
    });

    expect(await readAll(path)).toEqual([
      { row: 1, cells: ['客户名称', '手机', 'VIP'] },
      { row: 2, cells: ['北京华信科技有限公司', 8613812345678, true] },
      { row: 3, cells: ['上海明德贸易', null, false, 3.25] },
      { row: 5, cells: [null, null, '深圳'] },
    ]);
  });

  it('keeps every Chinese character across many 16 KiB chunks of the sheet and the shared strings', async () => {
    const written: (string | number)[][] = [];
    for (let i = 1; i <= 5000; i++) {
      written.push([`北京华信科技有限公司第${i}分公司`, i, `联系人张伟${i}，地址：朝阳区建国路${i}号`]);
    }
    const path = await writeWorkbook('big.xlsx', (sheet) => {
      for (const values of written) sheet.addRow(values);
    });

    // The test only means something if both parts span many chunks.
    const zip = await unzipper.Open.file(path);
    const size = (p: string) => zip.files.find((f) => f.path === p)?.uncompressedSize ?? 0;
    expect(size('xl/worksheets/sheet1.xml')).toBeGreaterThan(20 * 16_384);
    expect(size('xl/sharedStrings.xml')).toBeGreaterThan(20 * 16_384);

    const rows = await readAll(path);
    expect(rows).toHaveLength(5000);
    expect(rows.map((r) => r.row)).toEqual(written.map((_, i) => i + 1));
    expect(rows.map((r) => r.cells)).toEqual(written);
    expect(rows.some((r) => r.cells.some((c) => typeof c === 'string' && c.includes('\uFFFD')))).toBe(false);
  });

  it('gives a formula’s cached result, never the formula, and keeps text that starts with = as text', async () => {
    const path = await writeWorkbook('formula.xlsx', (sheet) => {
      sheet.getCell('A1').value = 'abc';
      sheet.getCell('B1').value = { formula: 'A1&"x"', result: 'abcx' };
      sheet.getCell('C1').value = { formula: '1+2', result: 3 };
      sheet.getCell('D1').value = '=SUM(A1:A9)';
      sheet.getCell('E1').value = { error: '#N/A' };
      sheet.getCell('F1').value = { richText: [{ text: '北京' }, { font: { bold: true }, text: '华信' }] };
    });

    expect(await readAll(path)).toEqual([
      { row: 1, cells: ['abc', 'abcx', 3, '=SUM(A1:A9)', '#N/A', '北京华信'] },
    ]);
  });

  it('reads every cell type as Excel writes it, including rich text and inline strings', async () => {
    const path = writeRawWorkbook(
      'types.xlsx',
      '<row r="1">' +
        '<c r="A1" t="s"><v>0</v></c>' + // rich text: the runs joined
        '<c r="B1" t="s"><v>1</v></c>' + // phonetic hints are not part of the value
        '<c r="C1" t="inlineStr"><is><t>内联文本</t></is></c>' +
        '<c r="D1" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></is></c>' +
        '<c r="E1" t="str"><f>A1&amp;"x"</f><v>北京x</v></c>' +
        '<c r="F1" t="b"><v>1</v></c>' +
        '<c r="G1" t="e"><v>#DIV/0!</v></c>' +
        '<c r="H1"><v>8.61381234567E12</v></c>' +
        '<c r="I1" t="n"><v>-0.5</v></c>' +
        '<c r="J1" s="3"/>' + // styled but empty: not a value
        '</row>' +
        '<row r="2"><c r="AB2" t="s"><v>2</v></c></row>' +
        '<row r="3"><c r="A3" t="str"><f>NOW()</f></c></row>', // a formula never calculated: no value
      '<si><r><t>北京</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 华信 </t></r></si>' +
        '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>' +
        '<si><t>第一行_x000D_\n第二行 &amp; &lt;更多&gt;</t></si>',
    );

    expect(await readAll(path)).toEqual([
      {
        row: 1,
        cells: ['北京 华信 ', '東京', '内联文本', '富文本', '北京x', true, '#DIV/0!', 8613812345670, -0.5],
      },
      { row: 2, cells: [...Array<null>(27).fill(null), '第一行\r\n第二行 & <更多>'] },
    ]);
  });

  it('counts rows and cells that have no r attribute', async () => {
    const path = writeRawWorkbook(
      'no-refs.xlsx',
      '<row><c t="s"><v>0</v></c><c><v>1</v></c></row>' +
        '<row r="4"><c r="B4"><v>2</v></c><c><v>3</v></c></row>' +
        '<row><c><v>4</v></c></row>',
      '<si><t>甲</t></si>',
    );

    expect(await readAll(path)).toEqual([
      { row: 1, cells: ['甲', 1] },
      { row: 4, cells: [null, 2, 3] },
      { row: 5, cells: [4] },
    ]);
  });

  it('reads prefixed element names, as the Open XML SDK writes them', async () => {
    const path = writeZip('prefixed.xlsx', {
      'xl/worksheets/sheet1.xml': `<x:worksheet xmlns:x="${MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
    });

    expect(await readAll(path)).toEqual([{ row: 1, cells: ['前缀'] }]);
  });

  it('reads the first sheet in tab order, skipping a chart sheet', async () => {
    const sheet = (text: string) =>
      `<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c></row></sheetData></worksheet>`;
    const path = writeZip('order.xlsx', {
      'xl/workbook.xml': `<workbook xmlns="${MAIN}" xmlns:rel="${REL}"><sheets><sheet name="图表" sheetId="3" rel:id="rId3"/><sheet name="客户" sheetId="2" rel:id="rId2"/><sheet name="旧" sheetId="1" rel:id="rId1"/></sheets></workbook>`,
      'xl/_rels/workbook.xml.rels': `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_TYPE}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL_TYPE}/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="${REL_TYPE}/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`,
      'xl/chartsheets/sheet1.xml': '<chartsheet/>',
      'xl/worksheets/sheet1.xml': sheet('旧'),
      'xl/worksheets/sheet2.xml': sheet('客户'),
    });

    expect(await readAll(path)).toEqual([{ row: 1, cells: ['客户'] }]);
  });

  it('refuses a file that is not a zip', async () => {
    const path = join(dir, 'customers.xlsx');
    writeFileSync(path, '客户名称,手机\n北京华信,13812345678\n');

    const read = readAll(path);
    await expect(read).rejects.toThrow(XlsxReadError);
    await expect(read).rejects.toThrow('not an .xlsx workbook');
  });

  it('passes on the error for a file that is not there', async () => {
    await expect(readAll(join(dir, 'missing.xlsx'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an empty zip and a zip without a worksheet', async () => {
    await expect(readAll(writeZip('empty.xlsx', {}))).rejects.toThrow('the workbook has no worksheet');
    await expect(readAll(writeZip('notes.xlsx', { 'notes.txt': '备注' }))).rejects.toThrow(
      'the workbook has no worksheet',
    );
  });

  it('refuses a damaged sheet', async () => {
    const path = writeRawWorkbook('damaged.xlsx', '<row r="1"><c r="A1"><v>1</v></c>');

    await expect(readAll(path)).rejects.toThrow('the workbook is damaged');
  });

  // Streaming: the sheet is inflated, decoded and parsed chunk by chunk, and rows are yielded after
  // each chunk (see readSheet), so memory does not grow with the sheet. That is kept by the code's
  // shape rather than tested; this test checks the other half, that stopping early lets go of the file.
  it.skipIf(!existsSync('/proc/self/fd'))('closes the file when the consumer stops early', async () => {
    const path = await writeWorkbook('early-stop.xlsx', (sheet) => {
      // Random numbers compress poorly, so the sheet is far bigger than the streams' buffers.
      for (let i = 0; i < 20_000; i++) sheet.addRow([Math.random(), Math.random(), Math.random(), i]);
    });
    const openHandles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      }).length;

    const rows: XlsxRow[] = [];
    let handlesWhileReading = 0;
    for await (const row of readXlsxRows(path)) {
      rows.push(row);
      handlesWhileReading = openHandles();
      if (rows.length === 3) break;
    }

    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(handlesWhileReading).toBeGreaterThan(0);
    expect(openHandles()).toBe(0);
  });
});

describe('SharedStrings', () => {
  it('gives back every string as added, past many times its first capacity', () => {
    const strings = new SharedStrings();
    const added = Array.from({ length: 50_000 }, (_, i) =>
      i % 7 === 0 ? '' : `客户${i} – ${'é'.repeat(i % 5)}`,
    );
    for (const s of added) strings.add(s);
    expect(added.every((s, i) => strings.get(i) === s)).toBe(true);
    expect(strings.get(50_000)).toBeUndefined();
    expect(strings.get(-1)).toBeUndefined();
    expect(strings.get(1.5)).toBeUndefined();
  });
});

describe('readXlsxRows: bounds', () => {
  const within = async (path: string, maxRows?: number) => {
    const rows: XlsxRow[] = [];
    for await (const row of readXlsxRows(path, { maxRows })) rows.push(row);
    return rows;
  };
  const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => `<row r="${i + 1}">${inline(`A${i + 1}`, `Row ${i}`)}</row>`).join(
      '',
    );

  it('stops at the row one past maxRows below the header', async () => {
    expect(await within(writeRawWorkbook('limit-ok.xlsx', rows(4)), 3)).toHaveLength(4);
    await expect(within(writeRawWorkbook('limit-over.xlsx', rows(5)), 3)).rejects.toMatchObject({
      limit: 'rows',
      max: 3,
    });
  });

  it('refuses a shared string built from pieces past 32,767 characters, whatever splits them', async () => {
    const split = `<si><t>${'ab<!---->'.repeat(20_000)}</t></si>`;
    const error = await within(writeRawWorkbook('split.xlsx', '', split)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceeded);
    expect(error).toMatchObject({ limit: 'cell', max: 32_767 });
    // Exactly Excel's limit is a cell like any other.
    const longest = `<si><t>${'x<![CDATA[y]]>'.repeat(32_767 / 2 - 0.5)}z</t></si>`;
    const read = await within(
      writeRawWorkbook('longest.xlsx', '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', longest),
    );
    expect(String(read[0].cells[0])).toHaveLength(32_767);
  });

  it('refuses an inline cell built from entities and CDATA past 32,767 characters', async () => {
    const cell = inline('A1', 'a&amp;<![CDATA[b]]>'.repeat(12_000));
    await expect(within(writeRawWorkbook('inline.xlsx', `<row r="1">${cell}</row>`))).rejects.toMatchObject({
      limit: 'cell',
    });
  });

  it('refuses a value past column 1,000 rather than fill a row with 16,384 cells', async () => {
    await expect(
      within(writeRawWorkbook('xfd.xlsx', `<row r="1">${inline('XFD1', 'x')}</row>`)),
    ).rejects.toMatchObject({
      limit: 'columns',
    });
    expect(
      await within(writeRawWorkbook('all.xlsx', `<row r="1">${inline('ALL1', 'x')}</row>`)),
    ).toHaveLength(1);
  });
});
