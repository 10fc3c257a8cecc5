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
import { type Fen, moneyColumn } from '../../common/money.js';
import type { QuoteStatus } from './quote.options.js';

/**
 * A quote (报价单) on a deal: numbered BJ-YYYY-NNNN, its lines, discount, tax and validity, and its
 * figures stored exactly as quote-totals.ts computed them when it was saved. Who may see and act on it
 * follows its deal's owner (QuotePolicy); `ownerId` is the rep who prepared it.
 */
@Entity()
@Index('uq_quote_number', ['number'], { unique: true })
@Index('ix_quote_opportunity', ['opportunityId', 'createdAt'])
@Index('ix_quote_customer', ['customerId', 'createdAt'])
@Index('ix_quote_sent_valid', ['validUntil'], { where: `"status" = 'sent' AND "deleted_at" IS NULL` })
@Check(
  'ck_quote_status',
  `"status" IN ('draft', 'pending_approval', 'approved', 'rejected', 'sent', 'accepted', 'expired')`,
)
@Check('ck_quote_currency', `"currency" = 'CNY'`)
@Check('ck_quote_tax_rate', `"tax_rate" BETWEEN 0 AND 100`)
@Check('ck_quote_discount', `"discount_percent" BETWEEN 0 AND 100`)
@Check('ck_quote_totals', `"net" + "tax" = "total" AND "subtotal" - "discount_amount" >= 0`)
export class Quote {
  @PrimaryGeneratedColumn()
  id: number;

  /** BJ-2026-0001: from the shared gapless sequence, taken in the creating transaction. */
  @Column({ type: 'text' })
  number: string;

  @ManyToOne('Opportunity', { onDelete: 'CASCADE' })
  @JoinColumn()
  opportunity?: never;

  @Column({ type: 'integer' })
  opportunityId: number;

  /** The deal's customer, kept here so the customer's 360° page and a merge find quotes directly. */
  @ManyToOne('Customer', { onDelete: 'CASCADE' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer' })
  customerId: number;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  owner?: never;

  @Column({ type: 'integer' })
  ownerId: number;

  @Column({ type: 'text' })
  status: QuoteStatus;

  @Column({ type: 'text', default: 'CNY' })
  currency: string;

  /** Percent, as numeric(5,2) text: "13.00". */
  @Column({ type: 'numeric', precision: 5, scale: 2 })
  taxRate: string;

  /** Unit prices include the tax (含税价). */
  @Column({ type: 'boolean' })
  pricesIncludeTax: boolean;

  /** The overall discount, percent, as numeric(5,2) text. */
  @Column({ type: 'numeric', precision: 5, scale: 2, default: 0 })
  discountPercent: string;

  @Column({ type: 'date' })
  validUntil: string;

  @Column({ type: 'text', nullable: true })
  terms: string | null;

  /** The lines at list price, before any discount (for the whole discount the threshold compares). */
  @Column(moneyColumn())
  listTotal: Fen;

  @Column(moneyColumn())
  subtotal: Fen;

  @Column(moneyColumn())
  discountAmount: Fen;

  @Column(moneyColumn())
  net: Fen;

  @Column(moneyColumn())
  tax: Fen;

  @Column(moneyColumn())
  total: Fen;

  /** When it was marked sent to the customer. */
  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
