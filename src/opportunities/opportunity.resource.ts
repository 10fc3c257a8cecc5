import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../common/api/api-page.js';
import { toNumeric } from '../common/money.js';
import type { Opportunity } from './opportunity.entity.js';
import { LOST_REASONS, OPPORTUNITY_SOURCES, OPPORTUNITY_STAGES } from './opportunity.options.js';

/** A deal as the API answers it and webhooks carry it: codes for choices, money as a decimal string. */
export class OpportunityResource {
  @ApiProperty({ example: 311 }) id: number;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ example: 12 }) ownerId: number;
  @ApiProperty({ example: 'ERP 升级项目' }) title: string;
  @ApiProperty({ enum: OPPORTUNITY_STAGES, example: 'proposal' }) stage: string;
  @ApiProperty({ example: '480000.00', description: 'CNY, exact, as a decimal string.' }) amount: string;
  @ApiProperty({ example: 50, description: 'Percent.' }) probability: number;
  @ApiProperty({ format: 'date', example: '2027-03-31' }) expectedCloseDate: string;
  @ApiProperty({ type: 'string', nullable: true, example: '用友、金蝶' }) competitors: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '下周二演示方案' }) nextStep: string | null;
  @ApiProperty({ type: 'string', enum: OPPORTUNITY_SOURCES, nullable: true, example: 'referral' })
  source: string | null;
  @ApiProperty({ type: 'string', enum: LOST_REASONS, nullable: true, example: null }) lostReason:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: null }) lostNote: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) closedAt:
    string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:35:12.000Z' }) lastActivityAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-20T02:10:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:35:12.000Z' }) updatedAt: string;
  @ApiProperty({ example: 3, description: 'Row version: send it back with an edit or a stage change.' })
  version: number;
}

export class OpportunityPage {
  @ApiProperty({ type: [OpportunityResource] }) data: OpportunityResource[];
  @ApiProperty({ type: 'string', nullable: true, example: 'MzEx' }) next: string | null;
}

export const toOpportunityResource = (o: Opportunity): OpportunityResource => ({
  id: o.id,
  customerId: o.customerId,
  ownerId: o.ownerId,
  title: o.title,
  stage: o.stage,
  amount: toNumeric(o.amount),
  probability: o.probability,
  expectedCloseDate: o.expectedCloseDate,
  competitors: o.competitors,
  nextStep: o.nextStep,
  source: o.source,
  lostReason: o.lostReason,
  lostNote: o.lostNote,
  closedAt: isoTime(o.closedAt),
  lastActivityAt: isoTime(o.lastActivityAt)!,
  createdAt: isoTime(o.createdAt)!,
  updatedAt: isoTime(o.updatedAt)!,
  version: o.version,
});
