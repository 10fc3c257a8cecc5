import { Injectable, type Provider } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  ApprovalDecision,
  ApprovalStepPlan,
  ApprovalSubject,
  ApprovalSubmission,
} from '../approvals/approvals.types.js';
import { DomainError, NotAllowed } from '../common/errors.js';
import { fromNumeric, yuan } from '../common/money.js';
import type { SessionUser } from '../common/session-user.js';
import { UsersService } from '../users/users.service.js';

/**
 * What contracts ask of the approvals engine (src/approvals), in one place: the contracts module
 * calls nothing else of it. Each call names the engine's method it stands for.
 */
export abstract class ContractApprovals {
  /** ApprovalsService.registerSubject: the engine tells `subject.decided` a round's outcome. */
  abstract registerSubject(subject: ApprovalSubject): void;
  /** ApprovalsService.routeByAmount: the steps a contract of this owner and amount goes through. */
  abstract routeByAmount(ownerId: number, amount: string): Promise<ApprovalStepPlan[]>;
  /** ApprovalsService.submit, in the submitting transaction: a new round; its id. */
  abstract submit(m: EntityManager, submission: ApprovalSubmission): Promise<number>;
  /** ApprovalsService.decide(user, 'contract', id, decision, comment). */
  abstract decide(
    user: SessionUser,
    contractId: number,
    decision: ApprovalDecision,
    comment: string | null,
  ): Promise<void>;
  /** Of these contracts, those whose rounds (any, past or current) name the user as an approver. */
  abstract approverOf(userId: number, contractIds: number[]): Promise<Set<number>>;
}

/** A contract the engine has no open round for was decided on. */
export class NoOpenRound extends DomainError {
  constructor() {
    super(409, 'contract.not_pending');
  }
}

/** The threshold the stand-in routes by (the engine reads it from /admin/settings). */
const STAND_IN_THRESHOLD = yuan(100_000);

interface StandInRound {
  steps: ApprovalStepPlan[];
  step: number;
  decidedBy: Set<number>;
  open: boolean;
}

/**
 * TEMPORARY STAND-IN for the approvals engine, until src/approvals (ApprovalsService) is merged into
 * this branch; it exists only so that contracts can be submitted, approved and rejected end to end.
 * It keeps rounds in memory (lost on restart), routes every contract to the owner's manager (above
 * the threshold the manager again stands for the general managers), and follows 会签/或签 per step.
 * On merging, replace CONTRACT_APPROVALS below with an adapter over ApprovalsService:
 *   registerSubject → approvals.registerSubject(subject)
 *   routeByAmount   → approvals.routeByAmount(ownerId, amount)
 *   submit          → approvals.submit(m, submission)
 *   decide          → approvals.decide(user, 'contract', contractId, decision, comment)
 *   approverOf      → the ids whose approvals.history('contract', id) names userId among a step's approvers
 * and delete this class.
 */
@Injectable()
export class StandInContractApprovals extends ContractApprovals {
  private subject: ApprovalSubject | null = null;
  private readonly rounds = new Map<number, StandInRound[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {
    super();
  }

  registerSubject(subject: ApprovalSubject): void {
    this.subject = subject;
  }

  async routeByAmount(ownerId: number, amount: string): Promise<ApprovalStepPlan[]> {
    const manager = await this.users.managerOf(ownerId);
    const approverIds = manager ? [manager.id] : [];
    const steps: ApprovalStepPlan[] = [{ mode: 'any', approverIds, labelKey: 'approval.step.manager' }];
    if (fromNumeric(amount) > STAND_IN_THRESHOLD)
      steps.push({ mode: 'all', approverIds, labelKey: 'approval.step.general_managers' });
    return steps;
  }

  submit(_m: EntityManager, submission: ApprovalSubmission): Promise<number> {
    const list = this.rounds.get(submission.subjectId) ?? [];
    for (const r of list) r.open = false;
    list.push({ steps: submission.steps, step: 0, decidedBy: new Set(), open: true });
    this.rounds.set(submission.subjectId, list);
    return Promise.resolve(list.length);
  }

  async decide(
    user: SessionUser,
    contractId: number,
    decision: ApprovalDecision,
    comment: string | null,
  ): Promise<void> {
    const round = this.rounds.get(contractId)?.find((r) => r.open);
    if (!round) throw new NoOpenRound();
    const step = round.steps[round.step];
    if (!step.approverIds.includes(user.id) || round.decidedBy.has(user.id)) throw new NotAllowed();
    round.decidedBy.add(user.id);
    let outcome: 'approved' | 'rejected' | null = null;
    if (decision === 'reject') outcome = 'rejected';
    else if (step.mode === 'any' || step.approverIds.every((id) => round.decidedBy.has(id))) {
      round.step++;
      round.decidedBy = new Set();
      if (round.step >= round.steps.length) outcome = 'approved';
    }
    if (!outcome) return;
    round.open = false;
    const subject = this.subject;
    if (!subject) throw new Error('contract approvals: no subject registered');
    await this.dataSource.transaction((m) => subject.decided(m, contractId, outcome, user, comment));
  }

  approverOf(userId: number, contractIds: number[]): Promise<Set<number>> {
    return Promise.resolve(
      new Set(
        contractIds.filter((id) =>
          (this.rounds.get(id) ?? []).some((r) => r.steps.some((s) => s.approverIds.includes(userId))),
        ),
      ),
    );
  }
}

/** The contracts module's provider of ContractApprovals: the one line to change when the engine is merged. */
export const CONTRACT_APPROVALS: Provider = {
  provide: ContractApprovals,
  useClass: StandInContractApprovals,
};
