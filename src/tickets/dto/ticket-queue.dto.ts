import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
} from 'class-validator';
import { Checkbox, IntOrNull, keyed } from '../../common/validation.js';
import {
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  type TicketChannel,
  type TicketPriority,
  type TicketType,
} from '../ticket.options.js';
import { TICKET_QUEUES, type TicketQueue } from '../tickets.types.js';

export const CUSTOMER_TIERS = ['A', 'B', 'C'] as const;

/** /tickets?queue=…&type=…: the queue shown, its filters and the page's cursor, all in the address. */
export class TicketQueueQueryDto {
  @IsOptional()
  @IsIn(TICKET_QUEUES)
  queue?: TicketQueue;

  @IsOptional()
  @IsIn(TICKET_TYPES)
  type?: TicketType;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @IsOptional()
  @IsIn(TICKET_CHANNELS)
  channel?: TicketChannel;

  @IsOptional()
  @IsIn(CUSTOMER_TIERS)
  tier?: 'A' | 'B' | 'C';

  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  before?: string;
}

/** Bulk assignment from a queue: the ticked tickets and the agent they go to. */
export class TicketBulkAssignDto {
  // One ticked box arrives as a string, several as a list.
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(Number),
  )
  @IsArray()
  @ArrayNotEmpty({ message: keyed('tickets.bulk.none_chosen') })
  @ArrayMaxSize(200)
  @IsInt({ each: true })
  @Min(1, { each: true })
  ids: number[] = [];

  @IntOrNull()
  @IsInt({ message: keyed('tickets.bulk.assignee_required') })
  @Min(1, { message: keyed('tickets.bulk.assignee_required') })
  assigneeId: number;

  /** The queue the form was sent from, to return to it. */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  returnTo?: string;
}

/** The agent's away mark: while away, new tickets are not assigned to them. */
export class TicketAwayDto {
  @Checkbox()
  away: boolean = false;
}
