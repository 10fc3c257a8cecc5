import type { EntityManager } from 'typeorm';
import type { SessionUser } from '../common/session-user.js';

/**
 * Approvals (审批) are one engine for every record that needs a yes before it goes on: a quote whose
 * discount passes the threshold, a contract. The record's module plans the steps (who, in which
 * order, 会签 or 或签), submits a round inside its own transaction, and hears the outcome inside the
 * deciding transaction; the engine keeps the rounds, the inbox, the reminders and the history, and
 * knows nothing of quotes or contracts beyond what a submission tells it.
 */

/** 会签: every approver of the step decides; 或签: the first decision decides the step. */
export type ApprovalMode = 'all' | 'any';

export type ApprovalDecision = 'approve' | 'reject';

export type ApprovalOutcome = 'approved' | 'rejected';

/**
 * What one decision did, as the approver is told: ended the round (approved or rejected), completed
 * its step so that the next step's approvers were asked, or left a 会签 step waiting for the others.
 */
export type DecisionEffect = ApprovalOutcome | 'next_step' | 'others_pending';

/** One step of a round as its subject's module plans it. */
export interface ApprovalStepPlan {
  mode: ApprovalMode;
  /** Users who decide this step; a deactivated one is replaced by their manager or an admin. */
  approverIds: number[];
  /** Locale key naming the step on the record and in the inbox (approval.step.manager…). */
  labelKey: string;
}

/** What is to be approved, as the inbox and the e-mails show it without asking its module again. */
/** What an approval round is called in the inbox and its mail: "BJ-2026-0012 华信科技 · 服务器扩容". */
export function approvalTitle(number: string, customerName: string, title: string): string {
  return `${number} ${customerName} · ${title}`;
}

export interface ApprovalSubmission {
  /** The registered subject kind: quote, contract. */
  kind: string;
  subjectId: number;
  /** The record's number, customer and title as people say it (approvalTitle). */
  title: string;
  /** The record's page, where an approver reads it before deciding. */
  url: string;
  /** Exact decimal string in CNY, or null. */
  amount: string | null;
  requestedBy: number;
  steps: ApprovalStepPlan[];
}

/**
 * A module whose records are approved registers one subject (in onModuleInit). The engine calls
 * `decided` inside the transaction that records the round's last decision, so the record's status and
 * the round's outcome are stored together or not at all.
 */
export interface ApprovalSubject {
  kind: string;
  decided(
    m: EntityManager,
    subjectId: number,
    outcome: ApprovalOutcome,
    by: SessionUser,
    comment: string | null,
  ): Promise<void>;
}
