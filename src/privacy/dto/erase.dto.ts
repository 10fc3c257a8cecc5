import { IsString, MaxLength } from 'class-validator';
import { keyed } from '../../common/validation.js';

/** The erasure's confirmation: the person's name typed again, as the page shows it. */
export class EraseDto {
  @IsString({ message: keyed('validation.required') })
  @MaxLength(500)
  confirmName: string;
}
