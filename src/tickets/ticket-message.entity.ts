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
import { Ticket } from './ticket.entity.js';

/**
 * One entry of a ticket's conversation: the customer's request and replies (portal, e-mail, or noted
 * by an agent from a call), an agent's public reply (e-mailed to the customer) or an internal note
 * (never shown or sent to the customer). Files attached to it are attachments owned by
 * `ticket_message` and its id.
 */
@Entity()
@Index('ix_ticket_message_ticket', ['ticketId', 'createdAt', 'id'])
@Index('ux_ticket_message_mail', ['mailMessageId'], { unique: true, where: '"mail_message_id" IS NOT NULL' })
@Check('ck_ticket_message_author', `"from_customer" OR "author_id" IS NOT NULL`)
@Check('ck_ticket_message_internal', `NOT ("internal" AND "from_customer")`)
export class TicketMessage {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn()
  ticket?: never;

  @Column({ type: 'integer' })
  ticketId: number;

  /** The agent who wrote it; null when it came from the customer. */
  @ManyToOne('User', { onDelete: 'RESTRICT' })
  @JoinColumn()
  author?: never;

  @Column({ type: 'integer', nullable: true })
  authorId: number | null;

  /** The name shown on the message: the agent's, or the requester's as they gave it. */
  @Column({ type: 'text' })
  authorName: string;

  @Column({ type: 'boolean' })
  fromCustomer: boolean;

  @Column({ type: 'boolean', default: false })
  internal: boolean;

  @Column({ type: 'text' })
  body: string;

  /** The earlier conversation an e-mail quoted, folded away under the message. */
  @Column({ type: 'text', nullable: true })
  quoted: string | null;

  /** The e-mail's Message-ID: the same mail delivered twice joins the conversation once. */
  @Column({ type: 'text', nullable: true })
  mailMessageId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
