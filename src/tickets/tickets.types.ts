import type { TimelineItem } from '../common/customer-lifecycle.js';
import type { Locale } from '../common/roles.js';
import type { TicketAction } from './ticket.policy.js';
import type {
  SurveyKind,
  TicketChannel,
  TicketPriority,
  TicketStatus,
  TicketType,
} from './ticket.options.js';

/**
 * What TicketsService takes and answers: the inputs of its methods and the view models of the
 * ticket pages, the portal and the survey. Pages, the API and other modules build on these.
 */

/** A file as received from a form or a mail. */
export interface TicketUpload {
  fileName: string;
  bytes: Buffer;
}

/** The requester as they gave themselves (portal form, mail sender, an agent's notes of a call). */
export interface TicketRequester {
  name: string;
  company?: string | null;
  email?: string | null;
  mobile?: string | null;
}

export interface OpenTicketInput {
  channel: TicketChannel;
  type: TicketType;
  /** Default normal; VIP and tier-A customers get one level more. */
  priority?: TicketPriority;
  subject: string;
  body: string;
  requester: TicketRequester;
  /** An agent picking a known customer (and contact): no matching then. */
  customerId?: number | null;
  contactId?: number | null;
  /** When the request came in (agents only; default now; never in the future). */
  receivedAt?: Date | null;
  attachments?: TicketUpload[];
  /** The opening mail's Message-ID: the same mail twice opens one ticket. */
  mailMessageId?: string | null;
  quoted?: string | null;
  /** The requester's language: the acknowledgement and later mails are written in it. */
  locale: Locale;
}

export interface OpenedTicket {
  id: number;
  number: string;
  trackingToken: string;
}

export const TICKET_QUEUES = ['unassigned', 'mine', 'team', 'breaching', 'waiting', 'resolved'] as const;
export type TicketQueue = (typeof TICKET_QUEUES)[number];

export interface QueueFilters {
  type?: TicketType;
  priority?: TicketPriority;
  channel?: TicketChannel;
  tier?: 'A' | 'B' | 'C';
}

/** One row of a queue. */
export interface TicketQueueRow {
  id: number;
  number: string;
  subject: string;
  customerId: number;
  customerName: string;
  requesterName: string;
  channel: TicketChannel;
  type: TicketType;
  priority: TicketPriority;
  status: TicketStatus;
  teamId: number | null;
  teamName: string | null;
  assigneeId: number | null;
  assigneeName: string | null;
  receivedAt: Date;
  dueAt: Date | null;
  resolvedAt: Date | null;
  /** The SLA clock has sent its 80% warning for the running target (business time, as it counts). */
  warned: boolean;
  /** The running target is past due. */
  overdue: boolean;
}

/**
 * A person being erased (PIPL), as the privacy module hands them over: their customer and contacts
 * (null: every contact of a person-customer), their addresses, what identifies them in text (a regular
 * expression) and what replaces it.
 */
export interface PersonToErase {
  customerId: number;
  contactIds: number[] | null;
  emails: string[];
  mobiles: string[];
  pattern: string;
  mask: string;
}

/** A ticket in the recycle bin. */
export interface DeletedTicket {
  id: number;
  number: string;
  subject: string;
  status: TicketStatus;
  customerId: number;
  customerName: string;
  deletedAt: Date;
}

export interface TicketQueuePage {
  queue: TicketQueue;
  rows: TicketQueueRow[];
  next: string | null;
  prev: string | null;
  total: number;
  capped: boolean;
}

export type QueueCounts = Record<TicketQueue, number>;

/** The ticket's own fields as its page shows them. */
export interface TicketView {
  id: number;
  number: string;
  subject: string;
  customerId: number;
  customerName: string;
  contactId: number | null;
  requesterName: string;
  requesterEmail: string | null;
  requesterMobile: string | null;
  requesterUnconfirmed: boolean;
  channel: TicketChannel;
  type: TicketType;
  priority: TicketPriority;
  status: TicketStatus;
  teamId: number | null;
  teamName: string | null;
  assigneeId: number | null;
  assigneeName: string | null;
  receivedAt: Date;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  dueAt: Date | null;
  firstRespondedAt: Date | null;
  firstResponseMinutes: number | null;
  resolvedAt: Date | null;
  resolutionMinutes: number | null;
  closedAt: Date | null;
  /** The SLA clock has sent its 80% warning for each target. */
  firstResponseWarned: boolean;
  resolutionWarned: boolean;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  reopenCount: number;
  /** Resolved with at most one public agent reply and never reopened. */
  firstContactResolution: boolean;
  mergedIntoId: number | null;
  mergedIntoNumber: string | null;
  trackingToken: string;
  version: number;
}

export interface TicketAttachmentView {
  id: number;
  fileName: string;
  size: number;
}

export interface TicketMessageView {
  id: number;
  authorName: string;
  fromCustomer: boolean;
  internal: boolean;
  body: string;
  quoted: string | null;
  createdAt: Date;
  attachments: TicketAttachmentView[];
}

/** One entry of the ticket's history (from the audit log): what changed, by whom, labelled. */
export interface TicketHistoryEntry {
  at: Date;
  /** Locale key of the action: tickets.history.<action>. */
  actionKey: string;
  by: string | null;
  changes: { field: string; fact: boolean; from: string | null; to: string | null }[];
}

