import { Injectable, type PipeTransform } from '@nestjs/common';
import { NotFound } from './errors.js';

/** The largest id a PostgreSQL `integer` column holds. */
const MAX_ID = 2_147_483_647;

/** A record id from an address or a form: a positive integer a column can hold, else null. */
export function parseId(value: unknown): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value > 0 && value <= MAX_ID ? value : null;
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= MAX_ID ? id : null;
}

/**
 * For ids in routes: `/customers/abc` and `/customers/99999999999999999999` name no record, so they
 * answer 404 like any record that does not exist, never a 400 or a 500.
 */
@Injectable()
export class IdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    const id = parseId(value);
    if (id === null) throw new NotFound();
    return id;
  }
}
