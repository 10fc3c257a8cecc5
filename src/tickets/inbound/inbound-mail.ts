import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';

export interface InboundMailAddress {
  /** Lower-cased. */
  address: string;
  /** The display name, '' when the header gave none. */
  name: string;
}

export interface InboundAttachment {
  /** As the sender named it (RFC 2231 and RFC 2047 names decoded); `attachment` when unnamed. */
  filename: string;
  /** As the sender declared it: never trust it for serving, see sniffContentType. */
  contentType: string;
  size: number;
  content: Buffer;
}

/** An inbound mail as the ticket service takes it: decoded, the quoted conversation folded away. */
export interface InboundMail {
  /** The Message-ID with its angle brackets, null when the mail has none. */
  messageId: string | null;
  inReplyTo: string | null;
  /** The References header's Message-IDs, oldest first. */
  references: string[];
  /** The From header (falling back on the SMTP envelope's sender); null when there is neither. */
  from: InboundMailAddress | null;
  to: InboundMailAddress[];
  cc: InboundMailAddress[];
  subject: string;
  /** The ticket a reply is about, from a tag such as [T-000123] in the subject (123); null when none. */
  ticketNumber: number | null;
  /** What the sender wrote: plain text (HTML-only mail converted), the quoted earlier mails folded away. */
  body: string;
  /** The folded-away quoted conversation, '' when there was none. */
  quoted: string;
  attachments: InboundAttachment[];
  /** When Kehu received the mail: the start of the SLA clock (a mail's own Date header is the sender's word). */
  receivedAt: Date;
  /** An out-of-office reply, a bounce or other mail sent by a machine: never opens a ticket, never answered. */
  autoReply: boolean;
}

/** HTML parts longer than this are not converted to text (a hostile mail could make conversion very slow). */
const MAX_HTML_CHARS = 2_000_000;

/** Parses a mail's raw bytes (as received over SMTP) into an InboundMail. Never throws on bad MIME. */
export async function parseInboundMail(raw: Buffer, receivedAt: Date = new Date()): Promise<InboundMail> {
  let parsed = await parse(raw);
  const repaired = !hasContent(parsed) ? withUsedBoundary(raw, parsed) : null;
  if (repaired) parsed = await parse(repaired);

  const subject = (parsed.subject ?? '').trim();
  const from = addresses(parsed.from)[0] ?? null;
  const { body, quoted } = foldQuoted(parsed.text ?? '');
  return {
    messageId: parsed.messageId ?? null,
    inReplyTo: firstId(parsed.inReplyTo),
    references: ids(parsed.references),
    from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject,
    ticketNumber: ticketNumberIn(subject),
    body,
    quoted,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename?.trim() || 'attachment',
      contentType: a.contentType.toLowerCase(),
      size: a.content.length,
      content: a.content,
    })),
    receivedAt,
    autoReply: isAutoReply(parsed.headers, subject, from?.address ?? ''),
  };
}

function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, {
    skipImageLinks: true,
    skipTextToHtml: true,
    maxHtmlLengthToParse: MAX_HTML_CHARS,
  });
}

function hasContent(m: ParsedMail): boolean {
  return Boolean(m.text?.trim() || m.html || m.attachments.length);
}

/**
 * A multipart mail whose parts use another boundary than its Content-Type declares (a broken mailer,
 * a mangling gateway) parses as empty. When the body's first `--boundary` line names another
 * boundary, the raw mail with that boundary declared instead; null when there is nothing to repair.
 */
