import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';
import { TICKET_PRIORITIES, type TicketPriority } from '../ticket.options.js';

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });
const TeamId = () => applyDecorators(IntOrNull(), IsOptional(), IsInt(), Min(1));

/** Which team each type of ticket goes to; empty: nobody's until an agent takes it. */
export class TicketRoutesDto {
  @TeamId()
  consultation: number | null = null;

  @TeamId()
  technical: number | null = null;

  @TeamId()
  billing: number | null = null;

  @TeamId()
  complaint: number | null = null;
}

export class TicketRoutingDto {
  @ValidateNested()
  @Type(() => TicketRoutesDto)
  routes: TicketRoutesDto = new TicketRoutesDto();

  /** Resolved tickets close after so many days without a customer's reply. */
  @IntOrNull()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1, { message: keyed('validation.min', 'min') })
  @Max(365, { message: keyed('validation.max', 'max') })
  autoCloseDays: number;
}

/** One row of the SLA table: a priority's targets, for every tier (tier empty) or one tier. */
export class SlaRowDto {
  @IsIn(TICKET_PRIORITIES)
  priority: TicketPriority;

  @Trimmed()
  @IsOptional()
  @IsIn(['A', 'B', 'C'])
  tier: 'A' | 'B' | 'C' | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1, { message: keyed('validation.min', 'min') })
  @Max(525_600, { message: keyed('validation.max', 'max') })
  firstResponseMinutes: number | null = null;

  @IntOrNull()
  @IsOptional()
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1, { message: keyed('validation.min', 'min') })
  @Max(525_600, { message: keyed('validation.max', 'max') })
  resolutionMinutes: number | null = null;
}

export class SlaPoliciesDto {
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => SlaRowDto)
  policies: SlaRowDto[];
}

/** A canned reply (常用回复) as the admin page's forms send it: a new one without `id`. */
export class CannedReplyDto {
  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  id: number | null = null;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  @Min(1)
  teamId: number | null = null;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(100)
  title: string;

  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @max(5000)
  body: string;
}
