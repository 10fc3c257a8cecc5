import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ApprovalMode } from './approvals.types.js';
import { ApprovalRound } from './approval-round.entity.js';

/**
 * waiting: a later step, not asked yet; pending: the step being decided; approved | rejected: its
 * decision; skipped: a later step of a rejected round.
 */
export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'skipped';

/** One step of a round: its approvers decide it together (会签, all) or the first of them (或签, any). */
@Entity()
@Index('uq_approval_step_position', ['roundId', 'position'], { unique: true })
@Index('ix_approval_step_pending', ['startedAt'], { where: `"status" = 'pending'` })
@Check('ck_approval_step_mode', `"mode" IN ('all', 'any')`)
@Check('ck_approval_step_status', `"status" IN ('waiting', 'pending', 'approved', 'rejected', 'skipped')`)
@Check('ck_approval_step_position', `"position" >= 1`)
export class ApprovalStep {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => ApprovalRound, { onDelete: 'CASCADE' })
  @JoinColumn()
  round?: never;

  @Column({ type: 'integer' })
  roundId: number;

  /** 1, 2…: the order steps are decided in. */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  mode: ApprovalMode;

  /** Locale key naming the step (approval.step.manager). */
  @Column({ type: 'text' })
  labelKey: string;

  @Column({ type: 'text' })
  status: StepStatus;

  /** When the step became the one to decide. */
  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
