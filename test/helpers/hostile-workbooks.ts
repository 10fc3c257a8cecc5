import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';

/**
 * Workbooks built to hurt a reader: parts given as pieces of text (a generator), deflated as they
 * come, so a part that inflates to hundreds of megabytes is written without ever being held whole.
 */
export type Pieces = () => Iterable<string>;

interface Deflated {
  name: Buffer;
  data: Buffer;
  crc: number;
  size: number;
}

async function deflate(name: string, pieces: Pieces): Promise<Deflated> {
  const deflater = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflater.on('data', (d: Buffer) => out.push(d));
  const done = once(deflater, 'end');
  let crc = 0;
  let size = 0;
  let pending = '';
  const flush = async () => {
    const bytes = Buffer.from(pending, 'utf8');
    pending = '';
    crc = crc32(bytes, crc);
    size += bytes.length;
    if (!deflater.write(bytes)) await once(deflater, 'drain');
  };
  for (const piece of pieces()) {
    pending += piece;
    if (pending.length >= 1 << 20) await flush();
  }
  await flush();
  deflater.end();
  await done;
  return { name: Buffer.from(name, 'utf8'), data: Buffer.concat(out), crc, size };
}

/** Writes a zip of deflated entries (sizes under 4 GB, no zip64) to `path`. */
export async function writeZip(path: string, entries: Record<string, Pieces>): Promise<void> {
  const file = createWriteStream(path);
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [entryName, pieces] of Object.entries(entries)) {
    const e = await deflate(entryName, pieces);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(e.name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(e.crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(e.name.length, 28);
    central.writeUInt32LE(offset, 42);
    file.write(local);
    file.write(e.name);
    file.write(e.data);
    centrals.push(central, e.name);
    offset += local.length + e.name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  const count = Object.keys(entries).length;
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  file.write(directory);
  file.end(end);
  await once(file, 'close');
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Text given once, as pieces. */
export const text =
  (s: string): Pieces =>
  () => [s];

/** `piece` repeated `times` times, between `before` and `after`. */
export const repeated = (before: string, piece: string, times: number, after: string): Pieces =>
  function* () {
    yield before;
    // In runs of pieces, so the generator itself stays quick.
    const run = piece.repeat(Math.max(1, Math.floor(65_536 / piece.length)));
    const perRun = run.length / piece.length;
    let left = times;
    for (; left >= perRun; left -= perRun) yield run;
    yield piece.repeat(left);
    yield after;
  };

/**
 * A workbook whose first sheet's `<sheetData>` content and shared strings' content (inside `<sst>`)
 * are the pieces given.
 */
export async function writeHostileWorkbook(
  path: string,
  parts: { sheetData: Pieces; sharedStrings?: Pieces },
): Promise<void> {
  const wrap = (before: string, inner: Pieces, after: string): Pieces =>
    function* () {
      yield before;
      yield* inner();
      yield after;
    };
  await writeZip(path, {
    'xl/workbook.xml': text(
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': text(
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    ...(parts.sharedStrings && {
      'xl/sharedStrings.xml': wrap(
        `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}">`,
        parts.sharedStrings,
        '</sst>',
      ),
    }),
    'xl/worksheets/sheet1.xml': wrap(
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>`,
      parts.sheetData,
      '</sheetData></worksheet>',
    ),
  });
}

/** A plain two-row sheet that refers to shared strings 0 and 1 (the header and a customer). */
export const SHEET_WITH_TWO_SHARED: Pieces = text(
  '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>',
);
