import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../../common/api/api-page.js';
import { toNumeric } from '../../common/money.js';
import type { QuoteLine } from './quote-line.entity.js';
import type { Quote } from './quote.entity.js';
import { QUOTE_STATUSES } from './quote.options.js';

/** A quote's line as the API answers it: figures as exact decimal strings. */
export class QuoteLineResource {
  @ApiProperty({ example: 1 }) position: number;
  @ApiProperty({ example: '服务器' }) itemName: string;
  @ApiProperty({ type: 'string', nullable: true, example: '2U 双路 64 核 / 512 GB' }) specification:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '台' }) unit: string | null;
  @ApiProperty({ example: '3.000', description: 'Up to three decimals.' }) quantity: string;
  @ApiProperty({ example: '85000.00', description: 'CNY, exact.' }) unitPrice: string;
  @ApiProperty({ example: '10.00', description: 'Percent off this line.' }) discountPercent: string;
  @ApiProperty({
    example: '229500.00',
    description: 'CNY, exact: quantity × unit price less the line discount, rounded half up to the fen.',
  })
  lineTotal: string;
}

/** A quote as the API answers it and webhooks carry it. */
export class QuoteResource {
  @ApiProperty({ example: 88 }) id: number;
  @ApiProperty({ example: 'BJ-2026-0012' }) number: string;
  @ApiProperty({ example: 311 }) opportunityId: number;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ example: 12, description: 'The user who prepared it.' }) ownerId: number;
  @ApiProperty({ enum: QUOTE_STATUSES, example: 'pending_approval' }) status: string;
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiProperty({ example: '13.00', description: 'Percent.' }) taxRate: string;
  @ApiProperty({ example: false, description: 'Unit prices include the tax (含税价).' })
  pricesIncludeTax: boolean;
  @ApiProperty({ example: '5.00', description: 'Percent off the whole quote.' }) discountPercent: string;
  @ApiProperty({ format: 'date', example: '2026-12-31' }) validUntil: string;
  @ApiProperty({ type: 'string', nullable: true, example: '报价含安装调试，质保三年。' }) terms:
    string | null;
  @ApiProperty({ example: '255000.00', description: 'The lines at list price.' }) listTotal: string;
  @ApiProperty({ example: '229500.00', description: 'Σ line totals.' }) subtotal: string;
  @ApiProperty({ example: '11475.00' }) discountAmount: string;
  @ApiProperty({ example: '218025.00', description: 'Without tax.' }) net: string;
  @ApiProperty({ example: '28343.25' }) tax: string;
  @ApiProperty({ example: '246368.25', description: 'net + tax.' }) total: string;
  @ApiProperty({ type: [QuoteLineResource] }) lines: QuoteLineResource[];
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) sentAt: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-20T02:10:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:35:12.000Z' }) updatedAt: string;
  @ApiProperty({ example: 2, description: 'Row version: send it back with an edit or a submission.' })
  version: number;
}

export class QuotePage {
  @ApiProperty({ type: [QuoteResource] }) data: QuoteResource[];
  @ApiProperty({ type: 'string', nullable: true, example: 'ODg' }) next: string | null;
}

export const toQuoteResource = (q: Quote, lines: QuoteLine[]): QuoteResource => ({
  id: q.id,
  number: q.number,
  opportunityId: q.opportunityId,
  customerId: q.customerId,
  ownerId: q.ownerId,
  status: q.status,
  currency: q.currency,
  taxRate: q.taxRate,
  pricesIncludeTax: q.pricesIncludeTax,
  discountPercent: q.discountPercent,
  validUntil: q.validUntil,
  terms: q.terms,
  listTotal: toNumeric(q.listTotal),
  subtotal: toNumeric(q.subtotal),
  discountAmount: toNumeric(q.discountAmount),
  net: toNumeric(q.net),
  tax: toNumeric(q.tax),
  total: toNumeric(q.total),
  lines: lines.map((l) => ({
    position: l.position,
    itemName: l.itemName,
    specification: l.specification,
    unit: l.unit,
    quantity: l.quantity,
    unitPrice: toNumeric(l.unitPrice),
    discountPercent: l.discountPercent,
    lineTotal: toNumeric(l.lineTotal),
  })),
  sentAt: isoTime(q.sentAt),
  createdAt: isoTime(q.createdAt)!,
  updatedAt: isoTime(q.updatedAt)!,
  version: q.version,
});
