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

export type RoundStatus = 'pending' | 'approved' | 'rejected';

/**
 * One round of approval of a record (a quote, a contract): submitted once, decided once. A record
 * resubmitted after a rejection gets its next round; every round stays as its history. At most one
 * round of a record is pending at a time (uq_approval_round_pending).
 */
@Entity()
@Index('uq_approval_round_number', ['subjectKind', 'subjectId', 'round'], { unique: true })
@Index('uq_approval_round_pending', ['subjectKind', 'subjectId'], {
  unique: true,
  where: `"status" = 'pending'`,
})
@Index('ix_approval_round_requester', ['requestedById', 'createdAt'])
@Check('ck_approval_round_status', `"status" IN ('pending', 'approved', 'rejected')`)
@Check('ck_approval_round_decided', `("status" = 'pending') = ("decided_at" IS NULL)`)
@Check('ck_approval_round_number', `"round" >= 1`)
export class ApprovalRound {
  @PrimaryGeneratedColumn()
  id: number;

  /** The registered subject kind: quote, contract. */
  @Column({ type: 'text' })
  subjectKind: string;

  @Column({ type: 'integer' })
  subjectId: number;

  /** 1 for a record's first submission, 2 for its resubmission… */
  @Column({ type: 'integer' })
  round: number;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  url: string;

  @Column(moneyColumn({ nullable: true }))
  amount: Fen | null;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  requestedBy?: never;

  @Column({ type: 'integer' })
  requestedById: number;

  @Column({ type: 'text', default: 'pending' })
  status: RoundStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
