import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IntOrNull, keyed, Trimmed } from '../../common/validation.js';

/** The quotes section of /admin/settings. */
export interface QuoteRules {
  /** A quote whose whole discount against list prices passes this percentage needs approval. */
  discountThreshold: number;
  /** A new quote is valid for this many days. */
  validDays: number;
  /** The terms a new quote starts with. */
  defaultTerms: string;
}

export const QUOTE_RULES_KEY = 'quotes';
export const QUOTE_RULES_DEFAULTS: QuoteRules = { discountThreshold: 15, validDays: 30, defaultTerms: '' };

export class QuoteRulesDto implements QuoteRules {
  @IntOrNull()
  @IsNotEmpty({ message: keyed('validation.required') })
  @IsInt({ message: keyed('validation.isInt') })
  @Min(0, { message: keyed('validation.min', 'min') })
  @Max(100, { message: keyed('validation.max', 'max') })
  discountThreshold: number;

  @IntOrNull()
  @IsNotEmpty({ message: keyed('validation.required') })
  @IsInt({ message: keyed('validation.isInt') })
  @Min(1, { message: keyed('validation.min', 'min') })
  @Max(365, { message: keyed('validation.max', 'max') })
  validDays: number;

  @Trimmed()
  @IsOptional()
  @IsString()
  @MaxLength(4000, { message: keyed('validation.maxLength', 'max') })
  defaultTerms: string = '';

  @IntOrNull()
  @IsInt()
  version: number;
}
