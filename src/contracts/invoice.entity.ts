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
import type { InvoiceType } from './payment.options.js';

/**
 * An invoice (发票) issued against a contract: its number as the tax system issued it (recorded once),
 * the day, the amount (tax included), the type (增值税专用发票 or 普通发票) and the VAT rate in percent.
 * The standing invoices of a contract together never exceed its amount. One issued by mistake is
 * reversed by a red-letter invoice (红冲): kept, with who reversed it, when and why, no longer counted.
 */
@Entity()
@Index('ux_invoice_contract_number', ['contractId', 'number'], { unique: true })
@Check('ck_invoice_amount', `"amount" > 0`)
@Check('ck_invoice_reversal', `("reversed_at" IS NULL) = ("reversal_reason" IS NULL)`)
@Check('ck_invoice_type', `"type" IN ('vat_special', 'vat_general')`)
@Check('ck_invoice_tax_rate', `"tax_rate" >= 0 AND "tax_rate" <= 100`)
export class Invoice {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE' })
  @JoinColumn()
  contract?: never;

  @Column({ type: 'integer' })
  contractId: number;

  @Column({ type: 'text' })
  number: string;

  @Column({ type: 'date' })
  issuedOn: string;

  @Column(moneyColumn())
  amount: Fen;

  @Column({ type: 'text' })
  type: InvoiceType;

  /** Percent, e.g. "13.00". */
  @Column({ type: 'numeric', precision: 5, scale: 2 })
  taxRate: string;

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
