import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { JobsService } from '../automation/jobs.service.js';
import { BusinessCalendarService } from '../common/calendar/business-calendar.service.js';
import { CustomerLifecycles } from '../common/customer-lifecycle.js';
import { DomainError, NotAllowed, NotFound, ValidationFailed } from '../common/errors.js';
import { type Fen, formatMoney, fromNumeric } from '../common/money.js';
import type { SessionUser } from '../common/session-user.js';
import { SettingsSections } from '../common/settings/settings-sections.js';
import { SettingsService } from '../common/settings/settings.service.js';
import { MailService } from '../notifications/mail.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { UsersService } from '../users/users.service.js';
import type { ApprovalApprover } from './approval-approver.entity.js';
import { APPROVALS_DEFAULTS, APPROVALS_KEY, type ApprovalRules } from './approval-rules.js';
import {
  managerStep,
  routeByAmount,
  type RoutingPerson,
  type RoutingRules,
  seatApprovers,
  substituteFor,
} from './approval-routing.js';
import type { ApprovalRound } from './approval-round.entity.js';
import type { ApprovalStep } from './approval-step.entity.js';
import type {
  ApprovalDecision,
  ApprovalOutcome,
  ApprovalStepPlan,
  ApprovalSubject,
  ApprovalSubmission,
  DecisionEffect,
} from './approvals.types.js';
import { type ApprovalFacts, ApprovalPolicy } from './approvals.policy.js';
import { ApprovalsRepository, type RoundRecord } from './approvals.repository.js';
import { ApprovalRulesDto } from './dto/approval-rules.dto.js';

// ---- Refusals, each a clear message in the user's language ----

/** The record already has a round being decided. */
export class ApprovalPending extends DomainError {
  constructor() {
    super(409, 'approval.error.pending');
  }
}

/** No step of the submission has anyone to decide it. */
export class NoApprovers extends DomainError {
  constructor() {
    super(422, 'approval.error.no_approvers');
  }
}

/** The round was decided meanwhile (rejected, or approved by its last step). */
export class ApprovalClosed extends DomainError {
  constructor() {
    super(409, 'approval.error.closed');
  }
}

/** The user already decided this step. */
export class AlreadyDecided extends DomainError {
  constructor() {
    super(409, 'approval.error.already_decided');
  }
}

/** Another approver of a 或签 step decided it first; the round moved on. */
export class StepDecided extends DomainError {
  constructor() {
    super(409, 'approval.error.step_decided');
  }
}

/** The reminder job's name. */
export const REMIND_JOB = 'approvals.remind';
/** An approver is reminded once their step has waited this long in business time (24 working hours). */
const REMIND_AFTER_WORKING_MINUTES = 24 * 60;

/** A step on the record's page and in the history. */
export interface ApprovalStepView {
  position: number;
  mode: ApprovalStep['mode'];
  labelKey: string;
  status: ApprovalStep['status'];
  startedAt: Date | null;
  decidedAt: Date | null;
  approvers: {
    name: string;
    decision: ApprovalDecision | null;
    comment: string | null;
    decidedAt: Date | null;
    /** Whom this approver stands in for (deactivated). */
    replacedFrom: string | null;
  }[];
}

export interface ApprovalRoundView {
  id: number;
  round: number;
  status: ApprovalRound['status'];
  title: string;
  amount: Fen | null;
  requestedBy: string;
  createdAt: Date;
  decidedAt: Date | null;
  steps: ApprovalStepView[];
}

/** What the record's page shows: every round, newest first, and the viewer's decision form if theirs to make. */
export interface ApprovalHistoryView {
  rounds: ApprovalRoundView[];
  pending: boolean;
  decide: { roundId: number; stepId: number; labelKey: string } | null;
}

/** One line of the inbox. */
export interface InboxItem {
  roundId: number;
  stepId?: number;
  title: string;
  url: string;
  amount: Fen | null;
  requestedBy: string;
  submittedAt?: Date;
  labelKey: string;
  decision?: ApprovalDecision;
  decidedAt?: Date;
  roundStatus?: ApprovalRound['status'];
}

