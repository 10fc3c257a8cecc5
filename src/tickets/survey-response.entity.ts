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
import type { Locale } from '../common/roles.js';
import type { SurveyKind } from './ticket.options.js';

/**
 * A survey sent to a customer's contact and, once answered, its answer: after a resolved ticket the
 * satisfaction score (CSAT 1–5) and the effort question (CES 1–7), after a completed contract the
 * satisfaction score, quarterly the NPS question (0–10); a comment with any of them. The link
 * /survey/:token works once and until `expiresAt`.
 */
@Entity()
@Index('ux_survey_response_token', ['token'], { unique: true })
@Index('ix_survey_response_customer', ['customerId', 'sentAt'])
@Index('ix_survey_response_ticket', ['ticketId'], { where: '"ticket_id" IS NOT NULL' })
@Index('ix_survey_response_answered', ['answeredAt'], { where: '"answered_at" IS NOT NULL' })
@Check('ck_survey_response_kind', `"kind" IN ('ticket', 'contract', 'nps')`)
@Check('ck_survey_response_csat', `"csat" IS NULL OR "csat" BETWEEN 1 AND 5`)
@Check('ck_survey_response_ces', `"ces" IS NULL OR "ces" BETWEEN 1 AND 7`)
@Check('ck_survey_response_nps', `"nps" IS NULL OR "nps" BETWEEN 0 AND 10`)
@Check('ck_survey_response_subject', `("kind" = 'ticket') = ("ticket_id" IS NOT NULL)`)
export class SurveyResponse {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text' })
  kind: SurveyKind;

  @ManyToOne('Ticket', { onDelete: 'CASCADE' })
  @JoinColumn()
  ticket?: never;

  @Column({ type: 'integer', nullable: true })
  ticketId: number | null;

  /** The completed contract it asks about (contracts are another module's records: an id only). */
  @Column({ type: 'integer', nullable: true })
  contractId: number | null;

  @ManyToOne('Customer', { onDelete: 'CASCADE' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer' })
  customerId: number;

  @Column({ type: 'integer', nullable: true })
  contactId: number | null;

  /** Where the invitation went. */
  @Column({ type: 'text' })
  sentTo: string;

  /** The unguessable part of /survey/:token. */
  @Column({ type: 'text' })
  token: string;

  @Column({ type: 'timestamptz' })
  sentAt: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'smallint', nullable: true })
  csat: number | null;

  @Column({ type: 'smallint', nullable: true })
  ces: number | null;

  @Column({ type: 'smallint', nullable: true })
  nps: number | null;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  /** The language of the invitation (a contract or NPS survey; a ticket's follows the ticket's). */
  @Column({ type: 'text', default: 'zh-CN' })
  locale: Locale;

  /** What a contract survey asks about (the contract's number), named on its page; null for the others. */
  @Column({ type: 'text', nullable: true })
  subject: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
