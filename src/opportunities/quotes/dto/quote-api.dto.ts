import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPageQuery } from '../../../common/api/api-page.js';
import { describeFromValidation } from '../../../common/api/openapi-schema.js';
import { QUOTE_STATUSES, type QuoteStatus } from '../quote.options.js';
import { QuoteActionDto, QuoteDto, QuoteEditDto, QuoteLineDto } from './quote.dto.js';

const LINE = {
  itemName: '服务器',
  specification: '2U 双路 64 核 / 512 GB',
  unit: '台',
  quantity: '3',
  unitPrice: '85000.00',
  discountPercent: '10',
};
const EXAMPLES = {
  opportunityId: 311,
  taxRate: '13',
  pricesIncludeTax: false,
  discountPercent: '5',
  validUntil: '2026-12-31',
  terms: '报价含安装调试，质保三年。',
  lines: [LINE],
};
const DESCRIPTIONS = {
  taxRate: 'VAT in percent, 0 to 17, up to two decimals: usually 13, 9, 6, 3, 1 or 0.',
  pricesIncludeTax: 'Whether the unit prices include the tax (含税价).',
  discountPercent: 'Percent off the whole quote, 0–100, up to two decimals.',
  validUntil: 'Today or later.',
  lines: 'At least one line, at most 100, in order.',
};
describeFromValidation(QuoteLineDto, {
  examples: LINE,
  descriptions: {
    quantity: 'More than zero, up to three decimals, as a string.',
    unitPrice: 'CNY as a decimal string, zero or more.',
    discountPercent: 'Percent off this line, 0–100.',
  },
});
describeFromValidation(QuoteDto, { omit: ['_addLine'], examples: EXAMPLES, descriptions: DESCRIPTIONS });
describeFromValidation(QuoteEditDto, {
  omit: ['_addLine'],
  examples: { ...EXAMPLES, version: 2 },
  descriptions: { ...DESCRIPTIONS, version: 'Required: the version the edit was made on.' },
});
describeFromValidation(QuoteActionDto, {
  examples: { version: 2 },
  descriptions: { version: 'Required: the version the submission was made on.' },
});
// The lines are objects: documented as such, over what the rules alone would say.
ApiProperty({ type: [QuoteLineDto], description: DESCRIPTIONS.lines, example: [LINE] })(
  QuoteDto.prototype,
  'lines',
);
ApiProperty({ type: [QuoteLineDto], description: DESCRIPTIONS.lines, example: [LINE] })(
  QuoteEditDto.prototype,
  'lines',
);

/** The quotes list: of one deal, customer or status, among the quotes the user sees. */
export class QuoteApiQuery extends ApiPageQuery {
  @ApiProperty({ required: false, type: 'integer', example: 311 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  opportunityId?: number;

  @ApiProperty({ required: false, type: 'integer', example: 1207 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customerId?: number;

  @ApiProperty({ required: false, enum: QUOTE_STATUSES })
  @IsOptional()
  @IsIn(QUOTE_STATUSES)
  status?: QuoteStatus;
}
