import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { type Fen, moneyColumn } from '../common/money.js';
import type { ContractStatus } from './contract.options.js';

/**
 * A contract (合同) with a customer: its number (HT-2026-0001), what is sold (its lines; the amount is
 * their sum), the dates, the payment terms, who signs for each side, and where it stands between
 * draft and completion. The list reads one index scan per owner by creation (with the status when
 * filtered by it), and the same without the owner for the admin's whole list.
 */
@Entity()
@Index('ux_contract_number', ['number'], { unique: true })
@Index('ix_contract_customer', ['customerId'])
@Index('ix_contract_opportunity', ['opportunityId'])
@Index('ix_contract_owner_status_created', ['ownerId', 'status', 'createdAt', 'id'], {
  where: '"deleted_at" IS NULL',
})
@Index('ix_contract_owner_created', ['ownerId', 'createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_contract_status_created', ['status', 'createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_contract_created', ['createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Check(
  'ck_contract_status',
  `"status" IN ('draft', 'pending_approval', 'approved', 'rejected', 'signed', 'completed', 'terminated')`,
)
@Check('ck_contract_amount', `"amount" >= 0`)
@Check('ck_contract_currency', `"currency" = 'CNY'`)
@Check('ck_contract_dates', `"end_on" IS NULL OR "start_on" IS NULL OR "end_on" >= "start_on"`)
@Check(
  'ck_contract_signed',
  `("status" IN ('signed', 'completed', 'terminated')) = ("signed_on" IS NOT NULL)`,
)
@Check('ck_contract_terminated', `("status" = 'terminated') = ("termination_reason" IS NOT NULL)`)
@Check('ck_contract_rounds', `"approval_rounds" >= 0`)
export class Contract {
  @PrimaryGeneratedColumn()
  id: number;

  /** HT-YYYY-NNNN, from the shared gapless numbering, taken in the creating transaction. */
  @Column({ type: 'text' })
  number: string;

  // Other modules' records: named, not imported; foreign keys only.
  @ManyToOne('Customer', { onDelete: 'RESTRICT' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer' })
  customerId: number;

  /**
   * The customer's name as the contract names the party: set on creation and with every edit (a
   * signed contract keeps the name it was signed under); the list shows and searches it.
   */
  @Column({ type: 'text' })
  customerName: string;

  /** The won deal it came from, if any. */
  @ManyToOne('Opportunity', { onDelete: 'SET NULL' })
  @JoinColumn()
  opportunity?: never;

  @Column({ type: 'integer', nullable: true })
  opportunityId: number | null;

  /** The accepted quote whose lines it carried over, if any (quotes are another module's records). */
  @Column({ type: 'integer', nullable: true })
  quoteId: number | null;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  owner?: never;

  @Column({ type: 'integer' })
  ownerId: number;

  @Column({ type: 'text' })
  title: string;

  /** Exact CNY, always the sum of the lines' totals. */
  @Column(moneyColumn())
  amount: Fen;

  @Column({ type: 'text', default: 'CNY' })
  currency: string;

  @Column({ type: 'date', nullable: true })
  signedOn: string | null;

  /** When the contract was marked completed: its satisfaction survey goes out seven days later. */
  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'date', nullable: true })
  startOn: string | null;

  @Column({ type: 'date', nullable: true })
  endOn: string | null;

  @Column({ type: 'text', nullable: true })
  paymentTerms: string | null;

  @Column({ type: 'text', nullable: true })
  ourSignatoryName: string | null;

  @Column({ type: 'text', nullable: true })
  ourSignatoryTitle: string | null;

  @Column({ type: 'text', nullable: true })
  customerSignatoryName: string | null;

  @Column({ type: 'text', nullable: true })
  customerSignatoryTitle: string | null;

  @Column({ type: 'text' })
  status: ContractStatus;

  /** Why a terminated contract ended early; set exactly while it is terminated. */
  @Column({ type: 'text', nullable: true })
  terminationReason: string | null;

  /** How many times it was submitted for approval (each submission is one round of the engine). */
  @Column({ type: 'integer', default: 0 })
  approvalRounds: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
