import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Contract } from './contract.entity.js';

/** That a contract's owner was reminded to renew it (once per contract, 30 days before its end). */
@Entity()
export class ContractRenewalReminder {
  @PrimaryColumn({ type: 'integer' })
  contractId: number;

  @OneToOne(() => Contract, { onDelete: 'CASCADE' })
  @JoinColumn()
  contract?: never;

  @Column({ type: 'timestamptz' })
  remindedAt: Date;
}
