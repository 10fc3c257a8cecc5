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

export const FOLLOW_UP_METHODS = ['phone', 'visit', 'email', 'wechat', 'meeting'] as const;
export type FollowUpMethod = (typeof FOLLOW_UP_METHODS)[number];

@Entity()
@Index('ix_follow_up_customer', ['customerId', 'happenedAt'])
@Index('ix_follow_up_author_next', ['authorId', 'nextFollowUpAt'])
@Index('ix_follow_up_opportunity', ['opportunityId', 'happenedAt'], { where: '"opportunity_id" IS NOT NULL' })
@Check('ck_follow_up_method', `"method" IN ('phone', 'visit', 'email', 'wechat', 'meeting')`)
export class FollowUp {
  @PrimaryGeneratedColumn()
  id: number;

  // The customer, contact and author are other modules' records: named, not imported; foreign keys only.
  @ManyToOne('Customer', { onDelete: 'CASCADE' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer' })
  customerId: number;

  @ManyToOne('Contact', { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  contact?: never;

  @Column({ type: 'integer', nullable: true })
  contactId: number | null;

  /** The deal it was logged against, if any (the deal's page lists it; it keeps the deal from going stale). */
  @ManyToOne('Opportunity', { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  opportunity?: never;

  @Column({ type: 'integer', nullable: true })
  opportunityId: number | null;

  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  author?: never;

  @Column({ type: 'integer' })
  authorId: number;

  @Column({ type: 'text' })
  method: FollowUpMethod;

  @Column({ type: 'timestamptz' })
  happenedAt: Date;

  @Column({ type: 'text' })
  summary: string;

  /** What sales promised the customer; service agents see these on the customer page. */
  @Column({ type: 'text', nullable: true })
  promises: string | null;

  @Column({ type: 'text', nullable: true })
  nextAction: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  nextFollowUpAt: Date | null;

  @Column({ type: 'text', nullable: true })
  location: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
