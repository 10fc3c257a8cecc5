import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { type Fen, fromNumeric } from '../common/money.js';
import { ApprovalApprover } from './approval-approver.entity.js';
import { ApprovalRound } from './approval-round.entity.js';
import { ApprovalStep } from './approval-step.entity.js';
import type { ApprovalDecision } from './approvals.types.js';

/** A round with its steps in order and each step's approvers. */
export interface RoundRecord {
  round: ApprovalRound;
  steps: ApprovalStep[];
  seats: ApprovalApprover[];
}

/** Something waiting for a user's decision: their seat on a round's current step. */
export interface WaitingRow {
  roundId: number;
  stepId: number;
  title: string;
  url: string;
  amount: Fen | null;
  requestedById: number;
  submittedAt: Date;
  labelKey: string;
  askedAt: Date | null;
}

/** A decision a user made. */
export interface DecidedRow {
  roundId: number;
  title: string;
  url: string;
  amount: Fen | null;
  requestedById: number;
  labelKey: string;
  decision: ApprovalDecision;
  decidedAt: Date;
  roundStatus: ApprovalRound['status'];
}

/** An approver to remind: undecided on a pending step, not reminded yet. */
export interface ReminderRow {
  seatId: number;
  userId: number;
  askedAt: Date;
  roundId: number;
  title: string;
  url: string;
  labelKey: string;
}

const money = (v: string | null): Fen | null => (v === null ? null : fromNumeric(v));

