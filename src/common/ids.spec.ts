import { describe, expect, it } from 'vitest';
import { NotFound } from './errors.js';
import { IdPipe, parseId } from './ids.js';

describe('parseId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
    [7, 7],
  ])('reads %j as %j', (input, id) => expect(parseId(input)).toBe(id));

  it.each([
    '0',
    '-1',
    '01',
    'abc',
    '1.5',
    '1e3',
    ' 1',
    '2147483648',
    '99999999999999999999',
    '',
    0,
    1.5,
    null,
  ])('refuses %j', (input) => expect(parseId(input)).toBeNull());
});

describe('IdPipe', () => {
  it('answers a malformed or oversized id with NotFound', () => {
    const pipe = new IdPipe();
    expect(pipe.transform('12')).toBe(12);
    expect(() => pipe.transform('abc')).toThrow(NotFound);
    expect(() => pipe.transform('99999999999999999999')).toThrow(NotFound);
  });
});
