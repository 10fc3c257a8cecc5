import { describe, expect, it } from 'vitest';
import { portalKeys } from './portal-rate-limit.js';

describe('portalKeys', () => {
  it('normalises the addresses: case of e-mails, spacing and +86 of mobiles', () => {
    expect(portalKeys('::1', ' Wang@Example.CN ', '+86 138-0013-8000')).toEqual([
      'ip:::1',
      'email:wang@example.cn',
      'mobile:13800138000',
    ]);
  });
});
