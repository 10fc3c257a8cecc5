import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Something that happened, written in the same transaction as the change (the outbox): its id is the
 * one receivers de-duplicate by, however often it is delivered.
 */
@Entity()
export class WebhookEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  /** The resource as the API returns it. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;
}
