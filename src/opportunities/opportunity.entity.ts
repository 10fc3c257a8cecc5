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
import { type Fen, moneyColumn } from '../common/money.js';
import type { LostReason, OpportunitySource, OpportunityStage } from './opportunity.options.js';

/**
 * A deal (商机) with a customer: what it is worth, how likely and when it closes, and where it stands.
 * The list reads one index per sort, by owner (a rep's or a team's deals as one index scan per owner)
 * and without the owner (the admin's whole list); the board reads each stage's sums and first cards
 * from one index by stage, or by owner and stage for a scope of owners.
 */
@Entity()
@Index('ix_opportunity_customer', ['customerId'])
@Index('ix_opportunity_owner_updated', ['ownerId', 'updatedAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_opportunity_owner_close', ['ownerId', 'expectedCloseDate', 'id'], {
  where: '"deleted_at" IS NULL',
})
@Index('ix_opportunity_owner_amount', ['ownerId', 'amount', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_opportunity_updated', ['updatedAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_opportunity_close', ['expectedCloseDate', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_opportunity_amount', ['amount', 'id'], { where: '"deleted_at" IS NULL' })
// The board's: by stage and expected close, INCLUDE what its figures and cards read; see KeepCustomerNameOnDeals.
@Index('ix_opportunity_stage_board', { synchronize: false })
// A rep's or a team's board: the same by owner first, INCLUDE (closed_at, amount, probability).
@Index('ix_opportunity_owner_stage_board', { synchronize: false })
// The won and lost columns: closed deals by stage and closing time, INCLUDE the same.
@Index('ix_opportunity_closed_board', { synchronize: false })
// The dashboard's at-risk list: open deals by last activity, with their customer; see AddAtRiskIndexes.
@Index('ix_opportunity_open_activity', { synchronize: false })
@Check(
  'ck_opportunity_stage',
  `"stage" IN ('initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost')`,
)
@Check('ck_opportunity_probability', `"probability" BETWEEN 0 AND 100`)
@Check('ck_opportunity_amount', `"amount" >= 0`)
@Check('ck_opportunity_lost_reason', `("stage" = 'lost') = ("lost_reason" IS NOT NULL)`)
export class Opportunity {
  @PrimaryGeneratedColumn()
  id: number;

  // The customer and owner are other modules' records: named, not imported; foreign keys only.
  @ManyToOne('Customer', { onDelete: 'CASCADE' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer' })
  customerId: number;

  /**
   * The customer's name as it is now, for the board's cards and the list's rows: the database keeps it
   * (a new or moved deal takes it, a renamed customer renames it; migration KeepCustomerNameOnDeals),
   * so Kehu never writes it.
   */
  @Column({ type: 'text', insert: false, update: false })
  customerName: string;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  owner?: never;

  @Column({ type: 'integer' })
  ownerId: number;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  stage: OpportunityStage;

  /** Exact CNY: numeric(14,2), read and written as fen. */
  @Column(moneyColumn())
  amount: Fen;

  /** Percent, 0–100: the stage's default unless the owner adjusted it. */
  @Column({ type: 'smallint' })
  probability: number;

  @Column({ type: 'date' })
  expectedCloseDate: string;

  @Column({ type: 'text', nullable: true })
  competitors: string | null;

  @Column({ type: 'text', nullable: true })
  nextStep: string | null;

  @Column({ type: 'text', nullable: true })
  source: OpportunitySource | null;

  /** Set exactly while the deal is lost. */
  @Column({ type: 'text', nullable: true })
  lostReason: LostReason | null;

  @Column({ type: 'text', nullable: true })
  lostNote: string | null;

  /** When the deal was won or lost; null while open. */
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** Its last edit, stage change or follow-up: a deal idle for too long is stale. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastActivityAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
