import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from '../common/api/api-page.js';
import { toNumeric } from '../common/money.js';
import type { Invoice } from './invoice.entity.js';
import type { Allocation } from './payment-allocations.js';
import type { PaymentInstallment } from './payment-installment.entity.js';
import type { Payment } from './payment.entity.js';
import { INVOICE_TYPES, PAYMENT_METHODS } from './payment.options.js';

/** An installment of a plan as the API answers it. */
export class InstallmentResource {
  @ApiProperty({ example: 311 }) id: number;
  @ApiProperty({ example: 1 }) position: number;
  @ApiProperty({ type: 'string', format: 'date', example: '2027-01-15' }) dueOn: string;
  @ApiProperty({ example: '45335.03', description: 'CNY, exact.' }) amount: string;
  @ApiProperty({ example: '20000.00', description: 'Covered by payments so far.' }) collected: string;
  @ApiProperty({ type: 'string', nullable: true, example: '签约后 10 个工作日内' }) note: string | null;
}

/** A contract's payment plan (回款计划). */
export class PaymentPlanResource {
  @ApiProperty({ example: 58 }) contractId: number;
  @ApiProperty({ example: 2, description: 'Send it back with the next PUT; 0: no plan yet.' })
  version: number;
  @ApiProperty({ type: [InstallmentResource] }) installments: InstallmentResource[];
}

/** The part of a payment that went to one installment. */
export class AllocationResource {
  @ApiProperty({ example: 311 }) installmentId: number;
  @ApiProperty({ example: '20000.00' }) amount: string;
}

/** A payment received (回款), as the API answers it and the payment.received event carries it. */
export class PaymentResource {
  @ApiProperty({ example: 902 }) id: number;
  @ApiProperty({ example: 58 }) contractId: number;
  @ApiProperty({ type: 'string', format: 'date', example: '2027-01-12' }) receivedOn: string;
  @ApiProperty({ example: '20000.00', description: 'CNY, exact.' }) amount: string;
  @ApiProperty({ enum: PAYMENT_METHODS, example: 'bank_transfer' }) method: string;
  @ApiProperty({ type: 'string', nullable: true, example: '招商银行 流水号 20270112-0038' }) reference:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: null }) note: string | null;
  @ApiProperty({ type: [AllocationResource] }) allocations: AllocationResource[];
  @ApiProperty({ example: 12 }) recordedById: number;
  @ApiProperty({ format: 'date-time', example: '2027-01-12T03:10:00.000Z' }) createdAt: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null }) reversedAt:
    string | null;
  @ApiProperty({ type: 'string', nullable: true, example: null }) reversalReason: string | null;
}

/** A contract's payments with its money so far. */
export class PaymentList {
  @ApiProperty({ type: [PaymentResource] }) data: PaymentResource[];
  @ApiProperty({ example: '20000.00' }) collected: string;
  @ApiProperty({ example: '116005.10' }) outstanding: string;
  @ApiProperty({ example: '25335.03', description: 'Installments due before today and not collected.' })
  overdue: string;
}

/** An invoice issued (开票). */
export class InvoiceResource {
  @ApiProperty({ example: 77 }) id: number;
  @ApiProperty({ example: 58 }) contractId: number;
  @ApiProperty({ example: '04400212345678' }) number: string;
  @ApiProperty({ type: 'string', format: 'date', example: '2027-01-10' }) issuedOn: string;
  @ApiProperty({ example: '45335.03', description: 'CNY, tax included.' }) amount: string;
  @ApiProperty({ enum: INVOICE_TYPES, example: 'vat_special' }) type: string;
  @ApiProperty({ example: '13.00', description: 'Percent.' }) taxRate: string;
  @ApiProperty({ type: 'string', nullable: true, example: null }) note: string | null;
  @ApiProperty({ format: 'date-time', example: '2027-01-10T02:00:00.000Z' }) createdAt: string;
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'When it was reversed by a red-letter invoice (红冲); a reversed invoice is not counted.',
  })
  reversedAt: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: null }) reversalReason: string | null;
}

/** A contract's invoices and the gaps between invoicing and collection. */
export class InvoiceList {
  @ApiProperty({ type: [InvoiceResource] }) data: InvoiceResource[];
  @ApiProperty({ example: '45335.03' }) invoiced: string;
  @ApiProperty({ example: '25335.03' }) invoicedNotCollected: string;
  @ApiProperty({ example: '0.00' }) collectedNotInvoiced: string;
}

export const toInstallmentResource = (i: PaymentInstallment): InstallmentResource => ({
  id: i.id,
  position: i.position,
  dueOn: i.dueOn,
  amount: toNumeric(i.amount),
  collected: toNumeric(i.collected),
  note: i.note,
});

export const toPaymentResource = (p: Payment & { allocations: Allocation[] }): PaymentResource => ({
  id: p.id,
  contractId: p.contractId,
  receivedOn: p.receivedOn,
  amount: toNumeric(p.amount),
  method: p.method,
  reference: p.reference,
  note: p.note,
  allocations: p.allocations.map((a) => ({ installmentId: a.installmentId, amount: toNumeric(a.amount) })),
  recordedById: p.recordedById,
  createdAt: isoTime(p.createdAt)!,
  reversedAt: isoTime(p.reversedAt),
  reversalReason: p.reversalReason,
});

export const toInvoiceResource = (i: Invoice): InvoiceResource => ({
  id: i.id,
  contractId: i.contractId,
  number: i.number,
  issuedOn: i.issuedOn,
  amount: toNumeric(i.amount),
  type: i.type,
  taxRate: i.taxRate,
  note: i.note,
  createdAt: isoTime(i.createdAt)!,
  reversedAt: isoTime(i.reversedAt),
  reversalReason: i.reversalReason,
});
