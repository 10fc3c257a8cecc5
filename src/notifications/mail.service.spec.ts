import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from './mail.service.js';

describe('retryDelaySeconds', () => {
  it('doubles from one minute and stops at an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelaySeconds)).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
  });
});
