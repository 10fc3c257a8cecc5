import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFound } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { localDay } from '../common/time.js';
import type { TaskKind } from './task.entity.js';
import { type OpenTaskRow, TasksRepository } from './tasks.repository.js';

/** A task to make: whose, by when, what, and about which record. */
export interface NewTask {
  assigneeId: number;
  dueOn: string;
  kind: TaskKind;
  sourceKind: string;
  sourceId: number;
  /** The locale key of what is to be done, shown before the title in the reader's language. */
  labelKey: string | null;
  title: string;
}

/** A task as My day shows it, with the page of the record it is about. */
export interface TaskItem extends OpenTaskRow {
  url: string | null;
  overdue: boolean;
}

/** The pages of the records tasks are about, by the source's kind. */
const SOURCE_PAGES: Record<string, string> = {
  contract: '/contracts/',
  customer: '/customers/',
  opportunity: '/opportunities/',
};

/** My day lists this many open tasks. */
const MY_DAY_TASKS = 30;

/**
 * Tasks (待办): things a rule gives one person to do by a day (kickoff steps after a signing, care
 * calls). Modules make them inside their own transaction; the assignee sees them on My day and marks
 * them done. An admin may close anyone's task; nobody else closes a task that is not theirs.
 */
@Injectable()
export class TasksService {
  constructor(private readonly repo: TasksRepository) {}

  /** Makes tasks in the caller's transaction; answers their ids. */
  create(m: EntityManager, tasks: NewTask[]): Promise<number[]> {
    return this.repo.insert(
      m,
      tasks.map((t) => ({ ...t, status: 'open' as const })),
    );
  }

  /** The user's open tasks, soonest due first (one indexed statement). */
  async openFor(user: SessionUser): Promise<TaskItem[]> {
    const today = localDay(new Date(), user.timezone);
    const rows = await this.repo.openOf(user.id, MY_DAY_TASKS);
    return rows.map((r) => ({
      ...r,
      url: SOURCE_PAGES[r.sourceKind] ? `${SOURCE_PAGES[r.sourceKind]}${r.sourceId}` : null,
      overdue: r.dueOn < today,
    }));
  }

  /** Gives a leaving user's open tasks to someone else, in the deactivation's transaction; returns how many. */
  reassignOpen(m: EntityManager, fromId: number, toId: number): Promise<number> {
    return this.repo.reassignOpen(m, fromId, toId);
  }

  /** Marks one of the user's open tasks done (an admin: anyone's). Not theirs, or done already: 404. */
  async markDone(user: SessionUser, id: number): Promise<void> {
    const done = await this.repo.markDone(id, user.role === 'admin' ? null : user.id);
    if (!done) throw new NotFound();
  }

  /** Erasing a person, in the erasure's transaction: what names them in task titles is masked. */
  erasePerson(m: EntityManager, who: { pattern: string; mask: string }): Promise<number> {
    return who.pattern ? this.repo.maskTitles(m, who.pattern, who.mask) : Promise.resolve(0);
  }
}
