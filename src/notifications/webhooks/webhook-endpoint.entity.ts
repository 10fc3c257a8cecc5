import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/**
 * An address an admin registered to be told of events (customer.created, …). Deliveries are signed
 * with `secret`. A private or loopback address is reached only when the admin marked it `internal`.
 * An endpoint failing for 24 hours is paused (`active` false) and its admin told.
 */
@Entity()
export class WebhookEndpoint {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  url: string;

  /** Event types it receives. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  events: string[];

  /** The HMAC-SHA256 key deliveries are signed with (kept readable: signing needs it). */
  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The admin allowed a private or loopback target (an ERP on the company's own network). */
  @Column({ type: 'boolean', default: false })
  internal: boolean;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Since when every delivery has failed (null: the last one went through). */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @ManyToOne('User', { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn()
  createdBy?: never;

  @Column({ type: 'integer', nullable: true })
  createdById: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
