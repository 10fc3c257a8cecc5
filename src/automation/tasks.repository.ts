import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Task } from './task.entity.js';

/** A task as My day lists it. */
export interface OpenTaskRow {
  id: number;
  kind: Task['kind'];
  labelKey: string | null;
  title: string;
  dueOn: string;
  sourceKind: string;
  sourceId: number;
}

/** All SQL on tasks. */
@Injectable()
export class TasksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, rows: Partial<Task>[]): Promise<number[]> {
    if (!rows.length) return [];
    const { identifiers } = await m.insert(Task, rows);
    return identifiers.map((i) => i.id as number);
  }

  /** A user's open tasks, soonest due first (one scan of the assignee's open-task index). */
  async openOf(assigneeId: number, limit: number): Promise<OpenTaskRow[]> {
    return this.dataSource.query<OpenTaskRow[]>(
      `SELECT id, kind, label_key AS "labelKey", title, due_on::text AS "dueOn", source_kind AS "sourceKind", source_id AS "sourceId"
         FROM task WHERE assignee_id = $1 AND status = 'open' ORDER BY due_on, id LIMIT ${Number(limit)}`,
      [assigneeId],
    );
  }

  /** Marks an open task of `assigneeId` done; false if there is none such (done already, or not theirs). */
  async markDone(id: number, assigneeId: number | null): Promise<boolean> {
    const [, changed] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE task SET status = 'done', done_at = now(), version = version + 1
        WHERE id = $1 AND status = 'open' AND ($2::int IS NULL OR assignee_id = $2)`,
      [id, assigneeId],
    );
    return changed === 1;
  }

  /** Gives a user's open tasks to another, in the caller's transaction; returns how many. */
  async reassignOpen(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      `UPDATE task SET assignee_id = $2, version = version + 1 WHERE assignee_id = $1 AND status = 'open'`,
      [fromId, toId],
    );
    return moved;
  }

  find(id: number): Promise<Task | null> {
    return this.dataSource.manager.findOne(Task, { where: { id } });
  }

  /** Erasing a person: masks what matches `pattern` in task titles. */
  async maskTitles(m: EntityManager, pattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE task SET title = regexp_replace(title, $1, $2, 'gi') WHERE title ~* $1`,
      [pattern, mask],
    )) as [unknown, number];
    return count;
  }
}
