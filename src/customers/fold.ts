/**
 * Text as people type it into a spreadsheet or a form, with its full-width forms folded to the
 * ordinary ones (NFKC): １３８ → 138, ＋８６ → +86, （０１０） → (010), ＡＢＣ → ABC, ａ＠ｂ．ｃｎ → a@b.cn.
 * Every rule on mobiles, phones, codes, e-mails and option values reads the folded text.
 */
export function foldWidth(text: string): string {
  return text.normalize('NFKC');
}
