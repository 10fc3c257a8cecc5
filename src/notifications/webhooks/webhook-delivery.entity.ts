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

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event on its way to one endpoint: tried until it is answered 2xx or 24 hours have passed. */
@Entity()
@Index('ix_webhook_delivery_due', ['nextAttemptAt'], { where: `status = 'pending'` })
@Index('ix_webhook_delivery_endpoint', ['endpointId', 'createdAt'])
@Check('ck_webhook_delivery_status', `"status" IN ('pending', 'delivered', 'failed')`)
export class WebhookDelivery {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne('WebhookEndpoint', { onDelete: 'CASCADE' })
  @JoinColumn()
  endpoint?: never;

  @Column({ type: 'integer' })
  endpointId: number;

  @ManyToOne('WebhookEvent', { onDelete: 'CASCADE' })
  @JoinColumn()
  event?: never;

  @Column({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  /** The receiver's last answer (null: none, e.g. a refused connection). */
  @Column({ type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'integer', nullable: true })
  durationMs: number | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
