import { describe, expect, it } from 'vitest';
import { QUEUE_COUNT_CAP, queueCountText } from './queue-count.js';

describe('queueCountText', () => {
  it('shows a count up to the cap as it is, and "99+" past it', () => {
    expect(queueCountText(0)).toBe(0);
    expect(queueCountText(QUEUE_COUNT_CAP)).toBe(99);
    expect(queueCountText(QUEUE_COUNT_CAP + 1)).toBe('99+');
  });
});
