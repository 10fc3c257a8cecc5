import { ApiProperty, IntersectionType, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiPageQuery } from '../../common/api/api-page.js';
import { describeFromValidation } from '../../common/api/openapi-schema.js';
import { keyed } from '../../common/validation.js';
import { ContactDto } from './contact.dto.js';
import { CustomerFilterDto } from './customer-filter.dto.js';
import { CustomerDto } from './customer.dto.js';

/**
 * The API takes the pages' DTOs as they are (one rule, in one place); these lines only describe them
 * in the OpenAPI document, from their own validation rules.
 */
describeFromValidation(CustomerDto, {
  omit: ['_refresh'],
  examples: {
    kind: 'company',
    name: '北京华信科技有限公司',
    tier: 'B',
    status: 'prospect',
    industry: 'I',
    province: '北京市',
    city: '北京市',
    tags: ['ERP'],
    contactName: '王磊',
    contactMobile: '13812345678',
  },
  descriptions: {
    version: 'Required on an edit (PATCH): the version the edit was made on.',
    ownerId:
      'Only managers and admins choose the owner, among the users they may assign; left out or null, a customer they create has none (it waits in the public pool). A sales rep owns what they create: another owner is refused.',
    confirmDuplicate:
      'Save although look-alike customers exist (not allowed to sales reps for another rep’s customer).',
    duplicateReason: 'A manager or admin saving a look-alike says why (kept in the audit log).',
    contactName: 'The first contact, on create only.',
  },
});
describeFromValidation(ContactDto, {
  examples: { name: '王磊', title: '采购经理', mobile: '13812345678', email: 'wang.lei@huaxin.cn' },
  descriptions: { version: 'Required on an edit (PATCH): the version the edit was made on.' },
});
describeFromValidation(CustomerFilterDto, {
  omit: ['after', 'before'],
  descriptions: {
    q: 'Free-text search: name, pinyin (bjhx), contact, mobile or its last digits, e-mail, USCC.',
    owner: 'A user id, `me`, or `pool` (no owner).',
    idle: 'Last interaction older than this many days (or never).',
  },
});

/** The customer list's filters as the pages take them, with the API's cursor and limit. */
export class CustomerApiQuery extends IntersectionType(
  OmitType(CustomerFilterDto, ['after', 'before'] as const),
  ApiPageQuery,
) {}

/** A contact made through the API names its customer. */
export class ContactApiDto extends ContactDto {
  @ApiProperty({ example: 1207 })
  @Type(() => Number)
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  customerId: number;
}

/** The contacts list: those of one customer, or of every customer the user sees; `q` searches names, mobiles, e-mails. */
export class ContactApiQuery extends ApiPageQuery {
  @ApiProperty({ required: false, type: 'integer', example: 1207 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customerId?: number;

  @ApiProperty({ required: false, description: 'Part of a name, mobile or e-mail.', example: '王' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}
