import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { type Fen, moneyColumn } from '../common/money.js';
import { PaymentInstallment } from './payment-installment.entity.js';
import { Payment } from './payment.entity.js';

/** The part of a payment that went to one installment; a reversal gives it back. */
@Entity()
@Index('ix_payment_allocation_installment', ['installmentId'])
@Check('ck_payment_allocation_amount', `"amount" > 0`)
export class PaymentAllocation {
  @PrimaryColumn({ type: 'integer' })
  paymentId: number;

  @ManyToOne(() => Payment, { onDelete: 'CASCADE' })
  @JoinColumn()
  payment?: never;

  @PrimaryColumn({ type: 'integer' })
  installmentId: number;

  // A paid installment is never removed from a plan (the plan form refuses it): RESTRICT says so.
  @ManyToOne(() => PaymentInstallment, { onDelete: 'RESTRICT' })
  @JoinColumn()
  installment?: never;

  @Column(moneyColumn())
  amount: Fen;
}
