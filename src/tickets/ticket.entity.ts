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
import type { Locale } from '../common/roles.js';
import type { TicketChannel, TicketPriority, TicketStatus, TicketType } from './ticket.options.js';

/**
 * A service request (工单) from a customer: its number (T-000123), who asked and through which channel,
 * what it is about, who works on it, and its SLA clock. The clock starts at `receivedAt`; the due
 * times are business-calendar times computed on arrival and again when the priority changes; while
 * the ticket waits on the customer the clock stands still and the paused business minutes add up.
 * `dueAt` is the next target still running (first response, then resolution), null when none runs:
 * the queues sort by it.
 */
@Entity()
@Index('ux_ticket_number', ['number'], { unique: true })
@Index('ux_ticket_tracking_token', ['trackingToken'], { unique: true })
@Index('ix_ticket_customer', ['customerId', 'receivedAt'])
@Index('ix_ticket_team_status_due', ['teamId', 'status', 'dueAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('ix_ticket_assignee_status_due', ['assigneeId', 'status', 'dueAt', 'id'], {
  where: '"deleted_at" IS NULL',
})
@Index('ix_ticket_status_due', ['status', 'dueAt', 'id'], { where: '"deleted_at" IS NULL' })
// The unassigned, mine and team queues: running tickets by sort key, per team, assignee, unassigned
// and all; see migration AddRunningTicketQueueIndexes.
@Index('ix_ticket_running_team', { synchronize: false })
@Index('ix_ticket_running_assignee', { synchronize: false })
@Index('ix_ticket_running', { synchronize: false })
@Index('ix_ticket_running_unassigned_team', { synchronize: false })
@Index('ix_ticket_running_unassigned', { synchronize: false })
@Index('ix_ticket_resolved', ['resolvedAt', 'id'], {
  where: '"deleted_at" IS NULL AND "resolved_at" IS NOT NULL',
})
// The dashboard's at-risk list: open complaints by customer; see migration AddAtRiskIndexes.
@Index('ix_ticket_open_complaint', { synchronize: false })
// The SLA watch's reads: only the tickets each still looks at; see migrations AddSlaWatchIndexes and
// KeepSlaWarningInstants.
@Index('ix_ticket_first_response_unbreached', { synchronize: false })
@Index('ix_ticket_resolution_unbreached', { synchronize: false })
@Index('ix_ticket_first_response_unwarned', { synchronize: false })
@Index('ix_ticket_resolution_unwarned', { synchronize: false })
@Index('ix_ticket_warnings_unplaced', { synchronize: false })
// The dashboard's backlog: tickets gone, by when; see migration KeepKpiDayTotals.
@Index('ix_ticket_gone', { synchronize: false })
@Check('ck_ticket_channel', `"channel" IN ('portal', 'email', 'phone', 'wechat', 'visit', 'walk_in', 'web')`)
@Check('ck_ticket_type', `"type" IN ('consultation', 'technical', 'billing', 'complaint')`)
@Check('ck_ticket_priority', `"priority" IN ('low', 'normal', 'high', 'urgent')`)
@Check('ck_ticket_status', `"status" IN ('new', 'open', 'pending', 'resolved', 'closed')`)
@Check('ck_ticket_counts', `"reopen_count" >= 0 AND "public_reply_count" >= 0 AND "paused_minutes" >= 0`)
@Check('ck_ticket_paused', `("paused_at" IS NULL) OR "status" = 'pending'`)
export class Ticket {
  @PrimaryGeneratedColumn()
  id: number;

  /** T-000123, from the shared gapless numbering; mails carry it in their subject as [T-000123]. */
  @Column({ type: 'text' })
  number: string;

  // Other modules' records: named, not imported; foreign keys only.
  @ManyToOne('Customer', { onDelete: 'RESTRICT' })
  @JoinColumn()
  customer?: never;

  @Column({ type: 'integer' })
  customerId: number;

  /**
   * The customer's name as it is now, for the queues' rows: the database keeps it (a new or moved
   * ticket takes it, a renamed customer renames it; migration KeepCustomerNameOnTickets), so Kehu
   * never writes it.
   */
  @Column({ type: 'text', insert: false, update: false })
  customerName: string;

