import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPageQuery } from '../../common/api/api-page.js';
import { describeFromValidation } from '../../common/api/openapi-schema.js';
import { OPPORTUNITY_STAGES, type OpportunityStage } from '../opportunity.options.js';
import { OpportunityDto, OpportunityEditDto, ReopenDto, StageChangeDto } from './opportunity.dto.js';

const EXAMPLES = {
  customerId: 1207,
  title: 'ERP 升级项目',
  amount: '480000.00',
  stage: 'needs_analysis',
  probability: 25,
  expectedCloseDate: '2027-03-31',
  competitors: '用友、金蝶',
  nextStep: '下周二演示方案',
  source: 'referral',
};
const DESCRIPTIONS = {
  amount: 'CNY as a decimal string (`"480000.00"`); grouping and ¥ are accepted as typed on the page.',
  probability: 'Percent; left out, the stage’s default (10, 25, 50, 75).',
  ownerId: 'Another owner: only for a manager (their team) or an admin.',
};
describeFromValidation(OpportunityDto, { examples: EXAMPLES, descriptions: DESCRIPTIONS });
describeFromValidation(OpportunityEditDto, {
  examples: EXAMPLES,
  descriptions: { ...DESCRIPTIONS, version: 'Required: the version the edit was made on.' },
});
describeFromValidation(StageChangeDto, {
  omit: ['returnTo'],
  examples: { stage: 'lost', version: 3, lostReason: 'price', lostNote: '对方选择了报价更低的供应商' },
  descriptions: {
    stage: 'The stage to move to; `won` and `lost` close the deal.',
    version: 'Required: the version the move was made on.',
    lostReason: 'Required to mark a deal lost.',
  },
});
describeFromValidation(ReopenDto, {
  examples: { version: 4 },
  descriptions: { version: 'Required: the version the reopening was made on.' },
});

/** The deals list: of one customer, owner or stage, among the deals the user sees. */
export class OpportunityApiQuery extends ApiPageQuery {
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

  @ApiProperty({ required: false, enum: OPPORTUNITY_STAGES })
  @IsOptional()
  @IsIn(OPPORTUNITY_STAGES)
  stage?: OpportunityStage;
}
