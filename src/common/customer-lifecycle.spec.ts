import { describe, expect, it } from 'vitest';
import { mergeTimelines, type TimelineItem } from './customer-lifecycle.js';

const item = (at: string, text: string): TimelineItem => ({
  at: new Date(at),
  kind: 'follow_up',
  labelKey: 'follow_up.method.visit',
  by: null,
  counterpart: null,
  text,
  promise: null,
  nextAction: null,
  nextAt: null,
});

describe('mergeTimelines', () => {
  it('puts every source newest first', () => {
    const a = [item('2026-03-03T10:00:00Z', 'a2'), item('2026-03-01T10:00:00Z', 'a1')];
    const b = [item('2026-03-02T10:00:00Z', 'b1'), item('2026-03-04T10:00:00Z', 'b2')];
    expect(mergeTimelines([a, b], 10).map((i) => i.text)).toEqual(['b2', 'a2', 'b1', 'a1']);
  });

  it('keeps entries at the same moment in their source order, on every call', () => {
    const at = '2026-03-03T10:00:00Z';
    const lists = [[item(at, 'first'), item(at, 'second')], [item(at, 'third')]];
    expect(mergeTimelines(lists, 10).map((i) => i.text)).toEqual(['first', 'second', 'third']);
  });

  it('stops at the limit', () => {
    const list = [
      item('2026-03-03T10:00:00Z', 'c'),
      item('2026-03-02T10:00:00Z', 'b'),
      item('2026-03-01T10:00:00Z', 'a'),
    ];
    expect(mergeTimelines([list], 2).map((i) => i.text)).toEqual(['c', 'b']);
  });
});
