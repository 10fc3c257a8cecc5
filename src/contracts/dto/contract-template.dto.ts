import { IsInt, IsString, MaxLength } from 'class-validator';
import { IntOrNull, keyed } from '../../common/validation.js';
import type { ContractTemplate } from '../contract-template.js';

/** The contract template's section of /admin/settings: one text per language. */
export class ContractTemplateDto implements ContractTemplate {
  @IsString({ message: keyed('validation.required') })
  @MaxLength(50_000, { message: keyed('validation.maxLength', 'max') })
  textEn: string;

  @IsString({ message: keyed('validation.required') })
  @MaxLength(50_000, { message: keyed('validation.maxLength', 'max') })
  textZh: string;

  @IntOrNull()
  @IsInt()
  version: number;
}
