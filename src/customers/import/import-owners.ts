/**
 * Who each imported customer will belong to. A user who may not choose owners (a rep) imports
 * customers of their own; one who may (a manager, an admin) names the owner in a column, by e-mail or
 * name, among those they may assign, or leaves the cell empty for the public pool.
 */
import type { RowValues } from './import-rules.js';

/** How owners named in the file are found: by lower-case e-mail or name, or none may be named. */
export type OwnerLookup = { importerOwns: number } | { byKey: Map<string, number> };

/**
 * The lookup for `assignable` users (with their e-mails). A name two of them share names neither:
 * the row must give the e-mail.
 */
export function ownerLookup(assignable: { id: number; name: string; email: string }[]): OwnerLookup {
  const byKey = new Map<string, number>();
  const names = new Map<string, number>();
  for (const u of assignable) {
    const name = u.name.toLowerCase();
    names.set(name, names.has(name) ? -1 : u.id);
  }
  for (const [name, id] of names) if (id > 0) byKey.set(name, id);
  for (const u of assignable) byKey.set(u.email.toLowerCase(), u.id);
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
    const named = typeof row.values.owner === 'string' ? row.values.owner.toLowerCase() : '';
    if (named) {
      const found = owners.byKey.get(named);
      if (found === undefined) row.errors.owner = 'import.unknown_owner';
      else ownerId = found;
    }
  }
  row.values.ownerId = ownerId === null ? null : String(ownerId);
  return row;
}
