import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ApiPageQuery } from '../../common/api/api-page.js';
import { describeFromValidation } from '../../common/api/openapi-schema.js';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import {
  API_CHANNELS,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type TicketChannel,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '../ticket.options.js';
import { TICKET_QUEUES, type TicketQueue } from '../tickets.types.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const ID_MAX = 2_147_483_647;

/** `GET /api/v1/tickets`: one queue, its filters, a page of it. */
export class TicketApiQuery extends ApiPageQuery {
  @ApiProperty({
    required: false,
    enum: TICKET_QUEUES,
    default: 'team',
    description:
      'unassigned: nobody works on it yet; mine: assigned to the token’s user; team: open in the user’s teams; breaching: open and past 80% of a target; waiting: waiting on the customer; resolved: recently resolved.',
  })
  @IsOptional()
  @IsIn(TICKET_QUEUES, { message: keyed('validation.invalid') })
  queue?: TicketQueue;

  @ApiProperty({ required: false, enum: TICKET_TYPES })
  @IsOptional()
  @IsIn(TICKET_TYPES, { message: keyed('validation.invalid') })
  type?: TicketType;

  @ApiProperty({ required: false, enum: TICKET_PRIORITIES })
  @IsOptional()
  @IsIn(TICKET_PRIORITIES, { message: keyed('validation.invalid') })
  priority?: TicketPriority;

  @ApiProperty({ required: false, enum: TICKET_CHANNELS })
  @IsOptional()
  @IsIn(TICKET_CHANNELS, { message: keyed('validation.invalid') })
  channel?: TicketChannel;

  @ApiProperty({ required: false, enum: ['A', 'B', 'C'], description: 'The customer’s tier.' })
  @IsOptional()
  @IsIn(['A', 'B', 'C'], { message: keyed('validation.invalid') })
  tier?: 'A' | 'B' | 'C';
}

/** Who asked, when no known customer is named: matched by e-mail or mobile, or a new contact on a lead. */
export class TicketRequesterDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(100)
  name: string;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(200)
  company: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsEmail({}, { message: keyed('validation.isEmail') })
  @max(254)
  email: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(40)
  mobile: string | null = null;
}

/**
 * A request an agent logs through the API (a call, a WeChat chat, a visit, a walk-in, or one an
 * integration takes in): the customer it is from, or the requester to match, and when it came in.
 */
export class TicketApiCreateDto {
  @IsIn(API_CHANNELS, { message: keyed('validation.required') })
  channel: TicketChannel;

  @IsIn(TICKET_TYPES, { message: keyed('validation.required') })
  type: TicketType;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES, { message: keyed('validation.invalid') })
  priority: TicketPriority | null = null;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(200)
  subject: string;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(20000)
  body: string;

  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1)
  @Max(ID_MAX)
  customerId: number | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1)
  @Max(ID_MAX)
  contactId: number | null = null;

  /** Without a known customer, required; with one, the contact (or the customer) when not given. */
  @ValidateIf((o: TicketApiCreateDto) => o.customerId === null || o.requester !== null)
  @IsObject({ message: keyed('validation.required') })
  @ValidateNested()
  @Type(() => TicketRequesterDto)
  requester: TicketRequesterDto | null = null;

  @IsOptional()
  @IsString()
  @IsISO8601({ strict: true }, { message: keyed('validation.isDateTime') })
  receivedAt: string | null = null;
}

/** A change through `PATCH /api/v1/tickets/:id`: the fields to change and the version it was made on. */
export class TicketApiEditDto {
  @IsOptional()
  @IsIn(TICKET_STATUSES, { message: keyed('validation.invalid') })
  status?: TicketStatus;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES, { message: keyed('validation.invalid') })
  priority?: TicketPriority;

  @IsOptional()
  @IsIn(TICKET_TYPES, { message: keyed('validation.invalid') })
  type?: TicketType;

  /** The agent to work on it, or null to put it back in the team's unassigned queue. */
  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1)
  @Max(ID_MAX)
  assigneeId?: number | null;

  @Type(() => Number)
  @IsInt({ message: keyed('validation.versionMissing') })
  @Min(1)
  version: number;
}

/** A public reply (e-mailed to the requester) or an internal note (never shown to the customer). */
export class TicketApiMessageDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(20000)
  body: string;

  @IsOptional()
  @IsBoolean({ message: keyed('validation.invalid') })
  internal: boolean = false;

  @Type(() => Number)
  @IsInt({ message: keyed('validation.versionMissing') })
  @Min(1)
  version: number;
}

/** Resolving or reopening: the version the decision was made on. */
export class TicketApiVersionDto {
  @Type(() => Number)
  @IsInt({ message: keyed('validation.versionMissing') })
  @Min(1)
  version: number;
}

describeFromValidation(TicketRequesterDto, {
  examples: {
    name: '郑海峰',
    company: '宁波海联物流有限公司',
    email: 'zhenghf@hailian-logistics.cn',
    mobile: '13967812345',
  },
});
describeFromValidation(TicketApiCreateDto, {
  examples: {
    channel: 'phone',
    type: 'billing',
    priority: 'normal',
    subject: '发票抬头错了，需要重开',
    body: '客户来电：上周收到的专票抬头是旧公司名，财务入不了账，请尽快重开。',
    customerId: 1207,
    contactId: 3310,
    receivedAt: '2026-11-30T09:40:00+08:00',
  },
  descriptions: {
    channel:
      'Where it came in: an agent logs phone, wechat, visit and walk_in requests; web is a request an integration took in.',
    priority: 'Default normal; raised one level for a VIP or tier-A customer.',
    customerId:
      'The known customer it is from (an agent’s pick). Without it, `requester` is matched by e-mail or mobile.',
    contactId: 'The customer’s contact who asked.',
    requester:
      'Who asked. Required when `customerId` is not given: an unknown requester becomes a contact on a new lead customer, to be confirmed. With `customerId`, default: the contact given, else the customer.',
    receivedAt:
      'When the request came in (ISO 8601 with an offset; not in the future): the SLA clock starts there. Default now.',
  },
});
ApiProperty({ type: () => TicketRequesterDto, required: false })(TicketApiCreateDto.prototype, 'requester');
describeFromValidation(TicketApiEditDto, {
  examples: { status: 'pending', priority: 'high', type: 'technical', assigneeId: 14, version: 3 },
  descriptions: {
    status: 'new, open, pending (waiting on the customer: the SLA clock stops), resolved or closed.',
    assigneeId: 'An active agent of the ticket’s team; null puts it back in the unassigned queue.',
    version: 'Required: the version the change was made on.',
  },
});
describeFromValidation(TicketApiMessageDto, {
  examples: { body: '您好，新发票已开具并寄出，请注意查收。', internal: false, version: 3 },
  descriptions: {
    internal:
      'true: an internal note, never shown or sent to the customer; @name mentions notify colleagues.',
    version: 'Required: the version the reply was written on.',
  },
});
describeFromValidation(TicketApiVersionDto, {
  examples: { version: 3 },
  descriptions: { version: 'Required: the version the change was made on.' },
});
