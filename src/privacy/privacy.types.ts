/** What an erased person's names and texts become, in both of Kehu's languages (it is data, not UI). */
export const ERASED = '[已删除 erased]';

/** Whom a PIPL request is about: a contact of any customer, or a person-customer (kind person). */
export interface PrivacySubject {
  kind: 'contact' | 'customer';
  id: number;
}

/**
 * What identifies a person, as each module's erasure and export take it: their records' ids, the
 * strings that name them, and regular expressions finding those in text (`pattern`) and in JSON text
 * (`jsonPattern`); both empty when nothing identifies them any more.
 */
export interface PersonIdentity {
  customerId: number;
  contactIds: number[];
  wholeCustomer: boolean;
  strings: string[];
  emails: string[];
  mobiles: string[];
  pattern: string;
  jsonPattern: string;
  mask: string;
  /** A JSON value with every string naming the person masked. */
  scrubJson(value: unknown): unknown;
}

export interface PrivacyPage {
  title: string;
  titleText: string;
  subject: PrivacySubject;
  path: string;
  name: string;
  customer: { id: number; name: string; kind: string };
  erased: boolean;
  counts: Record<string, number>;
  can: Record<'export' | 'erase', boolean>;
}

export interface PersonalDataFile {
  fileName: string;
  contentType: string;
  body: string;
}
