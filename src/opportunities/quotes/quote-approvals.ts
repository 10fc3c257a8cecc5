import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  ApprovalDecision,
  ApprovalStepPlan,
  ApprovalSubject,
  ApprovalSubmission,
} from '../../approvals/approvals.types.js';
import { NotAllowed } from '../../common/errors.js';
import type { SessionUser } from '../../common/session-user.js';
import { NotificationsService } from '../../notifications/notifications.service.js';
import { UsersService } from '../../users/users.service.js';

/**
 * The one place quotes meet the approvals engine (src/approvals), in the shape of its service:
 * `registerSubject`, `managerStep`, `submit` (inside the quote's transaction), `decide`.
 *
 * TEMPORARY SEAM — InterimQuoteApprovals stands in until ApprovalsService is wired in: swap the
 * provider in QuotesModule (`{ provide: QuoteApprovals, useExisting: ApprovalsService }`, or a
 * three-line adapter calling `approvals.decide(user, 'quote', id, decision, comment)`) and delete
 * InterimQuoteApprovals. Until then a round is not stored: the quote's status is the round; the
 * approvers are computed again at decision time (the owner's manager, or an admin), and the decision
 * is recorded by the quote's own audit entry.
 */
export abstract class QuoteApprovals {
  /** Called once at start: the engine calls `subject.decided` inside the deciding transaction. */
  abstract registerSubject(subject: QuoteApprovalSubject): void;
  /** The first (and, for quotes, only) step: the owner's manager. */
  abstract managerStep(ownerId: number): Promise<ApprovalStepPlan>;
  /** Opens a round inside the quote's transaction; the step's approvers are told. */
  abstract submit(m: EntityManager, submission: ApprovalSubmission): Promise<number>;
  /** An approver's decision; the subject hears the outcome inside the same transaction. */
  abstract decide(
    user: SessionUser,
    kind: string,
    subjectId: number,
    decision: ApprovalDecision,
    comment: string | null,
  ): Promise<void>;
}

/**
 * What the quotes module registers as a subject. `waitingOwner` serves only the interim seam below
 * (the engine keeps its own rounds): the deal owner of a quote waiting for a decision, locked, or null.
 */
export interface QuoteApprovalSubject extends ApprovalSubject {
  waitingOwner(m: EntityManager, subjectId: number): Promise<number | null>;
}

/** TEMPORARY (see above): approvals without the engine, for quotes only. */
@Injectable()
export class InterimQuoteApprovals extends QuoteApprovals {
  private subject: QuoteApprovalSubject | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
  ) {
    super();
  }

  registerSubject(subject: QuoteApprovalSubject): void {
    this.subject = subject;
  }

  async managerStep(ownerId: number): Promise<ApprovalStepPlan> {
    const manager = await this.users.managerOf(ownerId);
    return { mode: 'any', approverIds: manager ? [manager.id] : [], labelKey: 'quote.approval_step_manager' };
  }

  async submit(m: EntityManager, submission: ApprovalSubmission): Promise<number> {
    for (const id of submission.steps[0]?.approverIds ?? [])
      await this.notifications.notify(id, 'quote_pending', { title: submission.title }, submission.url, m);
    return submission.subjectId;
  }

  async decide(
    user: SessionUser,
    _kind: string,
    subjectId: number,
    decision: ApprovalDecision,
    comment: string | null,
  ): Promise<void> {
    const subject = this.subject;
    if (!subject) throw new Error('no approval subject registered for quotes');
    await this.dataSource.transaction(async (m) => {
      const ownerId = await subject.waitingOwner(m, subjectId);
      if (ownerId === null) throw new NotAllowed();
      const step = await this.managerStep(ownerId);
      if (!step.approverIds.includes(user.id) && user.role !== 'admin') throw new NotAllowed();
      await subject.decided(m, subjectId, decision === 'approve' ? 'approved' : 'rejected', user, comment);
    });
  }
}
