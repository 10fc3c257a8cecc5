import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { Checkbox, IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '../ticket.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });

/** A change made on the version of the ticket the page showed: a later save meanwhile refuses it. */
export class TicketVersionDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/**
 * A reply to the customer (e-mailed) or an internal note (never shown to the customer). `insert`
 * asks for a canned reply to be put into the text instead of sending (works without JavaScript).
 */
export class TicketReplyDto extends TicketVersionDto {
  @Trimmed()
  @IsOptional()
  @IsString()
  @max(20_000)
  body: string | null = null;

  @Checkbox()
  internal: boolean = false;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  cannedReplyId: number | null = null;

  /** Set by the "Insert" button: fill the canned reply in and show the form again, nothing sent. */
  @IsOptional()
  @IsIn(['1'])
  insert?: '1';
}

/** Status, priority, type and assignee, as the ticket page's change form sends them. */
export class TicketChangeDto extends TicketVersionDto {
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @IsOptional()
  @IsIn(TICKET_TYPES)
  type?: TicketType;

  /** An agent's id; empty for nobody (back to the team's unassigned queue). */
  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  assigneeId?: number | null;
}

/** A transfer to another team, with the reason the receiving team reads. */
export class TicketTransferDto extends TicketVersionDto {
  @IntOrNull()
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  teamId: number;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(1000)
  reason: string;
}

/** Merging this ticket, a duplicate, into another by its number (T-000123, or 123). */
export class TicketMergeDto extends TicketVersionDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @Matches(/^(T-?)?\d{1,9}$/i, { message: keyed('tickets.merge.number_format') })
  intoNumber: string;
}

/** Moving the ticket to the customer (and contact) its requester belongs to. */
export class TicketRelinkDto extends TicketVersionDto {
  @IntOrNull()
  @IsInt({ message: keyed('validation.required') })
  @Min(1)
  customerId: number;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  contactId: number | null = null;
}

/** The ticket page's address: `relinkQ` searches the customers to move the ticket to. */
export class TicketShowQueryDto {
  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  relinkQ?: string | null;
}
