import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../common/session-user.js';
import type { PersonRecords } from '../customers/customers.service.js';
import { can, PRIVACY_ACTIONS, PrivacyPolicy } from './privacy.policy.js';
import { identify } from './privacy.service.js';
import { ERASED } from './privacy.types.js';

describe('PrivacyPolicy', () => {
  // Role × action: only an admin answers a person's request; everyone else is told there is no such page.
  const TABLE = {
    admin: { export: true, erase: true },
    manager: { export: false, erase: false },
    sales: { export: false, erase: false },
    service: { export: false, erase: false },
  } as const;

  it.each(Object.keys(TABLE) as (keyof typeof TABLE)[])('%s', (role) => {
    for (const action of PRIVACY_ACTIONS) expect(can({ role }, action)).toBe(TABLE[role][action]);
    const user = { role } as SessionUser;
    const policy = new PrivacyPolicy();
    expect(policy.flags(user)).toEqual(TABLE[role]);
  });

  it('answers anyone but an admin as if there were no such page', () => {
    const policy = new PrivacyPolicy();
    expect(() => policy.assert({ role: 'admin' } as SessionUser, 'erase')).not.toThrow();
    for (const role of ['manager', 'sales', 'service'] as const)
      expect(() => policy.assert({ role } as SessionUser, 'erase')).toThrow(
        expect.objectContaining({ status: 404 }),
      );
  });
});

const person = (contact: Partial<PersonRecords['contacts'][number]>, whole = false): PersonRecords => ({
  customer: {
    id: 7,
    kind: whole ? 'person' : 'company',
    name: whole ? '欧阳娜娜' : '杭州湖畔贸易有限公司',
    address: whole ? '文三路 90 号 (5 幢)' : '公司地址',
    birthday: null,
    notes: null,
    website: null,
    nextStep: null,
    status: 'active',
    createdAt: new Date(),
    deletedAt: null,
  },
  contacts: [
    {
      id: 12,
      name: '欧阳娜娜',
      title: null,
      mobile: null,
      phone: null,
      email: null,
      wechat: null,
      birthday: null,
      primary: true,
      mailOptOut: false,
      createdAt: new Date(),
      deletedAt: null,
      ...contact,
    },
  ],
  wholeCustomer: whole,
});

describe('identify', () => {
  it('finds a mobile written with spaces or dashes, an e-mail in any case, and a name', () => {
    const who = identify(person({ mobile: '13957124680', email: 'Nana.Ouyang@Lakeside.example' }));
    const re = new RegExp(who.pattern, 'gi');
    expect('电话 139 5712 4680，或 139-5712-4680'.replace(re, ERASED)).toBe(`电话 ${ERASED}，或 ${ERASED}`);
    expect('写信给 NANA.OUYANG@lakeside.example'.replace(re, ERASED)).toBe(`写信给 ${ERASED}`);
    expect('拜访欧阳娜娜'.replace(re, ERASED)).toBe(`拜访${ERASED}`);
    expect(who.emails).toEqual(['nana.ouyang@lakeside.example']);
    expect(who.contactIds).toEqual([12]);
  });

  it('takes regular-expression characters literally and masks inside JSON values only', () => {
    const who = identify(person({ name: 'Li (Lily) "Q"', wechat: 'a.b*c' }, true));
    const re = new RegExp(who.pattern, 'g');
    expect('a.b*c axbbc'.replace(re, ERASED)).toBe(`${ERASED} axbbc`);
    // Over JSON text, the quoted name is found as JSON writes it.
    const json = JSON.stringify({ name: { to: 'Li (Lily) "Q"' } });
    expect(json.replace(new RegExp(who.jsonPattern, 'g'), ERASED)).toBe(
      JSON.stringify({ name: { to: ERASED } }),
    );
    expect(who.scrubJson({ contacts: ['Li (Lily) "Q" 13900000000'], n: 3 })).toEqual({
      contacts: [`${ERASED} 13900000000`],
      n: 3,
    });
    // A person-customer's own name and address count too; the longest is masked first.
    expect('住在文三路 90 号 (5 幢)'.replace(new RegExp(who.pattern, 'g'), ERASED)).toBe(`住在${ERASED}`);
  });

  it('has nothing to find once a person is erased (or for one-character strings)', () => {
    const who = identify(person({ name: ERASED, wechat: 'x' }));
    expect(who.strings).toEqual([]);
    expect(who.pattern).toBe('');
    expect(who.jsonPattern).toBe('');
  });
});
