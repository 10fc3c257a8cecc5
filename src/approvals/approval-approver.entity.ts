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
import type { ApprovalDecision } from './approvals.types.js';
import { ApprovalStep } from './approval-step.entity.js';

/**
 * One approver of a step and their decision. A substitute for a deactivated approver takes their row
 * and names them in `replacedFromId`; nobody is on a step twice.
 */
@Entity()
@Index('uq_approval_approver_step_user', ['stepId', 'userId'], { unique: true })
@Index('ix_approval_approver_user', ['userId', 'decidedAt'])
@Check('ck_approval_approver_decision', `"decision" IS NULL OR "decision" IN ('approve', 'reject')`)
@Check('ck_approval_approver_decided', `("decision" IS NULL) = ("decided_at" IS NULL)`)
export class ApprovalApprover {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => ApprovalStep, { onDelete: 'CASCADE' })
  @JoinColumn()
  step?: never;

  @Column({ type: 'integer' })
  stepId: number;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  user?: never;

  @Column({ type: 'integer' })
  userId: number;

  @Column({ type: 'text', nullable: true })
  decision: ApprovalDecision | null;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  /** The deactivated approver this one stands in for. */
  @ManyToOne('User', { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn()
  replacedFrom?: never;

  @Column({ type: 'integer', nullable: true })
  replacedFromId: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** When this approver was asked: their step began, or they came in as a substitute. Reminders count from it. */
  @Column({ type: 'timestamptz', nullable: true })
  askedAt: Date | null;

  /** When they were reminded of the step (once). */
  @Column({ type: 'timestamptz', nullable: true })
  remindedAt: Date | null;
}
