import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TicketType } from './ticket.options.js';

/** Which team a new ticket of a type goes to (the admin sets it); a type without a row stays unassigned. */
@Entity()
@Check('ck_ticket_routing_type', `"type" IN ('consultation', 'technical', 'billing', 'complaint')`)
export class TicketRouting {
  @PrimaryColumn({ type: 'text' })
  type: TicketType;

  @ManyToOne('Team', { onDelete: 'CASCADE' })
  @JoinColumn()
  team?: never;

  @Column({ type: 'integer' })
  teamId: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