  @ManyToOne('Contact', { onDelete: 'SET NULL' })
  @JoinColumn()
  contact?: never;

  @Column({ type: 'integer', nullable: true })
  contactId: number | null;

  /** The requester as they gave themselves: replies go to this address or mobile. */
  @Column({ type: 'text' })
  requesterName: string;

  @Column({ type: 'text', nullable: true })
  requesterEmail: string | null;

  @Column({ type: 'text', nullable: true })
  requesterMobile: string | null;

  /**
   * Set when the requester matched no known contact and became a new contact on a new lead customer:
   * an agent confirms it or re-links the ticket to the right customer.
   */
  @Column({ type: 'boolean', default: false })
  requesterUnconfirmed: boolean;

  @Column({ type: 'text' })
  channel: TicketChannel;

  @Column({ type: 'text' })
  type: TicketType;

  @Column({ type: 'text' })
  priority: TicketPriority;

  @Column({ type: 'text', default: 'new' })
  status: TicketStatus;

  @Column({ type: 'text' })
  subject: string;

  /** The requester's language: Kehu's mails about the ticket are written in it. */
  @Column({ type: 'text', default: 'zh-CN' })
  locale: Locale;

  @ManyToOne('Team', { onDelete: 'SET NULL' })
  @JoinColumn()
  team?: never;

  @Column({ type: 'integer', nullable: true })
  teamId: number | null;

  @ManyToOne('User', { onDelete: 'SET NULL' })
  @JoinColumn()
  assignee?: never;

  @Column({ type: 'integer', nullable: true })
  assigneeId: number | null;

  /** The agent who logged it (phone, WeChat, visit, walk-in); null for portal and e-mail tickets. */
  @Column({ type: 'integer', nullable: true })
  createdById: number | null;

  /** When the request came in: the SLA clock starts here (an agent may log a call after the fact). */
  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  /** The targets in business minutes, from the SLA policy for the priority (and tier) in force. */
  @Column({ type: 'integer' })
  firstResponseTargetMinutes: number;

  @Column({ type: 'integer' })
  resolutionTargetMinutes: number;

  @Column({ type: 'timestamptz' })
  firstResponseDueAt: Date;

  @Column({ type: 'timestamptz' })
  resolutionDueAt: Date;

  /**
   * When each target's 80% warning falls due, worked out and moved with its due time (sla-clock.ts),
   * for the SLA watch to find by index. Null on a row written without it (before they were kept, or
   * by hand): the watch works it out for the running ones.
   */
  @Column({ type: 'timestamptz', nullable: true })
  firstResponseWarningDueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionWarningDueAt: Date | null;

  /** The next target still running, for sorting the queues; null while paused or once resolved. */
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** Since when the ticket waits on the customer (status pending); the clock stands still meanwhile. */
  @Column({ type: 'timestamptz', nullable: true })
  pausedAt: Date | null;

  /** Business minutes spent waiting on the customer, added to the due times when the clock resumes. */
  @Column({ type: 'integer', default: 0 })
  pausedMinutes: number;

  @Column({ type: 'timestamptz', nullable: true })
  firstRespondedAt: Date | null;

  /** Business minutes from arrival to the first public reply, pauses left out. */
  @Column({ type: 'integer', nullable: true })
  firstResponseMinutes: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  resolutionMinutes: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** The 80% warnings and the breaches, each notified once; the breach times stay for reports. */
  @Column({ type: 'timestamptz', nullable: true })
  firstResponseWarnedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  firstResponseBreachedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionWarnedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionBreachedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  reopenCount: number;

  /** Public agent replies: a ticket resolved with at most one and never reopened is first-contact resolved. */
  @Column({ type: 'integer', default: 0 })
  publicReplyCount: number;

  /** When merged as a duplicate: the ticket its conversation moved to (this one is then closed). */
  @ManyToOne(() => Ticket, { onDelete: 'SET NULL' })
  @JoinColumn()
  mergedInto?: never;

  @Column({ type: 'integer', nullable: true })
  mergedIntoId: number | null;

  /** The unguessable part of the customer's tracking link /portal/tickets/:token. */
  @Column({ type: 'text' })
  trackingToken: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @VersionColumn()
  version: number;
}
