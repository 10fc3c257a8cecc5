import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A mail waiting to be sent, sent, or given up after many attempts (an admin can retry it). */
@Entity()
@Index('ix_outbox_mail_due', ['nextAttemptAt'], { where: "status = 'pending'" })
@Index('ix_outbox_mail_created', ['createdAt'])
@Check('ck_outbox_mail_status', `"status" IN ('pending', 'sent', 'failed')`)
export class OutboxMail {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  to: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'text' })
  html: string;

  /** It holds a one-time link (a password reset): its text is never shown and is wiped once sent. */
  @Column({ type: 'boolean', default: false })
  secret: boolean;

  @Column({ type: 'text', default: 'pending' })
  status: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
