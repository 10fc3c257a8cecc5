import { describe, expect, it } from 'vitest';
import { XmlDamaged, XmlScanner } from './xml-scanner.js';

/** Every event the scanner gives, as a line, with adjacent text joined. */
function events(pieces: string[]): string[] {
  const out: string[] = [];
  const scanner = new XmlScanner({
    open: (tag) => out.push(`<${tag.name}${JSON.stringify(tag.attributes)}`),
    close: (name) => out.push(`</${name}`),
    text: (text) => {
      if (out.at(-1)?.startsWith('"')) out[out.length - 1] = JSON.stringify(JSON.parse(out.at(-1)!) + text);
      else out.push(JSON.stringify(text));
    },
  });
  for (const piece of pieces) scanner.write(piece);
  scanner.close();
  return out;
}

const XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
  '<x:sheetData xmlns:x="urn:x"><!-- a comment with <c> inside -->' +
  `<x:row r="1" spans='1:3'><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>A &amp; B &lt;&#x4E2D;&#25991;&gt;</t></is></c>` +
  '<c r="C1" t="str" x="a>b"/><c r="D1"><v><![CDATA[<raw> & ]]></v></c></x:row></x:sheetData>';

const EVENTS = [
  '"\\r\\n"',
  '<x:sheetData{"xmlns:x":"urn:x"}',
  '<x:row{"r":"1","spans":"1:3"}',
  '<c{"r":"A1","t":"s"}',
  '<v{}',
  '"0"',
  '</v',
  '</c',
  '<c{"r":"B1","t":"inlineStr"}',
  '<is{}',
  '<t{}',
  '"A & B <中文>"',
  '</t',
  '</is',
  '</c',
  '<c{"r":"C1","t":"str","x":"a>b"}',
  '</c',
  '<c{"r":"D1"}',
  '<v{}',
  '"<raw> & "',
  '</v',
  '</c',
  '</x:row',
  '</x:sheetData',
];

describe('XmlScanner', () => {
  it('reads elements, attributes, entities, character references, comments and CDATA', () => {
    expect(events([XML])).toEqual(EVENTS);
  });

  it('gives the same events wherever the text is cut into two pieces', () => {
    for (let cut = 0; cut <= XML.length; cut++) {
      expect(events([XML.slice(0, cut), XML.slice(cut)]), `cut at ${cut}`).toEqual(EVENTS);
    }
  });

  it('refuses damaged XML', () => {
    expect(() => events(['<a><b></a>'])).toThrow(XmlDamaged);
    expect(() => events(['<a><b>'])).toThrow('<b> is never closed');
    expect(() => events(['<a>&nbsp;</a>'])).toThrow('unknown entity');
    expect(() => events(['<a>fish & chips</a>'])).toThrow(XmlDamaged);
    expect(() => events(['<a><b'])).toThrow(XmlDamaged);
  });
});

describe('XmlScanner: nesting', () => {
  it('refuses elements nested deeper than any spreadsheet nests them', () => {
    const scanner = new XmlScanner({ open: () => undefined, close: () => undefined, text: () => undefined });
    expect(() => scanner.write('<a>'.repeat(1000))).toThrow(XmlDamaged);
  });
});
