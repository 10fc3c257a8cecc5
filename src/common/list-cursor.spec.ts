import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './list-cursor.js';

describe('list cursors', () => {
  it('read back the sort value and id they were made of', () => {
    expect(decodeCursor(encodeCursor('2026-12-01T08:30:00.000Z', 42), 'timestamptz')).toEqual([
      '2026-12-01T08:30:00.000Z',
      42,
    ]);
    expect(decodeCursor(encodeCursor('2026-12-01', 7), 'date')).toEqual(['2026-12-01', 7]);
    expect(decodeCursor(encodeCursor('123456.78', 3), 'numeric')).toEqual(['123456.78', 3]);
  });

  it('keep the endless times a sort puts first or last (a ticket without a due time)', () => {
    expect(decodeCursor(encodeCursor('infinity', 9), 'timestamptz')).toEqual(['infinity', 9]);
    expect(decodeCursor(encodeCursor('-infinity', 9), 'timestamptz')).toEqual(['-infinity', 9]);
  });

  it('answer null for a mangled cursor or a value of the wrong type, so the list starts over', () => {
    expect(decodeCursor('not base64 json', 'timestamptz')).toBeNull();
    expect(decodeCursor(encodeCursor('yesterday', 1), 'timestamptz')).toBeNull();
    expect(decodeCursor(encodeCursor('2026-12-01', 1.5), 'date')).toBeNull();
    expect(decodeCursor(encodeCursor('1e9', 1), 'numeric')).toBeNull();
    expect(decodeCursor(encodeCursor("2026-12-01'; DROP TABLE ticket; --", 1), 'date')).toBeNull();
  });
});
