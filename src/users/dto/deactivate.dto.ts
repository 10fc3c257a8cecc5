import { IsOptional, Matches } from 'class-validator';
import { keyed, Trimmed } from '../../common/validation.js';

/** Deactivating a user: where their records go — another user's id, or `pool`. */
export class DeactivateDto {
  @Trimmed()
  @IsOptional()
  @Matches(/^(\d+|pool)$/, { message: keyed('validation.invalid') })
  handOverTo: string | null = null;
}
