import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { type Fen, moneyColumn } from '../common/money.js';
import { Contract } from './contract.entity.js';

/**
 * One line of a contract: what, how many, at what price. The quantity has up to three decimals (1.5
 * 吨); the line total is quantity × unit price rounded half up to the fen, and the database checks it.
 */
@Entity()
@Index('ux_contract_line_position', ['contractId', 'position'], { unique: true })
@Check('ck_contract_line_quantity', `"quantity" > 0`)
@Check('ck_contract_line_unit_price', `"unit_price" >= 0`)
@Check('ck_contract_line_total', `"line_total" = round("quantity" * "unit_price", 2)`)
export class ContractLine {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Contract, { onDelete: 'CASCADE' })
  @JoinColumn()
  contract?: never;

  @Column({ type: 'integer' })
  contractId: number;

  /** 1, 2, 3 … in the order the lines are shown and printed. */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ type: 'text' })
  item: string;

  @Column({ type: 'text', nullable: true })
  specification: string | null;

  @Column({ type: 'text', nullable: true })
  unit: string | null;

  /** Exact: numeric(12,3) as text ("1.500"). */
  @Column({ type: 'numeric', precision: 12, scale: 3 })
  quantity: string;

  @Column(moneyColumn())
  unitPrice: Fen;

  @Column(moneyColumn())
  lineTotal: Fen;
}
