import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  CreateDateColumn,
} from 'typeorm';

/**
 * One firing of an automation rule: which rule, about what (a customer, a survey, a contract, a
 * contact, a user) and for which period (a day, a quarter, a week). The unique index is the rule's
 * memory: the row is inserted in the transaction that acts, so a rerun or a second app instance
 * finds it taken and does nothing. Firings about a customer show on its 360° timeline.
 */
@Entity()
@Index('ux_rule_firing_once', ['rule', 'subjectKind', 'subjectId', 'period'], { unique: true })
@Index('ix_rule_firing_customer', ['customerId', 'firedAt'], { where: '"customer_id" IS NOT NULL' })
export class RuleFiring {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  rule: string;

  @Column({ type: 'text' })
  subjectKind: string;

  @Column({ type: 'integer' })
  subjectId: number;

  /** The span the rule fires once in: a day (2026-03-01), a quarter (2026-Q1), a week, or `once`. */
  @Column({ type: 'text' })
  period: string;

  @ManyToOne('Customer', { onDelete: 'CASCADE' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer', nullable: true })
  customerId: number | null;

  /** What the timeline and the audit log say of it: names and figures, never markup. */
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, string | number | null>;

  @CreateDateColumn({ type: 'timestamptz' })
  firedAt: Date;
}
