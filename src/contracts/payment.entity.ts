import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { type Fen, moneyColumn } from '../common/money.js';
import { Contract } from './contract.entity.js';
import type { PaymentMethod } from './payment.options.js';

/**
 * Money received against a contract (回款): the day, the amount, how it came (银行转账, 承兑汇票…) and
 * the bank's or bill's reference. Allocated to the plan's installments oldest first when recorded. A
 * mistaken entry is reversed (with a reason, by someone, at a time), never deleted: its allocations
 * are given back to the installments, and it stays on the record, struck through.
 */
@Entity()
@Index('ix_payment_contract', ['contractId', 'receivedOn', 'id'])
@Check('ck_payment_amount', `"amount" > 0`)
@Check(
  'ck_payment_method',
  `"method" IN ('bank_transfer', 'cash', 'cheque', 'acceptance_bill', 'wechat', 'alipay')`,
)
@Check('ck_payment_reversal', `("reversed_at" IS NULL) = ("reversal_reason" IS NULL)`)
export class Payment {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE' })
  @JoinColumn()
  contract?: never;

  @Column({ type: 'integer' })
  contractId: number;

  @Column({ type: 'date' })
  receivedOn: string;

  @Column(moneyColumn())
  amount: Fen;

  @Column({ type: 'text' })
  method: PaymentMethod;

  @Column({ type: 'text', nullable: true })
  reference: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  recordedBy?: never;

  @Column({ type: 'integer' })
  recordedById: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  reversedAt: Date | null;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  reversedBy?: never;

  @Column({ type: 'integer', nullable: true })
  reversedById: number | null;

  @Column({ type: 'text', nullable: true })
  reversalReason: string | null;
}
