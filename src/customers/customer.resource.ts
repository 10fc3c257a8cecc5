import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../common/api/api-page.js';
import {
  CUSTOMER_KINDS,
  CUSTOMER_SIZES,
  CUSTOMER_SOURCES,
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  INDUSTRIES,
} from './customer.options.js';
import type { CustomerListItem, ContactView } from './customers.service.js';
import type { Customer } from './customer.entity.js';

/**
 * Customers and contacts as the API answers them and webhooks carry them: enumerations as their
 * codes, times as ISO 8601 (UTC), nothing a page computes for its own display.
 */

const nullable = { nullable: true, type: 'string' } as const;

export class ContactResource {
  @ApiProperty({ example: 31 }) id: number;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ example: '王磊' }) name: string;
  @ApiProperty({ ...nullable, example: '采购经理' }) title: string | null;
  @ApiProperty({ ...nullable, example: '+8613812345678' }) mobile: string | null;
  @ApiProperty({ ...nullable, example: '010-85264435-802' }) phone: string | null;
  @ApiProperty({ ...nullable, example: 'wang.lei@huaxin.cn' }) email: string | null;
  @ApiProperty({ ...nullable, example: 'wanglei_hx' }) wechat: string | null;
  @ApiProperty({ example: true }) primary: boolean;
  @ApiProperty({ ...nullable, format: 'date', example: null }) birthday: string | null;
  @ApiProperty({
    example: false,
    description: 'The contact asked for no greetings or surveys by e-mail; every automation rule honours it.',
  })
  mailOptOut: boolean;
  @ApiProperty({ example: 1, description: 'Row version: send it back with an edit.' }) version: number;
}

export class CustomerSummary {
  @ApiProperty({ example: 1207 }) id: number;
  @ApiProperty({ example: '北京华信科技有限公司' }) name: string;
  @ApiProperty({ enum: CUSTOMER_KINDS, example: 'company' }) kind: string;
  @ApiProperty({ enum: CUSTOMER_TIERS, example: 'A' }) tier: string;
  @ApiProperty({ example: false }) vip: boolean;
  @ApiProperty({ enum: CUSTOMER_STATUSES, example: 'active' }) status: string;
  @ApiProperty({ ...nullable, example: '北京市' }) city: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 12 }) ownerId: number | null;
  @ApiProperty({ ...nullable, example: '李娜' }) ownerName: string | null;
  @ApiProperty({ ...nullable, format: 'date-time', example: '2026-11-28T06:30:00.000Z' })
  lastInteractionAt: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-29T02:10:00.000Z' }) updatedAt: string;
}

export class CustomerResource extends CustomerSummary {
  @ApiProperty({ ...nullable, example: '91110108MA01XXXX0X' }) uscc: string | null;
  @ApiProperty({ ...nullable, enum: INDUSTRIES, example: 'I', description: 'GB/T 4754-2017 section code' })
  industry: string | null;
  @ApiProperty({ ...nullable, enum: CUSTOMER_SIZES, example: '50-199' }) size: string | null;
  @ApiProperty({ ...nullable, example: '北京市' }) province: string | null;
  @ApiProperty({ ...nullable, example: '海淀区' }) district: string | null;
  @ApiProperty({ ...nullable, example: '中关村大街 1 号' }) address: string | null;
  @ApiProperty({ ...nullable, example: 'www.huaxin.cn' }) website: string | null;
  @ApiProperty({ ...nullable, example: 'AA' }) creditLevel: string | null;
  @ApiProperty({ ...nullable, enum: CUSTOMER_SOURCES, example: 'referral' }) source: string | null;
  @ApiProperty({ ...nullable, format: 'date', example: null }) birthday: string | null;
  @ApiProperty({ type: [String], example: ['ERP', '2026 展会'] }) tags: string[];
  @ApiProperty({ ...nullable, example: '年底前有采购预算' }) notes: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T08:00:00.000Z' }) createdAt: string;
  @ApiProperty({ example: 3, description: 'Row version: send it back with an edit.' }) version: number;
  @ApiProperty({ type: [ContactResource] }) contacts: ContactResource[];
}

export class CustomerPage {
  @ApiProperty({ type: [CustomerSummary] }) data: CustomerSummary[];
  @ApiProperty({ type: 'string', nullable: true, example: 'WyIyMDI2LTExLTI5IDAyOjEwOjAwKzAwIiwxMjA3XQ' })
  next: string | null;
}

export const toContactResource = (customerId: number, c: ContactView): ContactResource => ({
  id: c.id,
  customerId,
  name: c.name,
  title: c.title,
  mobile: c.mobile,
  phone: c.phone,
  email: c.email,
  wechat: c.wechat,
  primary: c.primary,
  birthday: c.birthday,
  mailOptOut: c.mailOptOut,
  version: c.version,
});

export const toCustomerSummary = (c: CustomerListItem): CustomerSummary => ({
  id: c.id,
  name: c.name,
  kind: c.kind,
  tier: c.tier,
  vip: c.vip,
  status: c.status,
  city: c.city,
  ownerId: c.ownerId,
  ownerName: c.ownerName,
  lastInteractionAt: isoTime(c.lastInteractionAt),
  updatedAt: isoTime(c.updatedAt)!,
});

/** What a customer resource is made from: the stored fields (its owner's name and contacts given beside). */
export type CustomerSource = Omit<
  Customer,
  'owner' | 'contacts' | 'mergedInto' | 'searchText' | 'searchTokens' | 'deletedAt'
>;

export const toCustomerResource = (
  c: CustomerSource,
  ownerName: string | null,
  contacts: ContactView[],
): CustomerResource => ({
  id: c.id,
  name: c.name,
  kind: c.kind,
  tier: c.tier,
  vip: c.vip,
  status: c.status,
  city: c.city,
  ownerId: c.ownerId,
  ownerName,
  lastInteractionAt: isoTime(c.lastInteractionAt),
  updatedAt: isoTime(c.updatedAt)!,
  uscc: c.uscc,
  industry: c.industry,
  size: c.size,
  province: c.province,
  district: c.district,
  address: c.address,
  website: c.website,
  creditLevel: c.creditLevel,
  source: c.source,
  birthday: c.birthday,
  tags: c.tags,
  notes: c.notes,
  createdAt: isoTime(c.createdAt)!,
  version: c.version,
  contacts: contacts.map((k) => toContactResource(c.id, k)),
});
