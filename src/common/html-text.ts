const ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  quot: '"',
  '#x27': "'",
  '#x3D': '=',
  '#x60': '`',
  amp: '&',
  nbsp: ' ',
};

/**
 * The plain-text part of a mail: tags dropped, a link's address kept on the line after its words (a
 * mail read as text, or in the outbox, still leads to the page), Handlebars' escapes undone, blank
 * lines folded.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_, href: string, words: string) => {
      const label = words.replace(/<[^>]+>/g, '').trim();
      return label && label !== href ? `${label}\n${href}` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h\d|li)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(lt|gt|quot|#x27|#x3D|#x60|amp|nbsp);/g, (_, name: string) => ENTITIES[name])
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
