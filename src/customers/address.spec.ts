import { describe, expect, it } from 'vitest';
import { wholeAddress } from './address.js';

describe('wholeAddress', () => {
  it('names the region then the street, a municipality once', () => {
    expect(
      wholeAddress({ province: '北京市', city: '北京市', district: '海淀区', address: '科技园路237号' }),
    ).toBe('北京市海淀区科技园路237号');
    expect(
      wholeAddress({ province: '浙江省', city: '杭州市', district: '西湖区', address: '文三路90号' }),
    ).toBe('浙江省杭州市西湖区文三路90号');
  });

  it('takes only the region above where an address typed whole starts', () => {
    const region = { province: '广东省', city: '深圳市', district: '南山区' };
    expect(wholeAddress({ ...region, address: '南山区科苑路8号' })).toBe('广东省深圳市南山区科苑路8号');
    expect(wholeAddress({ ...region, address: '深圳市南山区科苑路8号' })).toBe('广东省深圳市南山区科苑路8号');
    expect(wholeAddress({ ...region, address: '广东省深圳市南山区科苑路8号' })).toBe(
      '广东省深圳市南山区科苑路8号',
    );
  });

  it('leaves out what is not known', () => {
    expect(wholeAddress({ province: '上海市', city: null, district: null, address: null })).toBe('上海市');
    expect(wholeAddress({ province: null, city: null, district: null, address: ' 人民路1号 ' })).toBe(
      '人民路1号',
    );
    expect(wholeAddress({ province: null, city: null, district: null, address: null })).toBe('');
  });
});
