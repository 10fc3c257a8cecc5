/**
 * A small, fast XML reader for the parts of an .xlsx file, fed text chunk by chunk. Spreadsheet XML
 * is plain (elements, attributes, text, the odd CDATA section or comment, no DTD), so this reads just
 * that, with indexOf rather than a character-by-character state machine: a 100,000-row sheet is
 * several times faster than through a general SAX parser. Damage it notices — an element closed that
 * is not open, one never closed, an unknown entity — throws.
 */

export interface XmlTag {
  /** As written, with any namespace prefix (`x:row`). */
  name: string;
  attributes: Record<string, string>;
}

export interface XmlHandlers {
  open(tag: XmlTag): void;
  close(name: string): void;
  text(text: string): void;
}

/** Anything longer than this without a tag ending is damage, not a cell. */
const MAX_PENDING = 1024 * 1024;

/** Spreadsheet XML nests a few elements deep; thousands of open elements are built to fill memory. */
const MAX_DEPTH = 256;

/** What follows `<` may be `<!--` or `<![CDATA[`: a piece cut shorter than that waits for more text. */
const LONGEST_OPENER = '<![CDATA['.length;

export class XmlDamaged extends Error {}

export class XmlScanner {
  private pending = '';
  private readonly openNames: string[] = [];

  constructor(private readonly handlers: XmlHandlers) {}

  write(chunk: string): void {
    this.scan(this.pending + chunk, false);
  }

  /** The end of the text: everything opened must have been closed. */
  close(): void {
    this.scan(this.pending, true);
    if (this.pending.trim() !== '' || this.openNames.length > 0) {
      throw new XmlDamaged(`<${this.openNames.at(-1) ?? '?'}> is never closed`);
    }
  }

  private scan(s: string, final: boolean): void {
    let at = 0;
    for (;;) {
      const lt = s.indexOf('<', at);
      // Text is handed out once its end is known, so an entity is never cut in two.
      if (lt < 0) break;
      if (lt > at) this.handlers.text(decode(s.slice(at, lt)));
      at = lt;
      if (!final && s.length - lt < LONGEST_OPENER) break;
      let end: number;
      const next = s.charCodeAt(lt + 1);
      if (next !== 33 /* ! */ && next !== 63 /* ? */) {
        // An element's start or end tag: by far the most common.
        end = tagEnd(s, lt);
        if (end < 0) break;
        this.tag(s, lt + 1, end);
        end += 1;
      } else if (s.startsWith('<!--', lt)) {
        end = s.indexOf('-->', lt + 4);
        if (end < 0) break;
        end += 3;
      } else if (s.startsWith('<![CDATA[', lt)) {
        end = s.indexOf(']]>', lt + 9);
        if (end < 0) break;
        this.handlers.text(s.slice(lt + 9, end));
        end += 3;
      } else {
        // The XML declaration, a processing instruction or a doctype: nothing to read.
        end = s.indexOf('>', lt);
        if (end < 0) break;
        end += 1;
      }
      at = end;
    }
    this.pending = s.slice(at);
    if (this.pending.length > MAX_PENDING) throw new XmlDamaged('a tag or text is longer than 1 MB');
  }

  /** The tag whose inside (between `<` and `>`) is s[from, to). */
  private tag(s: string, from: number, to: number): void {
    if (s.charCodeAt(from) === 47 /* / */) {
      let end = to;
      while (end > from && s.charCodeAt(end - 1) <= 32) end--;
      const name = s.slice(from + 1, end);
      if (this.openNames.pop() !== name) throw new XmlDamaged(`</${name}> closes nothing open`);
      this.handlers.close(name);
      return;
    }
    const selfClosing = s.charCodeAt(to - 1) === 47;
    const bodyEnd = selfClosing ? to - 1 : to;
    let nameEnd = from;
    while (nameEnd < bodyEnd && s.charCodeAt(nameEnd) > 32) nameEnd++;
    const name = s.slice(from, nameEnd);
    if (!name) throw new XmlDamaged('a tag without a name');
    const attributes = nameEnd < bodyEnd ? attributesOf(s.slice(nameEnd, bodyEnd)) : NO_ATTRIBUTES;
    this.handlers.open({ name, attributes });
    if (selfClosing) this.handlers.close(name);
    else if (this.openNames.push(name) > MAX_DEPTH)
      throw new XmlDamaged(`elements nested deeper than ${MAX_DEPTH}`);
  }
}

/** The attributes of a tag that has none (most of a sheet's tags: `<v>`, `</c>`), shared. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

/**
 * The attributes in a tag's body (after its name): each `name="value"` or `name='value'`, spaces
 * allowed around `=`; anything else between them is passed over. Read with indexOf rather than a
 * regular expression: a sheet has a tag with attributes per cell.
 */
function attributesOf(body: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let at = 0; ;) {
    const eq = body.indexOf('=', at);
    if (eq < 0) return attributes;
    // The name: the characters just before `=` (spaces between them allowed) up to a space.
    let nameEnd = eq;
    while (nameEnd > at && body.charCodeAt(nameEnd - 1) <= 32) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > at && body.charCodeAt(nameStart - 1) > 32 && body.charCodeAt(nameStart - 1) !== 61)
      nameStart--;
    let open = eq + 1;
    while (open < body.length && body.charCodeAt(open) <= 32) open++;
    const quote = body.charCodeAt(open);
    if (quote !== 34 /* " */ && quote !== 39 /* ' */) {
      at = eq + 1;
      continue;
    }
    const close = body.indexOf(quote === 34 ? '"' : "'", open + 1);
    if (close < 0) return attributes;
    if (nameEnd > nameStart) attributes[body.slice(nameStart, nameEnd)] = decode(body.slice(open + 1, close));
    at = close + 1;
  }
}

/** Where the tag starting at `lt` ends (its `>`, not one inside a quoted attribute), or -1 if not yet. */
function tagEnd(s: string, lt: number): number {
  for (let i = lt + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 62 /* > */) return i;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = s.indexOf(c === 34 ? '"' : "'", i + 1);
      if (close < 0) return -1;
      i = close;
    }
  }
  return -1;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text with its character and entity references resolved. */
function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlDamaged('a bare & in text');
    if (ref[0] !== '#') {
      const named = NAMED[ref];
      if (named === undefined) throw new XmlDamaged(`unknown entity ${whole}`);
      return named;
    }
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!(code > 0 && code <= 0x10ffff)) throw new XmlDamaged(`bad character reference ${whole}`);
    return String.fromCodePoint(code);
  });
}
