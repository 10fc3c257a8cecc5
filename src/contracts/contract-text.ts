/**
 * The contract's text from the admin's standard template: placeholders only, never code. The template
 * is plain text in which `{{customer.name}}` and the others of CONTRACT_PLACEHOLDERS are replaced by
 * the contract's values; anything else, `{{#each}}`, `{{constructor}}` or `<script>` included, stays
 * exactly as written. Nothing here produces HTML: the result is a list of blocks of plain text parts
 * (and the lines' table where `{{contract.lines}}` stands) that the print page escapes like any other
 * user text.
 */

export const CONTRACT_PLACEHOLDERS = [
  'customer.name',
  'customer.uscc',
  'customer.address',
  'company.name',
  'company.address',
  'contract.number',
  'contract.amount',
  'contract.amountInWords',
  'contract.startOn',
  'contract.endOn',
  'contract.lines',
  'contract.paymentTerms',
  'contract.paymentPlan',
] as const;
export type ContractPlaceholder = (typeof CONTRACT_PLACEHOLDERS)[number];

/** A placeholder that stands for a table rather than words. */
const TABLES = ['contract.lines'] as const;

/** The values of the text placeholders (the lines' table is given to the page separately). */
export type ContractTextValues = Record<Exclude<ContractPlaceholder, 'contract.lines'>, string>;

/** A run of text; `value` marks one that came from a placeholder (the print page may set it apart). */
export interface TextPart {
  text: string;
  value: boolean;
}

/** A paragraph of text, or the place of the lines' table. */
export type ContractBlock = { kind: 'paragraph'; parts: TextPart[] } | { kind: 'lines' };

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;

const isKnown = (name: string): name is ContractPlaceholder =>
  (CONTRACT_PLACEHOLDERS as readonly string[]).includes(name);

/**
 * The template with its placeholders filled in, as paragraphs (split at blank lines; single line
 * breaks are kept in the text). An unknown placeholder is shown as written.
 */
export function renderContractText(template: string, values: ContractTextValues): ContractBlock[] {
  const blocks: ContractBlock[] = [];
  for (const paragraph of template.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    let parts: TextPart[] = [];
    const text = (t: string, value = false) => {
      if (t) parts.push({ text: t, value });
    };
    const flush = () => {
      const trimmed = trimParts(parts);
      if (trimmed.length) blocks.push({ kind: 'paragraph', parts: trimmed });
      parts = [];
    };
    let last = 0;
    for (const m of paragraph.matchAll(PLACEHOLDER)) {
      text(paragraph.slice(last, m.index));
      last = m.index + m[0].length;
      const name = m[1];
      if (!isKnown(name)) text(m[0]);
      else if ((TABLES as readonly string[]).includes(name)) {
        flush();
        blocks.push({ kind: 'lines' });
      } else text(values[name as keyof ContractTextValues], true);
    }
    text(paragraph.slice(last));
    flush();
  }
  return blocks;
}

/** Drops the blank lines left at the ends of a paragraph (around a table taken out of it). */
function trimParts(parts: TextPart[]): TextPart[] {
  const out = parts.map((p) => ({ ...p }));
  while (out.length && !out[0].value && !out[0].text.trim()) out.shift();
  while (out.length && !out.at(-1)!.value && !out.at(-1)!.text.trim()) out.pop();
  if (out.length && !out[0].value) out[0].text = out[0].text.replace(/^\s*\n/, '');
  if (out.length && !out.at(-1)!.value) out.at(-1)!.text = out.at(-1)!.text.replace(/\n\s*$/, '');
  return out;
}

/** The placeholders a template uses that Kehu does not know (shown to the admin as a warning). */
export function unknownPlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((n) => !isKnown(n)))];
}
