import { describe, expect, it } from 'vitest';
import { pageParam, toPage } from './pagination.js';

describe('pagination', () => {
  it('reads a page number defensively', () => {
    expect(['2', '0', '-1', 'x', undefined, '1.5', '99999999'].map(pageParam)).toEqual([2, 1, 1, 1, 1, 1, 1]);
  });

  it('describes the rows shown', () => {
    expect(toPage(['a', 'b'], 27, 2, 25)).toMatchObject({ from: 26, to: 27, prev: 1, next: null });
    expect(toPage([], 0, 1, 25)).toMatchObject({ from: 0, to: 0, prev: null, next: null });
  });
});
