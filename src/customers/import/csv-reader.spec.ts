import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitExceeded } from './read-limits.js';
import {
  CSV_CHUNK_BYTES,
  CSV_SAMPLE_BYTES,
  CsvParser,
  detectCsvEncoding,
  readCsvRows,
  type CsvRow,
} from './csv-reader.js';

let dir: string;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kehu-csv-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a fixture file and returns its path. */
async function fixture(content: Buffer | string): Promise<string> {
  const path = join(dir, `${++fileCount}.csv`);
  await writeFile(path, content);
  return path;
}

async function readAll(path: string): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(path)) rows.push(row);
  return rows;
}

async function cellsOf(path: string): Promise<string[][]> {
  return (await readAll(path)).map((r) => r.cells);
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const SAMPLE =
  '名称,联系人,手机\r\n深圳市腾飞科技有限公司,张伟,13812345678\r\n杭州西湖茶业,李娜,13987654321\r\n';
const SAMPLE_CELLS = [
  ['名称', '联系人', '手机'],
  ['深圳市腾飞科技有限公司', '张伟', '13812345678'],
  ['杭州西湖茶业', '李娜', '13987654321'],
];

describe('readCsvRows: encodings', () => {
  it('reads UTF-8 with a BOM and strips the BOM', async () => {
    const path = await fixture(Buffer.concat([UTF8_BOM, Buffer.from(SAMPLE, 'utf8')]));
    expect(await detectCsvEncoding(path)).toBe('utf8');
    const rows = await readAll(path);
    expect(rows.map((r) => r.cells)).toEqual(SAMPLE_CELLS);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(rows[0].cells[0]).toBe('名称'); // no U+FEFF glued to the first header
  });

  it('reads UTF-8 without a BOM', async () => {
    const path = await fixture(Buffer.from(SAMPLE, 'utf8'));
    expect(await detectCsvEncoding(path)).toBe('utf8');
    expect(await cellsOf(path)).toEqual(SAMPLE_CELLS);
  });

  it('reads plain ASCII as UTF-8', async () => {
    const path = await fixture('name,mobile\nAcme,13812345678\n');
    expect(await detectCsvEncoding(path)).toBe('utf8');
    expect(await cellsOf(path)).toEqual([
      ['name', 'mobile'],
      ['Acme', '13812345678'],
    ]);
  });

  it('still detects UTF-8 when a character is cut at the end of the 64 KiB sample', async () => {
    // ASCII up to two bytes before the boundary, then '中' (3 bytes in UTF-8) across it.
    const header = 'name,note\n';
    const filler = 'a'.repeat(CSV_SAMPLE_BYTES - 2 - header.length - 'x,'.length);
    const text = `${header}x,${filler}中文\n`;
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.subarray(CSV_SAMPLE_BYTES - 2, CSV_SAMPLE_BYTES + 1).toString('utf8')).toBe('中');
    const path = await fixture(bytes);
    expect(await detectCsvEncoding(path)).toBe('utf8');
    expect(await cellsOf(path)).toEqual([
      ['name', 'note'],
      ['x', `${filler}中文`],
    ]);
  });

  it('reads GB18030 as Excel and WPS save "CSV" on Chinese Windows', async () => {
    const path = await fixture(iconv.encode(SAMPLE, 'gb18030'));
    expect(await detectCsvEncoding(path)).toBe('gb18030');
    expect(await cellsOf(path)).toEqual(SAMPLE_CELLS);
  });

  it('keeps every character of a large GB18030 file, also those split across 64 KiB reads', async () => {
    const names = [
      '深圳市腾飞科技有限公司',
      '杭州西湖龙井茶业',
      '成都麻辣食品厂',
      '广州珠江贸易',
      '哈尔滨冰雪旅游',
    ];
    const source: string[][] = [['名称', '联系人', '备注']];
    let bytes = iconv.encode('名称,联系人,备注\r\n', 'gb18030').length;
    const add = (cells: string[]) => {
      source.push(cells);
      bytes += iconv.encode(`${cells.join(',')}\r\n`, 'gb18030').length;
    };
    // At each boundary a Chinese character starts `offset` bytes before it: 2-byte characters (GBK
    // range) one byte before, and a 4-byte GB18030 character (𠮷, outside the BMP) two bytes before.
    const straddlers = [
      { boundary: CSV_CHUNK_BYTES, offset: 1, text: '张三丰' },
      { boundary: 2 * CSV_CHUNK_BYTES, offset: 2, text: '𠮷野家' },
      { boundary: 3 * CSV_CHUNK_BYTES, offset: 1, text: '欧阳娜娜' },
    ];
    for (const { boundary, offset, text } of straddlers) {
      while (bytes < boundary - 300)
        add([names[source.length % names.length], '王芳', `第${source.length}行`]);
      // An ASCII row whose length puts the start of the next row `offset` bytes before the boundary.
      const fill = boundary - offset - bytes - 'filler,\r\n'.length;
      add(['filler', 'x'.repeat(fill)]);
      expect(bytes).toBe(boundary - offset);
      add([text, '客户', '备注：重要']);
    }
    for (let i = 0; i < 50; i++) add([names[i % names.length], '赵敏', '结尾']);

    const file = iconv.encode(source.map((cells) => `${cells.join(',')}\r\n`).join(''), 'gb18030');
    expect(file.length).toBe(bytes);
    expect(file.length).toBeGreaterThan(3 * CSV_CHUNK_BYTES);
    // The fixture really does split the characters: the bytes around each boundary are one character.
    expect(iconv.decode(file.subarray(CSV_CHUNK_BYTES - 1, CSV_CHUNK_BYTES + 1), 'gb18030')).toBe('张');
    expect(iconv.decode(file.subarray(2 * CSV_CHUNK_BYTES - 2, 2 * CSV_CHUNK_BYTES + 2), 'gb18030')).toBe(
      '𠮷',
    );
    expect(iconv.decode(file.subarray(3 * CSV_CHUNK_BYTES - 1, 3 * CSV_CHUNK_BYTES + 1), 'gb18030')).toBe(
      '欧',
    );

    const path = await fixture(file);
    expect(await detectCsvEncoding(path)).toBe('gb18030');
    const rows = await readAll(path);
    expect(rows.map((r) => r.cells)).toEqual(source);
    expect(rows.map((r) => r.row)).toEqual(source.map((_, i) => i + 1));
  });

  it('reads UTF-16LE "Unicode text" as tab-separated', async () => {
    const text = '名称\t联系人\t备注\r\n成都麻辣食品厂\t王芳\t川菜, 火锅底料\r\n';
    const path = await fixture(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(await detectCsvEncoding(path)).toBe('utf16le');
    expect(await cellsOf(path)).toEqual([
      ['名称', '联系人', '备注'],
      ['成都麻辣食品厂', '王芳', '川菜, 火锅底料'],
    ]);
  });
});

describe('readCsvRows: delimiters', () => {
  it('uses semicolons when the header has more of them than commas', async () => {
    const path = await fixture('name;city;revenue\r\n"Acme; Ltd";Köln;1.234,56\r\nBeta GmbH;Berlin;7,5\r\n');
    expect(await cellsOf(path)).toEqual([
      ['name', 'city', 'revenue'],
      ['Acme; Ltd', 'Köln', '1.234,56'],
      ['Beta GmbH', 'Berlin', '7,5'],
    ]);
  });

  it('uses semicolons in a GB18030 file too', async () => {
    const path = await fixture(iconv.encode('名称;联系人\r\n腾飞科技;张伟\r\n', 'gb18030'));
    expect(await cellsOf(path)).toEqual([
      ['名称', '联系人'],
      ['腾飞科技', '张伟'],
    ]);
  });

  it('uses tabs when the header has more of them than commas', async () => {
    const path = await fixture('名称\t备注\n腾飞科技\t软件, 硬件\n');
    expect(await cellsOf(path)).toEqual([
      ['名称', '备注'],
      ['腾飞科技', '软件, 硬件'],
    ]);
  });

  it('keeps commas when the header has as many commas as anything else', async () => {
    const path = await fixture('a,b;c\n1,2;3\n');
    expect(await cellsOf(path)).toEqual([
      ['a', 'b;c'],
      ['1', '2;3'],
    ]);
  });
});

describe('readCsvRows: cells', () => {
  it('reads quoted fields with commas, line breaks and doubled quotes', async () => {
    const path = await fixture(
      [
        '名称,地址,备注',
        '"腾飞科技, 深圳","广东省深圳市\r\n南山区科技园","他说""明天签约"""',
        'Acme,"line one\nline two",plain',
        '',
      ].join('\r\n'),
    );
    const rows = await readAll(path);
    expect(rows).toEqual([
      { row: 1, cells: ['名称', '地址', '备注'] },
      { row: 2, cells: ['腾飞科技, 深圳', '广东省深圳市\r\n南山区科技园', '他说"明天签约"'] },
      { row: 3, cells: ['Acme', 'line one\nline two', 'plain'] },
    ]);
  });

  it('keeps formulas, long numbers and leading zeros as text, untrimmed', async () => {
    const path = await fixture('名称,手机,区号,公式,备注\n腾飞,8613812345678,0755,=1+1, 两边有空格 \n');
    const [, row] = await cellsOf(path);
    expect(row).toEqual(['腾飞', '8613812345678', '0755', '=1+1', ' 两边有空格 ']);
    expect(typeof row[1]).toBe('string');
  });

  it('accepts rows shorter or longer than the header and skips empty lines, keeping row numbers', async () => {
    const path = await fixture('a,b,c\r\n\r\n1\r\n1,2,3,4\r\n\r\n,,\r\n');
    expect(await readAll(path)).toEqual([
      { row: 1, cells: ['a', 'b', 'c'] },
      { row: 3, cells: ['1'] },
      { row: 4, cells: ['1', '2', '3', '4'] },
      { row: 6, cells: ['', '', ''] },
    ]);
  });

  it('reads a file without a final line break', async () => {
    const path = await fixture('a,b\n1,2');
    expect(await cellsOf(path)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('streams 100,000 rows and stops reading when the caller stops', async () => {
    const lines = ['名称,手机'];
    for (let i = 1; i <= 100_000; i++) lines.push(`客户${i},138${String(i).padStart(8, '0')}`);
    const path = await fixture(iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030'));

    let count = 0;
    let last: CsvRow | undefined;
    for await (const row of readCsvRows(path)) {
      count++;
      last = row;
    }
    expect(count).toBe(100_001);
    expect(last).toEqual({ row: 100_001, cells: ['客户100000', '13800100000'] });

    const first: CsvRow[] = [];
    for await (const row of readCsvRows(path)) {
      first.push(row);
      if (first.length === 3) break;
    }
    expect(first.map((r) => r.cells[0])).toEqual(['名称', '客户1', '客户2']);
  });
});

describe('CsvParser', () => {
  const TEXT = 'a,"b ""q"", c",d\r\n\r\n"line\r\nbreak",x"y,"z"tail\rlast,\n,,\r\n"end"';
  const WHOLE = [
    { row: 1, cells: ['a', 'b "q", c', 'd'] },
    { row: 3, cells: ['line\r\nbreak', 'x"y', 'ztail'] },
    { row: 4, cells: ['last', ''] },
    { row: 5, cells: ['', '', ''] },
    { row: 6, cells: ['end'] },
  ];

  it('reads quotes as Excel writes them; a quote inside an unquoted cell is an ordinary character', () => {
    expect(new CsvParser(',').push(TEXT, true)).toEqual(WHOLE);
  });

  it('gives the same rows wherever the text is cut into pieces', () => {
    for (let cut = 0; cut <= TEXT.length; cut++) {
      const parser = new CsvParser(',');
      const rows = [...parser.push(TEXT.slice(0, cut), false), ...parser.push(TEXT.slice(cut), true)];
      expect(rows, `cut at ${cut}`).toEqual(WHOLE);
    }
  });
});

describe('readCsvRows: refusals', () => {
  it('refuses an empty file', async () => {
    const path = await fixture('');
    await expect(detectCsvEncoding(path)).rejects.toThrow('the file is empty');
    await expect(readAll(path)).rejects.toThrow('the file is empty');
  });

  it('refuses a file with only a BOM or blank lines', async () => {
    await expect(readAll(await fixture(UTF8_BOM))).rejects.toThrow('the file is empty');
    await expect(readAll(await fixture('\r\n\r\n'))).rejects.toThrow('the file is empty');
  });

  it('refuses a zip (an .xlsx saved under a .csv name)', async () => {
    const path = await fixture(
      Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('[Content_Types].xml')]),
    );
    await expect(detectCsvEncoding(path)).rejects.toThrow('not a CSV file');
    await expect(readAll(path)).rejects.toThrow('not a CSV file');
  });

  it('refuses binary content with NUL bytes', async () => {
    const path = await fixture(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00]));
    await expect(readAll(path)).rejects.toThrow('not a CSV file');
  });

  it('stops at a quote that is never closed', async () => {
    const path = await fixture('a,b\n1,"never closed\n2,3\n');
    await expect(readAll(path)).rejects.toThrow(/quote/i);
  });
});

describe('readCsvRows: the row limit', () => {
  const lines = (n: number) => ['name', ...Array.from({ length: n }, (_, i) => `Company ${i}`)].join('\n');

  it('reads a file of exactly maxRows rows below the header', async () => {
    expect(await readAllWithin(await fixture(lines(3)), 3)).toHaveLength(4);
  });

  it('stops at the row one past maxRows', async () => {
    const error = await readAllWithin(await fixture(lines(4)), 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceeded);
    expect(error).toMatchObject({ limit: 'rows', max: 3 });
  });

  it('refuses a row of more than 1,000 cells', async () => {
    await expect(readAllWithin(await fixture(`name${','.repeat(1000)}\nx`), 10)).rejects.toMatchObject({
      limit: 'columns',
    });
  });
});

async function readAllWithin(path: string, maxRows: number): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(path, { maxRows })) rows.push(row);
  return rows;
}
