import {
  Check,
  Column,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { TicketPriority } from './ticket.options.js';

/**
 * The service promise for a priority, optionally for one customer tier: first response and resolution
 * within so many business minutes (on the company's business calendar). A tier's own row wins over
 * the priority's general row (tier null).
 */
@Entity()
@Index('ux_sla_policy_priority', ['priority'], { unique: true, where: '"tier" IS NULL' })
@Index('ux_sla_policy_priority_tier', ['priority', 'tier'], { unique: true, where: '"tier" IS NOT NULL' })
@Check('ck_sla_policy_priority', `"priority" IN ('low', 'normal', 'high', 'urgent')`)
@Check('ck_sla_policy_tier', `"tier" IS NULL OR "tier" IN ('A', 'B', 'C')`)
@Check(
  'ck_sla_policy_minutes',
  `"first_response_minutes" > 0 AND "resolution_minutes" >= "first_response_minutes"`,
)
export class SlaPolicy {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  priority: TicketPriority;

  @Column({ type: 'text', nullable: true })
  tier: 'A' | 'B' | 'C' | null;

  @Column({ type: 'integer' })
  firstResponseMinutes: number;

  @Column({ type: 'integer' })
  resolutionMinutes: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