const factsOf = ({ round, steps, seats }: RoundRecord): ApprovalFacts => {
  const current = steps.find((s) => s.status === 'pending');
  return {
    requestedById: round.requestedById,
    pending: round.status === 'pending',
    approverIds: [...new Set(seats.map((s) => s.userId))],
    currentApproverIds: current
      ? seats.filter((s) => s.stepId === current.id && s.decision === null).map((s) => s.userId)
      : [],
  };
};

/** The audit log names a standard step by its option (manager), labelled from STEP_LABELS; another by its key. */
const STEP_LABELS = 'approval.step.';
const auditedStep = (labelKey: string) =>
  labelKey.startsWith(STEP_LABELS) ? labelKey.slice(STEP_LABELS.length) : labelKey;

const isUniqueViolation = (e: unknown) => (e as { code?: unknown })?.code === '23505';

/**
 * Approvals (审批): one engine for every record that needs a yes before it goes on (quote discounts,
 * contracts). The record's module plans the steps and submits a round in its own transaction; the
 * engine asks the approvers (in-app and by mail), takes their decisions one at a time per round
 * (the round's row is locked), moves from step to step, and tells the record's module the outcome
 * in the deciding transaction. A deactivated approver is replaced by their manager or an admin, and
 * approvers who let a step wait 24 working hours are reminded once.
 */
