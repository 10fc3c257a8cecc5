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
import type { OpportunityStage } from './opportunity.options.js';
import { Opportunity } from './opportunity.entity.js';

/**
 * One move of a deal between stages (from null: the deal was created there), by whom and when: the
 * deal's history, and what funnel conversion and cycle length are counted from.
 */
@Entity()
@Index('ix_opportunity_stage_change_opportunity', ['opportunityId', 'at'])
// The dashboard's funnel: a period's moves by time.
@Index('ix_opportunity_stage_change_at', ['at', 'opportunityId'])
@Check(
  'ck_opportunity_stage_change_to',
  `"to_stage" IN ('initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost')`,
)
export class OpportunityStageChange {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Opportunity, { onDelete: 'CASCADE' })
  @JoinColumn()
  opportunity?: never;

  @Column({ type: 'integer' })
  opportunityId: number;

  @Column({ type: 'text', nullable: true })
  fromStage: OpportunityStage | null;

  @Column({ type: 'text' })
  toStage: OpportunityStage;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  by?: never;

  @Column({ type: 'integer' })
  byId: number;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
