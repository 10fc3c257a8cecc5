import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../common/api/api-page.js';
import { FOLLOW_UP_METHODS, type FollowUp } from './follow-up.entity.js';

/** A follow-up as the API answers it and webhooks carry it: the method as its code, times in ISO 8601. */
export class FollowUpResource {
  @ApiProperty({ example: 5402 }) id: number;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ type: 'integer', nullable: true, example: 31 }) contactId: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 311,
    description: 'The deal it was logged against.',
  })
  opportunityId: number | null;
  @ApiProperty({ example: 12 }) authorId: number;
  @ApiProperty({ enum: FOLLOW_UP_METHODS, example: 'visit' }) method: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:30:00.000Z' }) happenedAt: string;
  @ApiProperty({ example: '拜访采购部，确认明年 ERP 升级预算' }) summary: string;
  @ApiProperty({ type: 'string', nullable: true, example: '12 月前提供报价' }) promises: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '发送报价单' }) nextAction: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: '2026-12-05T01:00:00.000Z' })
  nextFollowUpAt: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '北京市海淀区中关村大街 1 号' }) location:
    string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:35:12.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:35:12.000Z' }) updatedAt: string;
  @ApiProperty({ example: 1, description: 'Row version: send it back with an edit.' }) version: number;
}

export class FollowUpPage {
  @ApiProperty({ type: [FollowUpResource] }) data: FollowUpResource[];
  @ApiProperty({ type: 'string', nullable: true, example: 'NTQwMg' }) next: string | null;
}

export const toFollowUpResource = (f: FollowUp): FollowUpResource => ({
  id: f.id,
  customerId: f.customerId,
  contactId: f.contactId,
  opportunityId: f.opportunityId,
  authorId: f.authorId,
  method: f.method,
  happenedAt: isoTime(f.happenedAt)!,
  summary: f.summary,
  promises: f.promises,
  nextAction: f.nextAction,
  nextFollowUpAt: isoTime(f.nextFollowUpAt),
  location: f.location,
  createdAt: isoTime(f.createdAt)!,
  updatedAt: isoTime(f.updatedAt)!,
  version: f.version,
});