@Injectable()
export class ApprovalsService implements OnModuleInit {
  private readonly subjects = new Map<string, ApprovalSubject>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ApprovalsRepository,
    private readonly policy: ApprovalPolicy,
    private readonly users: UsersService,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
    private readonly lifecycles: CustomerLifecycles,
    private readonly jobs: JobsService,
    private readonly calendar: BusinessCalendarService,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      key: APPROVALS_KEY,
      titleKey: 'approval.settings.title',
      helpKey: 'approval.settings.help',
      partial: 'settings-approvals',
      defaults: APPROVALS_DEFAULTS,
      dto: ApprovalRulesDto,
      choices: (values) => this.settingsChoices(values),
      check: (values, stored) => this.checkGeneralManagers(values, stored),
    });
    this.lifecycles.register({
      entity: 'approval',
      audit: {
        fields: {
          subject: 'approval.subject',
          title: 'approval.record',
          amount: 'approval.amount',
          steps: 'approval.steps',
          step: 'approval.step_label',
          decision: 'approval.decision',
          comment: 'approval.comment',
          outcome: 'approval.outcome',
          approver: 'approval.approver',
        },
        values: { decision: 'approval.decision_value.', outcome: 'approval.status.', step: STEP_LABELS },
      },
      deactivate: (m, userId, actor) => this.replaceLeavingApprover(m, userId, actor),
    });
    this.jobs.register(REMIND_JOB, () => this.sendReminders().then(() => undefined), {
      cron: '*/15 * * * *',
      // Nothing about a reminder is urgent: the idle worker looks for runs every two minutes.
      pollSeconds: 120,
      singleton: true,
    });
  }

  /** A module whose records are approved registers its subject once (onModuleInit). */
  registerSubject(subject: ApprovalSubject): void {
    if (this.subjects.has(subject.kind)) throw new Error(`approval subject ${subject.kind} registered twice`);
    this.subjects.set(subject.kind, subject);
  }

  private subject(kind: string): ApprovalSubject {
    const subject = this.subjects.get(kind);
    if (!subject) throw new Error(`approval subject ${kind} is not registered`);
    return subject;
  }

  // ---- Routing ----

  private async rules(): Promise<ApprovalRules> {
    return (await this.settings.get(APPROVALS_KEY, APPROVALS_DEFAULTS)).value;
  }

  private async routingRules(): Promise<RoutingRules> {
    const rules = await this.rules();
    return {
      threshold: fromNumeric(rules.threshold),
      generalManagerIds: rules.generalManagerIds,
      generalManagerMode: rules.generalManagerMode,
    };
  }

  private people(): Promise<(RoutingPerson & { name: string })[]> {
    return this.users.everyone();
  }

  /**
   * A contract's steps by its amount (an exact decimal string): up to the threshold the owner's
   * manager; above it the manager, then the general managers in the mode the admin chose.
   */
  async routeByAmount(ownerId: number, amount: string): Promise<ApprovalStepPlan[]> {
    return routeByAmount(ownerId, fromNumeric(amount), await this.routingRules(), await this.people());
  }

  /** The step in which the owner's manager (else the admins, 或签) approves: a quote's discount. */
  async managerStep(ownerId: number): Promise<ApprovalStepPlan> {
    return managerStep(ownerId, await this.people());
  }

  // ---- Submitting ----

  /**
   * Opens a round for a record inside the caller's transaction and asks the first step's approvers
   * (in-app and by mail). Refuses while the record has a pending round. Inactive approvers are
   * replaced as on deactivation; steps left without anyone are dropped. Returns the round's id.
   */
  async submit(m: EntityManager, submission: ApprovalSubmission): Promise<number> {
    this.subject(submission.kind);
    if (await this.repo.hasPending(m, submission.kind, submission.subjectId)) throw new ApprovalPending();
    const people = await this.people();
    const steps = submission.steps
      .map((plan) => ({ plan, seats: seatApprovers(plan.approverIds, people, submission.requestedBy) }))
      .filter((s) => s.seats.length > 0);
    if (!steps.length) throw new NoApprovers();
    const amount = submission.amount === null ? null : fromNumeric(submission.amount);
    const now = new Date();
    let roundId: number;
    try {
      roundId = await this.repo.insertRound(m, {
        subjectKind: submission.kind,
        subjectId: submission.subjectId,
        round: await this.repo.nextRoundNumber(m, submission.kind, submission.subjectId),
        title: submission.title,
        url: submission.url,
        amount,
        requestedById: submission.requestedBy,
        status: 'pending',
      });
    } catch (e) {
      // Another submission of the same record got there first (uq_approval_round_pending).
      if (isUniqueViolation(e)) throw new ApprovalPending();
      throw e;
    }
    for (const [i, { plan, seats }] of steps.entries()) {
      const first = i === 0;
      const stepId = await this.repo.insertStep(m, {
        roundId,
        position: i + 1,
        mode: plan.mode,
        labelKey: plan.labelKey,
        status: first ? 'pending' : 'waiting',
        startedAt: first ? now : null,
      });
      await this.repo.insertSeats(
        m,
        seats.map((s) => ({
          stepId,
          userId: s.userId,
          replacedFromId: s.replacedFrom,
          askedAt: first ? now : null,
        })),
      );
    }
    const names = await this.users.namesOf(steps.flatMap((s) => s.seats.map((x) => x.userId)));
    await this.audit.record(
      {
        action: 'approval_submit',
        entity: 'approval',
        entityId: roundId,
        diff: {
          subject: { to: `${submission.kind} ${submission.subjectId}` },
          title: { to: submission.title },
          amount: { to: submission.amount },
          steps: {
            to: steps
              .map(
                (s) =>
                  `${s.plan.mode === 'all' ? '会签' : '或签'}：${s.seats.map((x) => names.get(x.userId)).join(', ')}`,
              )
              .join(' → '),
          },
        },
      },
      m,
    );
    await this.ask(
      m,
      {
        id: roundId,
        title: submission.title,
        url: submission.url,
        amount,
        requestedById: submission.requestedBy,
      },
      steps[0].seats.map((s) => s.userId),
      'approval_waiting',
    );
    return roundId;
  }

  // ---- Deciding ----

  /**
   * The user's decision on the pending round of a record: only the current step's approvers, once
   * each. 会签 needs every approver's approve, 或签 the first decision; a reject ends the round. The
   * round's end is told to the record's module (`decided`) in the same transaction. Returns the
   * outcome when this decision ended the round, else null.
   */
  async decide(
    user: SessionUser,
    kind: string,
    subjectId: number,
    decision: ApprovalDecision,
    comment: string | null,
  ): Promise<ApprovalOutcome | null> {
    this.subject(kind);
    const outcome = await this.dataSource.transaction(async (m) => {
      const record = await this.repo.lockPendingOf(m, kind, subjectId);
      if (!record) throw new ApprovalClosed();
      return this.decideIn(m, user, record, decision, comment);
    });
    await this.mail.kickQuietly();
    return outcome === 'approved' || outcome === 'rejected' ? outcome : null;
  }

  /**
   * The inbox's and the record page's form: a decision on round `roundId`, made on step `stepId` as
   * shown. Returns what it did, for the approver to be told.
   */
  async decideRound(
    user: SessionUser,
    roundId: number,
    decision: ApprovalDecision,
    comment: string | null,
    stepId: number | null,
  ): Promise<DecisionEffect> {
    const outcome = await this.dataSource.transaction(async (m) => {
      const record = await this.repo.lockRound(m, roundId);
      if (!record) throw new NotFound();
      return this.decideIn(m, user, record, decision, comment, stepId);
    });
    await this.mail.kickQuietly();
    return outcome;
  }

  private async decideIn(
    m: EntityManager,
    user: SessionUser,
    record: RoundRecord,
    decision: ApprovalDecision,
    comment: string | null,
    shownStepId: number | null = null,
  ): Promise<DecisionEffect> {
    const { round, steps, seats } = record;
    const facts = factsOf(record);
    if (!this.policy.can(user, 'view', facts)) throw new NotFound();
    if (round.status !== 'pending') throw new ApprovalClosed();
    const current = steps.find((s) => s.status === 'pending')!;
    const mine = (stepId: number) => seats.find((s) => s.stepId === stepId && s.userId === user.id);
    // The form named the step it showed: a click on a step since decided is not a decision on the next.
    const shown = shownStepId ?? current.id;
    const seat = mine(shown);
    if (seat?.decision) throw new AlreadyDecided();
    if (shown !== current.id) throw seat ? new StepDecided() : new NotAllowed();
    if (!seat) {
      const earlier = seats.filter((s) => s.userId === user.id && s.stepId !== current.id);
      if (earlier.some((s) => s.decision)) throw new AlreadyDecided();
      if (earlier.some((s) => steps.find((st) => st.id === s.stepId)?.status === 'approved'))
        throw new StepDecided();
    }
    this.policy.assert(user, 'decide', facts);
    if (decision === 'reject' && !comment)
      throw ValidationFailed.field('comment', 'approval.reject_reason_required');

    const now = new Date();
    await this.repo.recordDecision(m, seat!.id, decision, comment, now);
    Object.assign(seat!, { decision, comment, decidedAt: now });
    let outcome: ApprovalOutcome | null = null;
    let stepDone = false;
    if (decision === 'reject') {
      await this.repo.updateStep(m, current.id, { status: 'rejected', decidedAt: now });
      await this.repo.skipWaiting(m, round.id);
      outcome = 'rejected';
    } else if (
      current.mode === 'any' ||
      seats.filter((s) => s.stepId === current.id).every((s) => s.decision === 'approve')
    ) {
      outcome = await this.completeStep(m, record, current, now);
      stepDone = true;
    }
    await this.audit.record(
      {
        action: `approval_${decision}`,
        entity: 'approval',
        entityId: round.id,
        diff: {
          title: { to: round.title },
          step: { to: auditedStep(current.labelKey) },
          decision: { to: decision },
          ...(comment ? { comment: { to: comment } } : {}),
          ...(outcome ? { outcome: { to: outcome } } : {}),
        },
      },
      m,
    );
    if (outcome) await this.finish(m, record, outcome, user, comment, now);
    return outcome ?? (stepDone ? 'next_step' : 'others_pending');
  }

  /** A step approved: the next one starts and its approvers are asked; after the last, the round is approved. */
  private async completeStep(
    m: EntityManager,
    record: RoundRecord,
    step: ApprovalStep,
    now: Date,
  ): Promise<ApprovalOutcome | null> {
    await this.repo.updateStep(m, step.id, { status: 'approved', decidedAt: now });
    Object.assign(step, { status: 'approved', decidedAt: now });
    const next = record.steps.find((s) => s.position > step.position && s.status === 'waiting');
    if (!next) return 'approved';
    await this.repo.startStep(m, next.id, now);
    Object.assign(next, { status: 'pending', startedAt: now });
    const approvers = record.seats.filter((s) => s.stepId === next.id).map((s) => s.userId);
    await this.ask(m, record.round, approvers, 'approval_waiting');
    return null;
  }

  /** The round ends: stored, told to the record's module in this transaction, and to the requester. */
  private async finish(
    m: EntityManager,
    record: RoundRecord,
    outcome: ApprovalOutcome,
    by: SessionUser,
    comment: string | null,
    now: Date,
  ): Promise<void> {
    const { round } = record;
    await this.repo.endRound(m, round.id, outcome, now);
    Object.assign(round, { status: outcome, decidedAt: now });
    await this.subject(round.subjectKind).decided(m, round.subjectId, outcome, by, comment);
    const [requester] = await this.recipients([round.requestedById]);
    if (!requester) return;
    const params = { title: round.title, by: by.name };
    // A rejection says why (a rejection always has a comment), so the bell alone tells what to fix.
    const told = outcome === 'rejected' ? { ...params, comment: shortened(comment ?? '', 200) } : params;
    await this.notifications.notify(requester.id, `approval_${outcome}`, told, round.url, m);
    await this.mail.enqueue(
      {
        to: requester.email,
        template: `approval-${outcome}`,
        locale: requester.locale,
        timezone: requester.timezone,
        params: { ...params, name: requester.name, url: round.url, comment: comment ?? '' },
      },
      m,
    );
  }

  // ---- Telling people ----

  private async recipients(ids: number[]) {
    const wanted = new Set(ids);
    return (await this.users.activeRecipients()).filter((r) => wanted.has(r.id));
  }

  /** Tells approvers a round waits for them: in-app and by mail (`kind`: waiting, substitute, reminder). */
  private async ask(
    m: EntityManager,
    round: Pick<ApprovalRound, 'id' | 'title' | 'url' | 'amount' | 'requestedById'>,
    userIds: number[],
    kind: 'approval_waiting' | 'approval_substitute' | 'approval_reminder',
    extra: Record<string, string> = {},
  ): Promise<void> {
    const by = (await this.users.namesOf([round.requestedById])).get(round.requestedById) ?? '';
    const params = { title: round.title, by, ...extra };
    for (const r of await this.recipients(userIds)) {
      await this.notifications.notify(r.id, kind, params, round.url, m);
      await this.mail.enqueue(
        {
          to: r.email,
          template: kind.replace('_', '-'),
          locale: r.locale,
          timezone: r.timezone,
          params: {
            ...params,
            name: r.name,
            url: round.url,
            amount: round.amount === null ? '' : formatMoney(round.amount),
          },
        },
        m,
      );
    }
  }

  // ---- Deactivation ----

  /**
   * Inside a user's deactivation: each seat of theirs not yet decided, on a step not yet decided,
   * goes to their team's manager (or an admin when they have none or are the manager), recorded as
   * a substitute and told when the step is the current one. A substitute already on the step is not
   * seated twice: the leaving approver's seat goes, which may complete a 会签 step.
   */
  private async replaceLeavingApprover(m: EntityManager, userId: number, actor: SessionUser): Promise<void> {
    const rounds = await this.repo.lockRoundsAwaiting(m, userId);
    if (!rounds.length) return;
    const people = (await this.people()).map((p) => (p.id === userId ? { ...p, active: false } : p));
    const substitute = substituteFor(userId, people);
    if (substitute === null) return;
    const names = await this.users.namesOf([userId, substitute]);
    const now = new Date();
    for (const record of rounds) {
      for (const seat of record.seats.filter((s) => s.userId === userId && s.decision === null)) {
        const step = record.steps.find((s) => s.id === seat.stepId)!;
        if (record.round.status !== 'pending' || (step.status !== 'pending' && step.status !== 'waiting'))
          continue;
        const current = step.status === 'pending';
        const seated = record.seats.some((s) => s.stepId === step.id && s.userId === substitute);
        if (seated) {
          await this.repo.removeSeat(m, seat.id);
          record.seats = record.seats.filter((s) => s !== seat);
        } else {
          await this.repo.reseat(m, seat.id, substitute, userId, current ? now : null);
          Object.assign(seat, { userId: substitute, replacedFromId: userId });
          if (current)
            await this.ask(m, record.round, [substitute], 'approval_substitute', {
              for: names.get(userId) ?? '',
            });
        }
        await this.audit.record(
          {
            action: 'approval_substitute',
            entity: 'approval',
            entityId: record.round.id,
            diff: {
              title: { to: record.round.title },
              step: { to: auditedStep(step.labelKey) },
              approver: { from: names.get(userId), to: names.get(substitute) },
            },
          },
          m,
        );
        if (current && seated) await this.completeIfAllApproved(m, record, step, actor, now);
      }
    }
  }

  /** A 会签 step whose last undecided seat went: complete when everyone left approved. */
  private async completeIfAllApproved(
    m: EntityManager,
    record: RoundRecord,
    step: ApprovalStep,
    actor: SessionUser,
    now: Date,
  ): Promise<void> {
    const left: ApprovalApprover[] = record.seats.filter((s) => s.stepId === step.id);
    if (!left.length || !left.every((s) => s.decision === 'approve')) return;
    const outcome = await this.completeStep(m, record, step, now);
    if (outcome) await this.finish(m, record, outcome, actor, null, now);
  }

  // ---- Reminders ----

  /**
   * Reminds, once per step, each approver whose step has waited 24 working hours for them, counted on
   * the company's business calendar (working hours, holidays, 调休 make-up days). Returns how many
   * were reminded.
   */
  async sendReminders(now = new Date()): Promise<number> {
    // 24 working hours are at least 24 hours: older seats only.
    const older = await this.repo.dueReminders(
      new Date(now.getTime() - REMIND_AFTER_WORKING_MINUTES * 60_000),
    );
    const due: typeof older = [];
    for (const r of older)
      if ((await this.calendar.between(r.askedAt, now)) >= REMIND_AFTER_WORKING_MINUTES) due.push(r);
    let sent = 0;
    for (const r of due) {
      const reminded = await this.dataSource.transaction(async (m) => {
        if (!(await this.repo.markReminded(m, r.seatId, now))) return false;
        const record = await this.repo.lockRound(m, r.roundId);
        if (!record) return false;
        await this.ask(m, record.round, [r.userId], 'approval_reminder');
        return true;
      });
      if (reminded) sent++;
    }
    if (sent) await this.mail.kickQuietly();
    return sent;
  }

  // ---- Reading ----

  /** Every round of a record, newest first, with the viewer's decision form when it is theirs to make. */
  async history(kind: string, subjectId: number, viewer?: SessionUser): Promise<ApprovalHistoryView> {
    const records = await this.repo.history(kind, subjectId);
    const ids = records.flatMap((r) => [
      r.round.requestedById,
      ...r.seats.flatMap((s) => (s.replacedFromId ? [s.userId, s.replacedFromId] : [s.userId])),
    ]);
    const names = await this.users.namesOf(ids);
    const name = (id: number | null) => (id === null ? null : (names.get(id) ?? ''));
    const pending = records.find((r) => r.round.status === 'pending');
    let decide: ApprovalHistoryView['decide'] = null;
    if (pending && viewer && this.policy.can(viewer, 'decide', factsOf(pending))) {
      const step = pending.steps.find((s) => s.status === 'pending')!;
      decide = { roundId: pending.round.id, stepId: step.id, labelKey: step.labelKey };
    }
    return {
      pending: pending !== undefined,
      decide,
      rounds: records.map(({ round, steps, seats }) => ({
        id: round.id,
        round: round.round,
        status: round.status,
        title: round.title,
        amount: round.amount,
        requestedBy: name(round.requestedById) ?? '',
        createdAt: round.createdAt,
        decidedAt: round.decidedAt,
        steps: steps.map((s) => ({
          position: s.position,
          mode: s.mode,
          labelKey: s.labelKey,
          status: s.status,
          startedAt: s.startedAt,
          decidedAt: s.decidedAt,
          approvers: seats
            .filter((a) => a.stepId === s.id)
            .map((a) => ({
              name: name(a.userId) ?? '',
              decision: a.decision,
              comment: a.comment,
              decidedAt: a.decidedAt,
              replacedFrom: name(a.replacedFromId),
            })),
        })),
      })),
    };
  }

  /**
   * Of these records of `kind`, those the user approves or approved in some round: they may read a
   * record they are asked to decide on even outside their own scope (a general manager, a contract).
   */
  async approverOf(userId: number, kind: string, subjectIds: number[]): Promise<Set<number>> {
    return new Set(await this.repo.seatedOn(userId, kind, subjectIds));
  }

  /** What waits for the user's decision, oldest first: the inbox and My day. */
  async pendingFor(user: SessionUser): Promise<InboxItem[]> {
    const rows = await this.repo.waitingFor(user.id);
    const names = await this.users.namesOf(rows.map((r) => r.requestedById));
    return rows.map((r) => ({ ...r, requestedBy: names.get(r.requestedById) ?? '' }));
  }

  /**
   * My day's approvals: what waits for the user, for those approvals are routed to (managers, admins,
   * general managers); nobody else is asked for a statement.
   */
  async waitingOnMyDay(user: SessionUser): Promise<InboxItem[]> {
    return (await this.linksInbox(user)) ? this.pendingFor(user) : [];
  }

  /** How many rounds wait for the user's decision. */
  waitingCount(userId: number): Promise<number> {
    return this.repo.countWaiting(userId);
  }

  /** The inbox: what waits for me, and what I decided (newest first). */
  async inbox(user: SessionUser): Promise<{ waiting: InboxItem[]; decided: InboxItem[] }> {
    const [waiting, decidedRows] = await Promise.all([this.pendingFor(user), this.repo.decidedBy(user.id)]);
    const names = await this.users.namesOf(decidedRows.map((r) => r.requestedById));
    return {
      waiting,
      decided: decidedRows.map((r) => ({ ...r, requestedBy: names.get(r.requestedById) ?? '' })),
    };
  }

  /** Whether the menu links the inbox for this user. */
  async linksInbox(user: SessionUser): Promise<boolean> {
    return this.policy.linksInbox(user, (await this.rules()).generalManagerIds);
  }

  /**
   * The settings form's choices: the active admins and managers (general managers are chosen among
   * them), admins first, those chosen ticked; one chosen before who is no longer either is shown
   * too, to be unticked.
   */
  private async settingsChoices(values: ApprovalRules) {
    const chosen = new Set(values.generalManagerIds);
    const rank = (role: string) => ['admin', 'manager', 'sales', 'service'].indexOf(role);
    return {
      users: (await this.people())
        .filter((p) => mayBeGeneralManager(p) || chosen.has(p.id))
        .sort((a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name))
        .map((p) => ({
          id: p.id,
          name: p.name,
          role: p.role,
          checked: chosen.has(p.id),
        })),
      noneChosen: chosen.size === 0,
      modes: ['all', 'any'],
    };
  }

  /**
   * General managers newly chosen must be active admins or managers: a rep or an agent approving the
   * largest contracts is a slip of the hand. One kept from before stays until unticked.
   */
  private async checkGeneralManagers(values: ApprovalRules, stored: ApprovalRules): Promise<void> {
    const people = new Map((await this.people()).map((p) => [p.id, p]));
    const kept = new Set(stored.generalManagerIds);
    const refused = values.generalManagerIds.filter((id) => {
      const p = people.get(id);
      return !kept.has(id) && (!p || !mayBeGeneralManager(p));
    });
    if (refused.length) throw ValidationFailed.field('generalManagerIds', 'approval.settings.not_manager');
  }

  /** Erasing a person, in the erasure's transaction: what names them in approvals is masked. */
  erasePerson(m: EntityManager, who: { pattern: string; mask: string }): Promise<number> {
    return who.pattern ? this.repo.maskText(m, who.pattern, who.mask) : Promise.resolve(0);
  }
}

/** Who may be chosen as a general manager: an active admin or manager. */
function mayBeGeneralManager(p: { role: string; active: boolean }): boolean {
  return p.active && (p.role === 'admin' || p.role === 'manager');
}

/** `text` cut to `max` characters, an ellipsis marking the cut. */
function shortened(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
