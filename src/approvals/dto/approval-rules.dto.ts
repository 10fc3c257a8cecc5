import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches } from 'class-validator';
import { readMoney, toNumeric } from '../../common/money.js';
import { IntOrNull, keyed } from '../../common/validation.js';
import type { ApprovalRules } from '../approval-rules.js';

/** The approvals section of /admin/settings. */
export class ApprovalRulesDto implements ApprovalRules {
  /** As typed ("100,000", "¥100 000.00"), stored exact as "100000.00"; what does not read as money stays as typed and is refused. */
  @Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const read = readMoney(value);
    return 'fen' in read && read.fen >= 0 ? toNumeric(read.fen) : value.trim();
  })
  @IsString({ message: keyed('validation.required') })
  @Matches(/^\d+\.\d{2}$/, { message: keyed('validation.money') })
  threshold: string;

  /** The ticked users: one value, several, or none. */
  @Transform(({ value }: { value: unknown }) =>
    (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]).map((v) =>
      typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v,
    ),
  )
  @IsInt({ each: true, message: keyed('validation.invalid') })
  generalManagerIds: number[] = [];

  @IsIn(['all', 'any'], { message: keyed('validation.invalid') })
  generalManagerMode: 'all' | 'any';

  @IntOrNull()
  @IsInt()
  version: number;
}
