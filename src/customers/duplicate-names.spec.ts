import { describe, expect, it } from 'vitest';
import { DuplicatesFound, nameLikeness } from './duplicates.js';

const candidate = (name: string, sameName: boolean, similarName: boolean) => ({
  id: 1,
  name,
  ownerId: null,
  ownerName: null,
  sameName,
  similarName,
  sameContact: false,
});

describe('nameLikeness', () => {
  it('calls a name the same only when it is written the same (width, case, spaces and brackets aside)', () => {
    expect(nameLikeness('北京华信科技有限公司', candidate('北京华信科技有限公司', true, false))).toBe('same');
    expect(nameLikeness('华信科技(北京)有限公司', candidate('华信科技（北京）有限公司', true, false))).toBe(
      'same',
    );
    expect(nameLikeness('Acme  Trading', candidate('ACME Trading', true, false))).toBe('same');
  });

  it('calls the same key written otherwise, or a name alike, similar', () => {
    expect(nameLikeness('北京华信科技有限公司', candidate('华信科技（上海）有限公司', true, false))).toBe(
      'similar',
    );
    expect(nameLikeness('北京华信科技有限公司', candidate('北京华信科技股份有限公司', true, false))).toBe(
      'similar',
    );
    expect(nameLikeness('北京华信科技有限公司', candidate('北京华信网络科技有限公司', false, true))).toBe(
      'similar',
    );
  });

  it('gives no name label to a customer found by its contact only', () => {
    expect(nameLikeness('北京华信科技有限公司', candidate('上海远达物流有限公司', false, false))).toBeNull();
  });

  it('labels the candidates the form lists', () => {
    const found = new DuplicatesFound(
      [candidate('北京华信科技股份有限公司', true, false)],
      false,
      false,
      '北京华信科技有限公司',
    );
    expect(found.details.duplicates).toEqual([
      expect.objectContaining({ sameName: false, similarName: true }),
    ]);
  });
});