/** All SQL on approval rounds, steps and approvers. */
@Injectable()
export class ApprovalsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether the record has a round being decided (in the caller's transaction). */
  async hasPending(m: EntityManager, kind: string, subjectId: number): Promise<boolean> {
    return m.exists(ApprovalRound, { where: { subjectKind: kind, subjectId, status: 'pending' } });
  }

  /** The number the record's next round takes. */
  async nextRoundNumber(m: EntityManager, kind: string, subjectId: number): Promise<number> {
    const [row] = await m.query<{ n: number }[]>(
      'SELECT coalesce(max(round), 0)::int + 1 AS n FROM approval_round WHERE subject_kind = $1 AND subject_id = $2',
      [kind, subjectId],
    );
    return row.n;
  }

  async insertRound(m: EntityManager, fields: Partial<ApprovalRound>): Promise<number> {
    const { identifiers } = await m.insert(ApprovalRound, fields);
    return identifiers[0].id as number;
  }

  async insertStep(m: EntityManager, fields: Partial<ApprovalStep>): Promise<number> {
    const { identifiers } = await m.insert(ApprovalStep, fields);
    return identifiers[0].id as number;
  }

  async insertSeats(m: EntityManager, seats: Partial<ApprovalApprover>[]): Promise<void> {
    if (seats.length) await m.insert(ApprovalApprover, seats);
  }

  /**
   * A round locked for its decision (SELECT … FOR UPDATE), with its steps and approvers: two
   * decisions on one round take turns, the second reading what the first stored.
   */
  async lockRound(m: EntityManager, id: number): Promise<RoundRecord | null> {
    const round = await m.findOne(ApprovalRound, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return round && this.partsOf(m, round);
  }

  /** The pending round of a record, locked as lockRound does. */
  async lockPendingOf(m: EntityManager, kind: string, subjectId: number): Promise<RoundRecord | null> {
    const round = await m.findOne(ApprovalRound, {
      where: { subjectKind: kind, subjectId, status: 'pending' },
      lock: { mode: 'pessimistic_write' },
    });
    return round && this.partsOf(m, round);
  }

  private async partsOf(m: EntityManager, round: ApprovalRound): Promise<RoundRecord> {
    const steps = await m.find(ApprovalStep, { where: { roundId: round.id }, order: { position: 'ASC' } });
    const seats = steps.length
      ? await m.find(ApprovalApprover, {
          where: { stepId: In(steps.map((s) => s.id)) },
          order: { id: 'ASC' },
        })
      : [];
    return { round, steps, seats };
  }

  /** Every round of a record, newest first, with steps and approvers. */
  async history(kind: string, subjectId: number): Promise<RoundRecord[]> {
    const m = this.dataSource.manager;
    const rounds = await m.find(ApprovalRound, {
      where: { subjectKind: kind, subjectId },
      order: { round: 'DESC' },
    });
    return Promise.all(rounds.map((r) => this.partsOf(m, r)));
  }

  async recordDecision(
    m: EntityManager,
    seatId: number,
    decision: ApprovalDecision,
    comment: string | null,
    at: Date,
  ): Promise<void> {
    await m.update(ApprovalApprover, { id: seatId }, { decision, comment, decidedAt: at });
  }

  async updateStep(m: EntityManager, id: number, fields: Partial<ApprovalStep>): Promise<void> {
    await m.update(ApprovalStep, { id }, fields);
  }

  /** Later steps of a round that ended before them. */
  async skipWaiting(m: EntityManager, roundId: number): Promise<void> {
    await m.update(ApprovalStep, { roundId, status: 'waiting' }, { status: 'skipped' });
  }

  /** A step becomes the one to decide: its approvers are asked now. */
  async startStep(m: EntityManager, stepId: number, at: Date): Promise<void> {
    await m.update(ApprovalStep, { id: stepId }, { status: 'pending', startedAt: at });
    await m.update(ApprovalApprover, { stepId }, { askedAt: at });
  }

  async endRound(m: EntityManager, id: number, status: 'approved' | 'rejected', at: Date): Promise<void> {
    await m.update(ApprovalRound, { id }, { status, decidedAt: at });
  }

  /**
   * The pending rounds where `userId` has a seat not yet decided on a step not yet decided, locked
   * as lockRound does, in id order (so concurrent changes lock them in the same order).
   */
  async lockRoundsAwaiting(m: EntityManager, userId: number): Promise<RoundRecord[]> {
    const ids = await m.query<{ id: number }[]>(
      `SELECT DISTINCT r.id FROM approval_approver a
         JOIN approval_step s ON s.id = a.step_id AND s.status IN ('waiting', 'pending')
         JOIN approval_round r ON r.id = s.round_id AND r.status = 'pending'
        WHERE a.user_id = $1 AND a.decision IS NULL
        ORDER BY r.id`,
      [userId],
    );
    const rounds: RoundRecord[] = [];
    for (const { id } of ids) {
      const record = await this.lockRound(m, id);
      if (record?.round.status === 'pending') rounds.push(record);
    }
    return rounds;
  }

  /** A substitute takes a deactivated approver's seat. */
  async reseat(
    m: EntityManager,
    seatId: number,
    userId: number,
    replacedFromId: number,
    askedAt: Date | null,
  ) {
    await m.update(ApprovalApprover, { id: seatId }, { userId, replacedFromId, askedAt, remindedAt: null });
  }

  /** A deactivated approver's seat goes when their substitute already sits on the step. */
  async removeSeat(m: EntityManager, seatId: number): Promise<void> {
    await m.delete(ApprovalApprover, { id: seatId });
  }

  /** Of these subjects of `kind`, those with a round that seats the user on any step, asked yet or not. */
  async seatedOn(userId: number, kind: string, subjectIds: number[]): Promise<number[]> {
    if (!subjectIds.length) return [];
    const rows = await this.dataSource.query<{ id: number }[]>(
      `SELECT DISTINCT r.subject_id AS id
         FROM approval_approver a
         JOIN approval_step s ON s.id = a.step_id
         JOIN approval_round r ON r.id = s.round_id
        WHERE a.user_id = $1 AND r.subject_kind = $2 AND r.subject_id = ANY($3)`,
      [userId, kind, subjectIds],
    );
    return rows.map((r) => r.id);
  }

  /** What waits for the user: their undecided seats on the current steps of pending rounds, oldest first. */
  async waitingFor(userId: number, limit = 200): Promise<WaitingRow[]> {
    const rows = await this.dataSource.query<(Omit<WaitingRow, 'amount'> & { amount: string | null })[]>(
      `SELECT r.id AS "roundId", s.id AS "stepId", r.title, r.url, r.amount, r.requested_by_id AS "requestedById",
              r.created_at AS "submittedAt", s.label_key AS "labelKey", a.asked_at AS "askedAt"
         FROM approval_approver a
         JOIN approval_step s ON s.id = a.step_id AND s.status = 'pending'
         JOIN approval_round r ON r.id = s.round_id AND r.status = 'pending'
        WHERE a.user_id = $1 AND a.decided_at IS NULL
        ORDER BY r.created_at, r.id
        LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => ({ ...r, amount: money(r.amount) }));
  }

  /** How many rounds wait for the user's decision. */
  async countWaiting(userId: number): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM approval_approver a
         JOIN approval_step s ON s.id = a.step_id AND s.status = 'pending'
        WHERE a.user_id = $1 AND a.decided_at IS NULL`,
      [userId],
    );
    return row.n;
  }

  /** The user's decisions, newest first. */
  async decidedBy(userId: number, limit = 50): Promise<DecidedRow[]> {
    const rows = await this.dataSource.query<(Omit<DecidedRow, 'amount'> & { amount: string | null })[]>(
      `SELECT r.id AS "roundId", r.title, r.url, r.amount, r.requested_by_id AS "requestedById",
              s.label_key AS "labelKey", a.decision, a.decided_at AS "decidedAt", r.status AS "roundStatus"
         FROM approval_approver a
         JOIN approval_step s ON s.id = a.step_id
         JOIN approval_round r ON r.id = s.round_id
        WHERE a.user_id = $1 AND a.decided_at IS NOT NULL
        ORDER BY a.decided_at DESC, a.id DESC
        LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => ({ ...r, amount: money(r.amount) }));
  }

  /** Undecided seats on pending steps, asked before `askedBefore` and never reminded. */
  dueReminders(askedBefore: Date): Promise<ReminderRow[]> {
    return this.dataSource.query<ReminderRow[]>(
      `SELECT a.id AS "seatId", a.user_id AS "userId", a.asked_at AS "askedAt", r.id AS "roundId",
              r.title, r.url, s.label_key AS "labelKey"
         FROM approval_step s
         JOIN approval_round r ON r.id = s.round_id AND r.status = 'pending'
         JOIN approval_approver a ON a.step_id = s.id AND a.decided_at IS NULL AND a.reminded_at IS NULL
        WHERE s.status = 'pending' AND a.asked_at < $1
        ORDER BY a.id`,
      [askedBefore],
    );
  }

  /** Marks a seat reminded; false when it already was (another run got there first) or was decided meanwhile. */
  async markReminded(m: EntityManager, seatId: number, at: Date): Promise<boolean> {
    // An UPDATE answers [rows, count] through TypeORM's query().
    const [, count] = await m.query<[unknown[], number]>(
      `UPDATE approval_approver SET reminded_at = $2
        WHERE id = $1 AND reminded_at IS NULL AND decided_at IS NULL`,
      [seatId, at],
    );
    return count === 1;
  }

  /** Erasing a person: masks what matches `pattern` in approval titles and approvers' comments. */
  async maskText(m: EntityManager, pattern: string, mask: string): Promise<number> {
    const [, rounds] = (await m.query(
      `UPDATE approval_round SET title = regexp_replace(title, $1, $2, 'gi') WHERE title ~* $1`,
      [pattern, mask],
    )) as [unknown, number];
    const [, comments] = (await m.query(
      `UPDATE approval_approver SET comment = regexp_replace(comment, $1, $2, 'gi') WHERE comment ~* $1`,
      [pattern, mask],
    )) as [unknown, number];
    return rounds + comments;
  }
}
