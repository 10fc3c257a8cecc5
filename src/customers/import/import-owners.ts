/**
 * Who each imported customer will belong to. A user who may not choose owners (a rep) imports
 * customers of their own; one who may (a manager, an admin) names the owner in a column, by e-mail or
 * name, among those they may assign, or leaves the cell empty for the public pool.
 */
import type { RowValues } from './import-rules.js';

/**
 * How owners named in the file are found: by lower-case e-mail or name (the export writes the name),
 * or none may be named. A name two users share maps to AMBIGUOUS.
 */
export type OwnerLookup = { importerOwns: number } | { byKey: Map<string, number> };

const AMBIGUOUS = -1;

/** A name or e-mail as the lookup keys it: full-width forms folded, trimmed, lower case. */
const ownerKey = (text: string) => text.normalize('NFKC').trim().toLowerCase();

/**
 * The lookup for `assignable` users (with their e-mails). A name two of them share names neither:
 * the row must give the e-mail, and is told so.
 */
export function ownerLookup(assignable: { id: number; name: string; email: string }[]): OwnerLookup {
  const byKey = new Map<string, number>();
  for (const u of assignable) {
    const name = ownerKey(u.name);
    byKey.set(name, byKey.has(name) ? AMBIGUOUS : u.id);
  }
  for (const u of assignable) byKey.set(ownerKey(u.email), u.id);
  return { byKey };
}

/** Settles a checked row's owner (`values.ownerId`), or gives the row an error for an unknown one. */
export function settleOwner(
  row: { values: RowValues; errors: Record<string, string> },
  owners: OwnerLookup,
): { values: RowValues; errors: Record<string, string> } {
  let ownerId: number | null = null;
  if ('importerOwns' in owners) ownerId = owners.importerOwns;
  else {
    const named = typeof row.values.owner === 'string' ? ownerKey(row.values.owner) : '';
    if (named) {
      const found = owners.byKey.get(named);
      if (found === undefined) row.errors.owner = 'import.unknown_owner';
      else if (found === AMBIGUOUS) row.errors.owner = 'import.ambiguous_owner';
      else ownerId = found;
    }
  }
  row.values.ownerId = ownerId === null ? null : String(ownerId);
  return row;
}
