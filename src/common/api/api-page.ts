import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationFailed } from '../errors.js';
import { decodeCursor } from '../list-cursor.js';
import { keyed } from '../validation.js';

export const API_PAGE_DEFAULT = 25;
export const API_PAGE_MAX = 100;

/** Cursor pagination of every API list: `?cursor=<next of the previous answer>&limit=<1–100>`. */
export class ApiPageQuery {
  @ApiProperty({ required: false, description: 'The `next` of the previous page; none for the first page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiProperty({
    required: false,
    type: 'integer',
    minimum: 1,
    maximum: API_PAGE_MAX,
    default: API_PAGE_DEFAULT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1, { message: keyed('validation.min', 'min') })
  @Max(API_PAGE_MAX, { message: keyed('validation.max', 'max') })
  limit?: number;
}

/** One page of an API list: its records and the cursor of the next page (null: this is the last). */
export interface ApiPage<T> {
  data: T[];
  next: string | null;
}

/** An ISO 8601 time with its offset (UTC, `Z`), or null. */
export const isoTime = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/**
 * The id the page of a list by id starts after: 0 without a cursor (the first page). A cursor Kehu
 * did not give (mangled, or a record id of nothing) is refused, rather than read as the first page,
 * so that a client paging with it never starts over unaware.
 */
export function afterIdOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  const id = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isSafeInteger(id) || id < 1 || cursorAfter(id) !== cursor)
    throw ValidationFailed.field('cursor', 'api.cursor_invalid');
  return id;
}

/**
 * The cursor of a list paged by its sort (customers, a ticket queue), as the list reads it; one that
 * no page gave is refused here, where the pages' own links would start the list over.
 */
export function sortCursorOf(cursor: string | undefined): string | undefined {
  if (cursor && decodeCursor(cursor, 'text') === null)
    throw ValidationFailed.field('cursor', 'api.cursor_invalid');
  return cursor;
}

/** The cursor of the page after the one ending with record `id`, of a list by id. */
export const cursorAfter = (id: number): string => Buffer.from(String(id)).toString('base64url');
