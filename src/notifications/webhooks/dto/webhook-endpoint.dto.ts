import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { Checkbox, IntOrNull, keyed, Trimmed } from '../../../common/validation.js';

/** An admin's webhook endpoint form (new and edit). */
export class WebhookEndpointDto {
  @Trimmed()
  @IsString({ message: keyed('validation.required') })
  @MaxLength(500, { message: keyed('validation.maxLength', 'max') })
  url: string;

  /** The event types to send; one ticked box arrives as a string, several as a list. */
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value],
  )
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  events: string[] = [];

  /** The signing key; left empty on a new endpoint, Kehu makes one; on an edit, empty keeps it. */
  @Trimmed()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: keyed('webhook.secret_short', 'min') })
  @MaxLength(200, { message: keyed('validation.maxLength', 'max') })
  secret: string | null = null;

  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: keyed('validation.maxLength', 'max') })
  description: string | null = null;

  /** The target is on the company's own network or this machine, and the admin allows it. */
  @Checkbox()
  internal: boolean = false;

  @Checkbox()
  active: boolean = false;

  @IntOrNull()
  @IsOptional()
  @IsInt()
  version?: number;
}
