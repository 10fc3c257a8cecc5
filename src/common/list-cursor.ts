/**
 * A list's cursor: the sort value and id of the row a page starts after (or before), as an opaque
 * string in the address. Every list paged by cursor (customers, deals) reads and writes it here.
 */
export function encodeCursor(value: unknown, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/**
 * The sort value and id of a cursor, or null for a mangled one (the list starts from its first page).
 * The value must read as its sort's type (`cast`), or the database would refuse the page.
 */
export function decodeCursor(cursor: string, cast: string): [string, number] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isInteger(parsed[1])) return null;
    const value = String(parsed[0]);
    if (cast === 'timestamptz' && value !== '-infinity' && Number.isNaN(Date.parse(value))) return null;
    if (cast === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
    if (cast === 'numeric' && !/^\d{1,12}(\.\d{1,2})?$/.test(value)) return null;
    return [value, Number(parsed[1])];
  } catch {
    return null;
  }
}