/** The customer's summary beside the conversation. */
export interface TicketSidePanel {
  customer: {
    id: number;
    name: string;
    tier: string | null;
    vip: boolean;
    ownerId: number | null;
    ownerName: string | null;
  };
  /** The customer's latest deals, contracts and follow-ups (with the promises sales made), as its 360° timeline shows them. */
  deals: TimelineItem[];
  contracts: TimelineItem[];
  followUps: TimelineItem[];
  recentTickets: { id: number; number: string; subject: string; status: TicketStatus; receivedAt: Date }[];
}

export interface TicketSurveyView {
  sentAt: Date;
  expiresAt: Date;
  answeredAt: Date | null;
  csat: number | null;
  ces: number | null;
  comment: string | null;
}

export interface CannedReplyView {
  id: number;
  teamId: number | null;
  title: string;
  /** With {customer} and {contact} filled in for this ticket (on the ticket page). */
  body: string;
  version: number;
}

/** The ticket page. */
export interface TicketDetail {
  ticket: TicketView;
  messages: TicketMessageView[];
  history: TicketHistoryEntry[];
  side: TicketSidePanel;
  survey: TicketSurveyView | null;
  can: Record<TicketAction, boolean>;
  cannedReplies: CannedReplyView[];
  /** Agents the ticket may be given to (its team's active agents). */
  assignees: { id: number; name: string; away: boolean }[];
  /** Teams it may be transferred to. */
  teams: { id: number; name: string }[];
}

/** What the customer sees at /portal/tickets/:token: no internal notes, no agents' names beyond the reply's. */
export interface PublicTicketView {
  number: string;
  subject: string;
  status: TicketStatus;
  receivedAt: Date;
  resolvedAt: Date | null;
  /** The page offers the reply form (not for a duplicate closed into another ticket). */
  mayReply: boolean;
  /**
   * Writing here opens a new request referring to this one (closed, or resolved more than 7 days
   * ago); otherwise it joins this conversation (and reopens it when resolved). A merged duplicate's
   * replies join the ticket it went into.
   */
  replyOpensNew: boolean;
  messages: { authorName: string; fromCustomer: boolean; body: string; createdAt: Date }[];
}

export interface ReplyInput {
  body: string;
  internal: boolean;
  version: number;
  attachments?: TicketUpload[];
}

export interface ChangeInput {
  status?: TicketStatus;
  priority?: TicketPriority;
  type?: TicketType;
  /** null: unassigned. */
  assigneeId?: number | null;
  version: number;
}

export interface TransferInput {
  teamId: number;
  reason: string;
  version: number;
}

export interface MergeInput {
  /** T-000123 or 123. */
  intoNumber: string;
  version: number;
}

export interface VersionInput {
  version: number;
}

export interface CustomerReplyInput {
  body: string;
  attachments?: TicketUpload[];
}

/** What a new-ticket form offers. */
export interface NewTicketForm {
  channels: readonly TicketChannel[];
  types: readonly TicketType[];
  priorities: readonly TicketPriority[];
  teams: { id: number; name: string }[];
}

/** The survey page: a question to answer, or why it cannot be answered. */
export interface SurveyView {
  state: 'open' | 'answered' | 'expired';
  /** Which questions the page asks: ticket (CSAT, CES, comment), contract (CSAT, comment), nps (0–10, comment). */
  kind: SurveyKind;
  ticketNumber: string;
  /** The ticket's subject, or the contract's number for a contract survey. */
  subject: string;
  locale: Locale;
  answer: { csat: number | null; ces: number | null; nps: number | null; comment: string | null } | null;
}

/** A survey a rule sends to a customer's contact: after a completed contract, or the quarterly NPS. */
export interface ContactSurveyInput {
  kind: 'contract' | 'nps';
  customerId: number;
  contactId: number;
  contractId: number | null;
  /** The contract's number, named in the invitation. */
  contractNumber: string | null;
  email: string;
  name: string;
  locale: Locale;
  /** The contact's unsubscribe link (a path), at the foot of the invitation. */
  unsubscribeUrl: string;
}

/** An answered survey with a low satisfaction score, for the care rule. */
export interface LowScoreSurvey {
  id: number;
  kind: SurveyKind;
  customerId: number;
  ticketId: number | null;
  contractId: number | null;
  csat: number;
  comment: string | null;
  answeredAt: Date;
}

export interface SurveyAnswerInput {
  /** Required on ticket and contract surveys; an NPS survey asks `nps` instead. */
  csat?: number | null;
  nps?: number | null;
  ces?: number | null;
  comment?: string | null;
}

export interface SlaPolicyView {
  priority: TicketPriority;
  tier: 'A' | 'B' | 'C' | null;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface TicketSettingsView {
  routing: { type: TicketType; teamId: number | null }[];
  policies: SlaPolicyView[];
  cannedReplies: CannedReplyView[];
  teams: { id: number; name: string }[];
  autoCloseDays: number;
}

export interface RoutingInput {
  /** Type → team; null or absent: the type stays unrouted. */
  routes: Partial<Record<TicketType, number | null>>;
  /** Days after which resolved tickets close. */
  autoCloseDays?: number;
}

export interface SlaPoliciesInput {
  /** The full set: general rows (tier null) for every priority, optional tier rows. */
  policies: SlaPolicyView[];
}

export interface CannedReplyInput {
  /** Absent: a new reply. */
  id?: number;
  teamId: number | null;
  title: string;
  body: string;
  version?: number;
}
