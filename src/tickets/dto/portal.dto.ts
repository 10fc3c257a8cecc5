import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { keyed, Trimmed } from '../../common/validation.js';
import { TICKET_TYPES, type TicketType } from '../ticket.options.js';
import { MOBILE_TYPED } from './ticket-form.dto.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });

/**
 * A customer's request from the public form. `website` is a field people never see (hidden by the
 * stylesheet, skipped by the keyboard): a form that fills it in was filled by a bot.
 */
export class PortalTicketDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(100)
  name: string;

  @Trimmed()
  @IsOptional()
  @IsString()
  @max(200)
  company: string | null = null;

  /** A mobile or an e-mail, or both: without either, the mobile's field asks for one. */
  @Trimmed()
  @ValidateIf((o: PortalTicketDto) => o.mobile !== null || o.email === null)
  @IsString({ message: keyed('portal.contact_required') })
  @Matches(MOBILE_TYPED, { message: keyed('validation.mobile') })
  mobile: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsEmail({}, { message: keyed('validation.isEmail') })
  @max(200)
  email: string | null = null;

  @IsIn(TICKET_TYPES, { message: keyed('validation.required') })
  type: TicketType;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(200)
  subject: string;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(20_000)
  description: string;

  /** The honeypot. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  website?: string;
}

/** The customer's reply on the tracking page. */
export class PortalReplyDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(20_000)
  body: string;
}
