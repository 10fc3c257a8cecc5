/** (filtersUsed filter): whether any list filter other than sort and cursors is set. */
export function filtersUsed(filter: unknown, ...rest: unknown[]): boolean {
  if (rest.length !== 1 || typeof filter !== 'object' || filter === null)
    throw new Error('filtersUsed takes the filter object');
  return Object.entries(filter).some(
    ([k, v]) => k !== 'sort' && k !== 'after' && k !== 'before' && v !== undefined && v !== null && v !== '',
  );
}
