import { describe, expect, it } from 'vitest';
import { diffOf } from './audit.service.js';

interface Record {
  name: string;
  tier: string;
  vip: boolean;
  tags: string[];
  ownerId: number | null;
  birthday: Date | null;
  address: string | null;
}

const FIELDS: (keyof Record)[] = ['name', 'tier', 'vip', 'tags', 'ownerId', 'birthday', 'address'];

const stored: Record = {
  name: 'Before Ltd',
  tier: 'C',
  vip: false,
  tags: ['expo', '重点客户'],
  ownerId: 3,
  birthday: new Date('1980-05-01T00:00:00.000Z'),
  address: null,
};

describe('diffOf', () => {
  it('records only the fields that changed, each from and to', () => {
    expect(diffOf<Record>(stored, { ...stored, name: 'After Ltd', tier: 'A' }, FIELDS)).toEqual({
      name: { from: 'Before Ltd', to: 'After Ltd' },
      tier: { from: 'C', to: 'A' },
    });
  });

  it('records nothing when nothing changed', () => {
    expect(diffOf<Record>(stored, { ...stored }, FIELDS)).toEqual({});
  });

  it('compares dates by their value, not by object, and writes them as ISO text', () => {
    const sameDay = { ...stored, birthday: new Date(stored.birthday!.getTime()) };
    expect(diffOf<Record>(stored, sameDay, FIELDS)).toEqual({});
    const moved = { ...stored, birthday: new Date('1980-05-02T00:00:00.000Z') };
    expect(diffOf<Record>(stored, moved, FIELDS)).toEqual({
      birthday: { from: '1980-05-01T00:00:00.000Z', to: '1980-05-02T00:00:00.000Z' },
    });
  });

  it('compares arrays by their items, in order', () => {
    expect(diffOf<Record>(stored, { ...stored, tags: ['expo', '重点客户'] }, FIELDS)).toEqual({});
    expect(diffOf<Record>(stored, { ...stored, tags: ['expo'] }, FIELDS)).toEqual({
      tags: { from: '["expo","重点客户"]', to: '["expo"]' },
    });
  });

  it('treats a missing value as none: null to a value, a value to null, and null to missing as unchanged', () => {
    expect(diffOf<Record>(stored, { ...stored, address: '人民路 8 号', ownerId: null }, FIELDS)).toEqual({
      address: { from: null, to: '人民路 8 号' },
      ownerId: { from: 3, to: null },
    });
    const { address: _none, ...withoutAddress } = stored;
    expect(diffOf<Record>(stored, withoutAddress, FIELDS)).toEqual({});
  });

  it('keeps false and 0 apart from none', () => {
    expect(diffOf<Record>({ ...stored, vip: true }, stored, FIELDS)).toEqual({
      vip: { from: true, to: false },
    });
    expect(diffOf<Record>({ ...stored, ownerId: null }, { ...stored, ownerId: 0 }, FIELDS)).toEqual({
      ownerId: { from: null, to: 0 },
    });
  });

  it('gives a new record its set fields with "to" only, leaving out the empty ones', () => {
    expect(diffOf<Record>(null, { name: 'New Ltd', tier: 'B', address: null, tags: [] }, FIELDS)).toEqual({
      name: { to: 'New Ltd' },
      tier: { to: 'B' },
      tags: { to: '[]' },
    });
  });

  it('looks only at the fields it is given', () => {
    expect(diffOf<Record>(stored, { ...stored, name: 'Elsewhere Ltd', tier: 'A' }, ['tier'])).toEqual({
      tier: { from: 'C', to: 'A' },
    });
  });
});
