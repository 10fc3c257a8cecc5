import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../common/api/api-page.js';
import { toNumeric } from '../common/money.js';
import type { ContractLine } from './contract-line.entity.js';
import type { Contract } from './contract.entity.js';
import { CONTRACT_STATUSES } from './contract.options.js';

/** A line as the API answers it: quantities and money as exact decimal strings. */
export class ContractLineResource {
  @ApiProperty({ example: 1 }) position: number;
  @ApiProperty({ example: '服务器' }) item: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'Dell R760, 2 × Xeon 6430' }) specification:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '台' }) unit: string | null;
  @ApiProperty({ example: '2.000', description: 'Exact, up to three decimals.' }) quantity: string;
  @ApiProperty({ example: '68000.00', description: 'CNY, exact.' }) unitPrice: string;
  @ApiProperty({ example: '136000.00', description: 'quantity × unit price, rounded half up to the fen.' })
  lineTotal: string;
}

/** A contract as the API answers it and webhooks carry it. */
export class ContractResource {
  @ApiProperty({ example: 58 }) id: number;
  @ApiProperty({ example: 'HT-2026-0058' }) number: string;
  @ApiProperty({ example: 1207 }) customerId: number;
  @ApiProperty({ example: '上海华信科技有限公司', description: 'The party as the contract names it.' })
  customerName: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 311 }) opportunityId: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: null }) quoteId: number | null;
  @ApiProperty({ example: 12 }) ownerId: number;
  @ApiProperty({ example: '服务器扩容项目' }) title: string;
  @ApiProperty({ enum: CONTRACT_STATUSES, example: 'draft' }) status: string;
  @ApiProperty({ example: '136000.00', description: 'CNY, exact: the sum of the lines.' }) amount: string;
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, example: null }) signedOn: string | null;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, example: '2027-01-01' }) startOn:
    string | null;
  @ApiProperty({ type: 'string', format: 'date', nullable: true, example: '2027-12-31' }) endOn:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '签约后 10 个工作日内支付 30%' }) paymentTerms:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '王经理' }) ourSignatoryName: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '销售总监' }) ourSignatoryTitle: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '李总' }) customerSignatoryName: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '总经理' }) customerSignatoryTitle: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: null }) terminationReason: string | null;
  @ApiProperty({ example: 0, description: 'How many times it was submitted for approval.' })
  approvalRounds: number;
  @ApiProperty({ type: [ContractLineResource] }) lines: ContractLineResource[];
  @ApiProperty({ format: 'date-time', example: '2026-11-20T02:10:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-28T06:35:12.000Z' }) updatedAt: string;
  @ApiProperty({ example: 1, description: 'Row version: send it back with an edit or a status change.' })
  version: number;
}

export class ContractPage {
  @ApiProperty({ type: [ContractResource] }) data: ContractResource[];
  @ApiProperty({ type: 'string', nullable: true, example: 'NTg' }) next: string | null;
}

export const toContractLineResource = (l: ContractLine): ContractLineResource => ({
  position: l.position,
  item: l.item,
  specification: l.specification,
  unit: l.unit,
  quantity: l.quantity,
  unitPrice: toNumeric(l.unitPrice),
  lineTotal: toNumeric(l.lineTotal),
});

export const toContractResource = (c: Contract, lines: ContractLine[]): ContractResource => ({
  id: c.id,
  number: c.number,
  customerId: c.customerId,
  customerName: c.customerName,
  opportunityId: c.opportunityId,
  quoteId: c.quoteId,
  ownerId: c.ownerId,
  title: c.title,
  status: c.status,
  amount: toNumeric(c.amount),
  currency: c.currency,
  signedOn: c.signedOn,
  startOn: c.startOn,
  endOn: c.endOn,
  paymentTerms: c.paymentTerms,
  ourSignatoryName: c.ourSignatoryName,
  ourSignatoryTitle: c.ourSignatoryTitle,
  customerSignatoryName: c.customerSignatoryName,
  customerSignatoryTitle: c.customerSignatoryTitle,
  terminationReason: c.terminationReason,
  approvalRounds: c.approvalRounds,
  lines: lines.map(toContractLineResource),
  createdAt: isoTime(c.createdAt)!,
  updatedAt: isoTime(c.updatedAt)!,
  version: c.version,
});
