import { Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { Contract } from './contract.entity.js';

/**
 * A contract's payment plan (回款计划) as one versioned record: its installments change together, and
 * a save made on an older version than the stored one is refused. Stored once a plan is first saved.
 */
@Entity()
export class PaymentPlan {
  @PrimaryColumn({ type: 'integer' })
  contractId: number;

  @OneToOne(() => Contract, { onDelete: 'CASCADE' })
  @JoinColumn()
  contract?: never;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