function withUsedBoundary(raw: Buffer, m: ParsedMail): Buffer | null {
  const type = m.headers.get('content-type');
  if (!isStructured(type) || !type.value.startsWith('multipart/')) return null;
  const declared = type.params.boundary;
  const text = raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  if (!end || !declared) return null;
  const head = text.slice(0, end.index);
  const rest = text.slice(end.index);
  const used = /^--([0-9A-Za-z'()+_,\-./:=?]{1,70})\s*$/m.exec(rest)?.[1];
  if (!used || used === declared || used.endsWith('--')) return null;
  const fixed = head.replace(/(boundary\s*=\s*)("[^"]*"|[^\s;]+)/i, (_all, p: string) => `${p}"${used}"`);
  return fixed === head ? null : Buffer.from(fixed + rest, 'latin1');
}

function isStructured(v: HeaderValue | undefined): v is { value: string; params: Record<string, string> } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'value' in v && 'params' in v;
}

function addresses(header: AddressObject | AddressObject[] | undefined): InboundMailAddress[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return objects
    .flatMap((o) => o.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .filter((a) => a.address && a.address.includes('@'))
    .map((a) => ({ address: a.address!.trim().toLowerCase(), name: (a.name ?? '').trim() }));
}

function ids(value: string | string[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
}

function firstId(value: string | undefined): string | null {
  return ids(value)[0] ?? null;
}

/** [T-000123], also full-width ［T－000123］ and 【T-000123】, anywhere in the subject (after Re: 回复: …). */
const TICKET_TAG = /[[［【]\s*T\s*[-－‐]\s*(\d{1,9})\s*[\]］】]/i;

/** The ticket number a subject's tag names, or null. */
export function ticketNumberIn(subject: string): number | null {
  const m = TICKET_TAG.exec(subject);
  return m ? Number(m[1]) : null;
}

/** Subjects that out-of-office and other automatic replies start with, in the mail clients Kehu's customers use. */
const AUTO_SUBJECT = /^\s*(auto:|automatic reply|autoreply|out of office|自动回复|自动答复|休假)/i;
/** Precedence values that mark mail no person wrote to us. */
const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'auto_reply', 'list']);
/** Senders that only ever send bounces and delivery reports. */
const DAEMON_SENDER = /^(mailer-daemon|postmaster)@/i;

/**
 * Whether a mail was sent by a machine rather than a person: an out-of-office or other automatic
 * reply (RFC 3834 Auto-Submitted, the X-Autoreply family, Precedence, the subjects clients use), a
 * mailing list's mail, or a bounce (multipart/report, MAILER-DAEMON). Answering one could start a
 * mail loop; opening a ticket for one would fill the queue with noise.
 */
function isAutoReply(headers: Map<string, HeaderValue>, subject: string, from: string): boolean {
  const text = (name: string): string | null => {
    const v = headers.get(name);
    if (v === undefined) return null;
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') return first.trim().toLowerCase();
    return isStructured(first) ? first.value.trim().toLowerCase() : '';
  };
  const autoSubmitted = text('auto-submitted');
  if (autoSubmitted !== null && autoSubmitted.split(';')[0].trim() !== 'no') return true;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const v = text(name);
    if (v !== null && v !== 'no' && v !== 'false') return true;
  }
  const precedence = text('precedence');
  if (precedence !== null && BULK_PRECEDENCE.has(precedence)) return true;
  const list = headers.get('list');
  if (precedence !== null && typeof list === 'object' && list !== null && 'id' in list) return true;
  if (DAEMON_SENDER.test(from)) return true;
  if (text('content-type') === 'multipart/report') return true;
  return AUTO_SUBJECT.test(subject);
}

/** A quoted mail's separator line: QQ Mail / Foxmail, Outlook and others. */
const ORIGINAL_SEPARATOR = /^-{2,}\s*(原始邮件|原邮件|邮件原文|original message|original)\s*-{2,}$/i;
/** Outlook's rule above its header block. */
const RULE = /^_{10,}$/;
/** The first line of a quoted mail's header block, in Chinese and English (Outlook, Foxmail, QQ Mail). */
const HEADER_FROM = /^\*?(发件人|寄件者|from)\s*\*?\s*[:：]/i;
const HEADER_OTHER =
  /^\*?(发送时间|发送日期|时间|日期|寄件日期|收件人|收件者|抄送|主题|主旨|sent|date|to|cc|subject)\s*\*?\s*[:：]/i;
/** The attribution line above a quoted mail: "On … wrote:", "在 … 写道：", "张伟 <…> 于2026年11月30日 … 写道：". */
const WROTE = /(wrote|写道)\s*[:：]$/i;
const WROTE_START = /^(on\s|在\s*\S|.{0,120}于\s*\d{4}\s*年)/i;

/**
 * Splits a reply's text into what the sender wrote and the earlier conversation their client quoted
 * below it (from the first quoted-mail marker on, plus any ">" lines). Whitespace is tidied: no
 * trailing spaces, non-breaking spaces as spaces, at most one blank line in a row.
 */
export function foldQuoted(text: string): { body: string; quoted: string } {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((l) => l.trimEnd());
  const start = quoteStart(lines);
  const own = lines.slice(0, start);
  const quotedLines = [...own.filter((l) => l.trimStart().startsWith('>')), ...lines.slice(start)];
  return {
    body: tidy(own.filter((l) => !l.trimStart().startsWith('>'))),
    quoted: tidy(quotedLines),
  };
}

function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (ORIGINAL_SEPARATOR.test(line)) return i;
    if (RULE.test(line) && headerBlockAt(lines, nextFilled(lines, i + 1))) return i;
    if (headerBlockAt(lines, i)) return i;
    if (WROTE.test(line)) {
      // Attributions are often wrapped over two or three lines: start at the line that opens it.
      for (let back = 0; back <= 2 && i - back >= 0; back++) {
        const first = lines[i - back].trim();
        if (first === '') break;
        if (WROTE_START.test(first)) return i - back;
      }
    }
  }
  return lines.length;
}

function nextFilled(lines: string[], from: number): number {
  let i = from;
  while (i < lines.length && lines[i].trim() === '') i++;
  return i;
}

/** A "From:" line followed closely by at least two more of a quoted mail's header lines. */
function headerBlockAt(lines: string[], i: number): boolean {
  if (i >= lines.length || !HEADER_FROM.test(lines[i].trim())) return false;
  const following = lines.slice(i + 1, i + 7).filter((l) => HEADER_OTHER.test(l.trim()));
  return following.length >= 2;
}

function tidy(lines: string[]): string {
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The type a file's first bytes show, for the few kinds worth telling apart when checking what a
 * sender declared (a program sent as invoice.pdf); null when unknown.
 */
export function sniffContentType(content: Buffer): string | null {
  const starts = (sig: number[], at = 0) => sig.every((b, k) => content[at + k] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (starts([0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'application/zip';
  if (starts([0x4d, 0x5a])) return 'application/x-msdownload';
  if (starts([0x7f, 0x45, 0x4c, 0x46])) return 'application/x-executable';
  return null;
}
