export interface Page<T> {
  rows: T[];
  page: number;
  perPage: number;
  total: number;
  /** 1-based positions shown, for "21–40 of 215". */
  from: number;
  to: number;
  prev: number | null;
  next: number | null;
}

/** A page number from the query string: a positive integer, else 1. */
export function pageParam(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 && n < 1_000_000 ? n : 1;
}

export function toPage<T>(rows: T[], total: number, page: number, perPage: number): Page<T> {
  const from = total === 0 ? 0 : (page - 1) * perPage + 1;
  return {
    rows,
    page,
    perPage,
    total,
    from,
    to: Math.min(total, (page - 1) * perPage + rows.length),
    prev: page > 1 ? page - 1 : null,
    next: page * perPage < total ? page + 1 : null,
  };
}
