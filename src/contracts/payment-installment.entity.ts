import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { type Fen, moneyColumn } from '../common/money.js';
import { Contract } from './contract.entity.js';

/**
 * One installment of a contract's payment plan: due on a day, an exact amount, and how much of it the
 * payments received so far cover (`collected`, kept with each payment and reversal under the
 * contract's lock). An installment is open while collected < amount; overdue when also due before
 * today. Open installments are read by contract (the contract page, My day) and by due day (the
 * morning reminder).
 */
@Entity()
@Index('ux_payment_installment_position', ['contractId', 'position'], { unique: true })
@Index('ix_payment_installment_open', ['contractId', 'dueOn'], { where: '"collected" < "amount"' })
@Index('ix_payment_installment_open_due', ['dueOn'], { where: '"collected" < "amount"' })
@Check('ck_payment_installment_amount', `"amount" > 0`)
@Check('ck_payment_installment_collected', `"collected" >= 0 AND "collected" <= "amount"`)
export class PaymentInstallment {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE' })
  @JoinColumn()
  contract?: never;

  @Column({ type: 'integer' })
  contractId: number;

  /** 1, 2, 3 … in the plan's order. */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ type: 'date' })
  dueOn: string;

  @Column(moneyColumn())
  amount: Fen;

  /** The part of the amount covered by payments (not reversed) allocated to it. */
  @Column({ ...moneyColumn(), default: 0 })
  collected: Fen;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** The last day its owner was reminded of it by e-mail (once a day at most). */
  @Column({ type: 'date', nullable: true })
  remindedOn: string | null;
}
