import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import {
  AGENT_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  type TicketChannel,
  type TicketPriority,
  type TicketType,
} from '../ticket.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
/** A mobile as people type it: digits with spaces, dashes, brackets or +86; the service normalises it. */
export const MOBILE_TYPED = /^[+\d\s()（）-]{7,24}$/;
/** A datetime-local field: YYYY-MM-DDTHH:mm, in the user's zone. */
export const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/**
 * An agent logging a request that came in by phone, WeChat, a visit or at the counter: when it came
 * in (the SLA clock starts there), who asked (a known customer, or a name with a mobile or e-mail),
 * what about.
 */
export class NewTicketDto {
  @IsIn(AGENT_CHANNELS, { message: keyed('validation.required') })
  channel: TicketChannel;

  /** When the request came in, as the datetime-local field sends it (the user's zone). */
  @Trimmed()
  @Matches(LOCAL_DATETIME, { message: keyed('validation.isDateTime') })
  receivedAt: string;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  customerId: number | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  contactId: number | null = null;

  /** Who asked, when no known customer is picked (then with a mobile or an e-mail). */
  @Trimmed()
  @ValidateIf((o: NewTicketDto) => o.customerId === null || o.requesterName !== null)
  @IsString({ message: keyed('validation.required') })
  @max(100)
  requesterName: string | null = null;

  @Trimmed()
  @ValidateIf(
    (o: NewTicketDto) => o.requesterMobile !== null || (o.customerId === null && o.requesterEmail === null),
  )
  @IsString({ message: keyed('tickets.form.contact_required') })
  @Matches(MOBILE_TYPED, { message: keyed('validation.mobile') })
  requesterMobile: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsEmail({}, { message: keyed('validation.isEmail') })
  @max(200)
  requesterEmail: string | null = null;

  @IsIn(TICKET_TYPES, { message: keyed('validation.required') })
  type: TicketType;

  @IsIn(TICKET_PRIORITIES, { message: keyed('validation.required') })
  priority: TicketPriority;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(200)
  subject: string;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(20_000)
  body: string;
}

/** The new-ticket form's customer search (GET, so the form works without JavaScript). */
export class NewTicketQueryDto {
  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  customerQ?: string | null;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  customerId?: number | null;
}
