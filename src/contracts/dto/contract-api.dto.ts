import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPageQuery } from '../../common/api/api-page.js';
import { describeFromValidation } from '../../common/api/openapi-schema.js';
import { CONTRACT_STATUSES, type ContractStatus } from '../contract.options.js';
import {
  ContractDecisionDto,
  ContractDto,
  ContractEditDto,
  ContractLineDto,
  ContractVersionDto,
} from './contract.dto.js';

const LINE = {
  item: '服务器',
  specification: 'Dell R760, 2 × Xeon 6430',
  unit: '台',
  quantity: '2',
  unitPrice: '68000.00',
};
const EXAMPLES = {
  customerId: 1207,
  opportunityId: 311,
  quoteId: null,
  title: '服务器扩容项目',
  startOn: '2027-01-01',
  endOn: '2027-12-31',
  paymentTerms: '签约后 10 个工作日内支付 30%，验收后支付 70%',
  ourSignatoryName: '王经理',
  ourSignatoryTitle: '销售总监',
  customerSignatoryName: '李总',
  customerSignatoryTitle: '总经理',
  lines: [LINE],
};
const DESCRIPTIONS = {
  lines: 'At least one line; the contract’s amount is the exact sum of quantity × unit price of each.',
  opportunityId: 'The won deal it comes from (of the same customer).',
  quoteId: 'The accepted quote it comes from.',
  ownerId: 'Another owner: only for a manager (their team) or an admin.',
  startOn: 'On or before `endOn`.',
};
describeFromValidation(ContractLineDto, {
  examples: LINE,
  descriptions: {
    quantity: 'A positive number with up to three decimals, as a string.',
    unitPrice: 'CNY as a decimal string, zero or more.',
  },
});
describeFromValidation(ContractDto, { omit: ['_addLine'], examples: EXAMPLES, descriptions: DESCRIPTIONS });
const { customerId: _customer, opportunityId: _deal, quoteId: _quote, ...EDITED } = EXAMPLES;
describeFromValidation(ContractEditDto, {
  omit: ['_addLine'],
  examples: { ...EDITED, version: 2 },
  descriptions: { ...DESCRIPTIONS, version: 'Required: the version the edit was made on.' },
});
// The lines are objects, which the rules alone do not say.
for (const dto of [ContractDto, ContractEditDto])
  ApiProperty({
    type: () => ContractLineDto,
    isArray: true,
    example: [LINE],
    description: DESCRIPTIONS.lines,
  })(dto.prototype, 'lines');
describeFromValidation(ContractVersionDto, {
  examples: { version: 2 },
  descriptions: { version: 'Required: the version the change was made on.' },
});
describeFromValidation(ContractDecisionDto, {
  examples: { comment: '价格已确认，同意' },
  descriptions: { comment: 'Why: shown in the approval history and to the owner.' },
});

/** The contract list: of one customer, owner or status, among the contracts the user sees. */
export class ContractApiQuery extends ApiPageQuery {
  @ApiProperty({ required: false, type: 'integer', example: 1207 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  customerId?: number;

  @ApiProperty({ required: false, type: 'integer', description: 'The owner’s user id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  ownerId?: number;

  @ApiProperty({ required: false, enum: CONTRACT_STATUSES })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  status?: ContractStatus;
}
