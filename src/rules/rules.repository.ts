import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { RuleFiring } from './rule-firing.entity.js';

export type NewFiring = Pick<
  RuleFiring,
  'rule' | 'subjectKind' | 'subjectId' | 'period' | 'customerId' | 'details'
>;

/** All SQL on rule firings. */
@Injectable()
export class RulesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the firing in the caller's transaction; false when it is taken already. A second instance
   * inserting the same key meanwhile waits on the unique index until the first commits (then it finds
   * the row: false) or rolls back (then it takes it).
   */
  async claim(m: EntityManager, f: NewFiring): Promise<boolean> {
    const rows = await m.query<{ id: number }[]>(
      `INSERT INTO rule_firing (rule, subject_kind, subject_id, period, customer_id, details)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (rule, subject_kind, subject_id, period) DO NOTHING RETURNING id`,
      [f.rule, f.subjectKind, f.subjectId, f.period, f.customerId, JSON.stringify(f.details)],
    );
    return rows.length === 1;
  }

  /**
   * A customer's ($1) firings, newest first, at most $2: its timeline's entries, as a SELECT read
   * with the other modules' entries in one statement.
   */
  readonly timelineSql = `SELECT rule, details, fired_at AS "firedAt" FROM rule_firing
     WHERE customer_id = $1 ORDER BY fired_at DESC, id DESC LIMIT $2`;

  /** Moves a merged customer's firings to the survivor; returns how many moved. */
  async moveCustomer(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE rule_firing SET customer_id = $2 WHERE customer_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  /** Erasing a person: masks what matches `jsonPattern` in the details kept of rules' firings (their JSON text). */
  async maskFirings(m: EntityManager, jsonPattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE rule_firing SET details = regexp_replace(details::text, $1, $2, 'gi')::jsonb WHERE details::text ~* $1`,
      [jsonPattern, mask],
    )) as [unknown, number];
    return count;
  }
}
