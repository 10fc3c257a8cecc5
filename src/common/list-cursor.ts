/**
 * A list's cursor: the sort value and id of the row a page starts after (or before), as an opaque
 * string in the address. Every list paged by cursor (customers, deals, contracts) reads and writes it here.
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
    if (cast === 'timestamptz' && !/^-?infinity$/.test(value) && Number.isNaN(Date.parse(value))) return null;
    if (cast === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
    if (cast === 'numeric' && !/^\d{1,12}(\.\d{1,2})?$/.test(value)) return null;
    return [value, Number(parsed[1])];
  } catch {
    return null;
  }
}

/** A row of a list statement (README, How it scales): its id, the cursor value, the capped count. */
export interface ListedRow {
  id: number | null;
  total: number;
  cursorValue: unknown;
}

/**
 * One page from what a list statement returned: up to `size` rows (one more was asked for, to know
 * whether another page follows; a row with a null id only carries the count), in the list's order,
 * the cursors of the next and previous pages, and the count capped at `cap`. `back` is a page read
 * backwards from a `before` cursor; `fromCursor` whether the page started from a cursor at all.
 */
export function pageOf<R extends ListedRow>(
  found: R[],
  size: number,
  back: boolean,
  fromCursor: boolean,
  cap: number,
): { rows: R[]; next: string | null; prev: string | null; total: number; capped: boolean } {
  const n = found[0]?.total ?? 0;
  const page = found.filter((r) => r.id !== null);
  const more = page.length > size;
  const rows = page.slice(0, size);
  if (back) rows.reverse();
  const cursorOf = (row: R | undefined) => (row ? encodeCursor(row.cursorValue, row.id!) : null);
  // Forward, a next page exists when a row was left over; back, there is always the page we came from.
  const next = back || more ? cursorOf(rows.at(-1)) : null;
  const prev = back ? (more ? cursorOf(rows[0]) : null) : fromCursor ? cursorOf(rows[0]) : null;
  return { rows, next, prev, total: Math.min(n, cap), capped: n > cap };
}
