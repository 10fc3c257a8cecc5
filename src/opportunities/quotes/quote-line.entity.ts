import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { type Fen, moneyColumn } from '../../common/money.js';

/** One line of a quote: what, how many at what price, its discount and its total (quote-totals.ts). */
@Entity()
@Index('uq_quote_line_position', ['quoteId', 'position'], { unique: true })
@Check('ck_quote_line_quantity', `"quantity" > 0`)
@Check('ck_quote_line_unit_price', `"unit_price" >= 0`)
@Check('ck_quote_line_discount', `"discount_percent" BETWEEN 0 AND 100`)
@Check('ck_quote_line_total', `"line_total" >= 0`)
export class QuoteLine {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne('Quote', { onDelete: 'CASCADE' })
  @JoinColumn()
  quote?: never;

  @Column({ type: 'integer' })
  quoteId: number;

  /** 1, 2, 3… as printed. */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ type: 'text' })
  itemName: string;

  @Column({ type: 'text', nullable: true })
  specification: string | null;

  @Column({ type: 'text', nullable: true })
  unit: string | null;

  /** numeric(14,3) text: "2.500". */
  @Column({ type: 'numeric', precision: 14, scale: 3 })
  quantity: string;

  @Column(moneyColumn())
  unitPrice: Fen;

  /** Percent, numeric(5,2) text. */
  @Column({ type: 'numeric', precision: 5, scale: 2, default: 0 })
  discountPercent: string;

  @Column(moneyColumn())
  lineTotal: Fen;
}
