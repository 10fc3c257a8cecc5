import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The days each table's rows place in the dashboard's figures: `marks` lists, per row, pairs of an
 * instant (a day in the company's zone, read when the marks are) and a calendar day, as SQL on the
 * row's columns (`x.` stands for the row).
 */
interface Marked {
  table: string;
  marks: [at: string, onDay: string][];
  /** Columns whose change on an update matters to a figure (others, like updated_at, do not). */
  watched: string[];
  /** Columns whose change also moves other tables' rows in the figures (a customer's owner…). */
  related?: { watched: string[]; marks: (ids: string) => string };
}

const TICKET_MARKS: Marked['marks'] = [
  ['x.received_at', 'NULL'],
  ['x.first_responded_at', 'NULL'],
  ['x.resolved_at', 'NULL'],
  ['x.closed_at', 'NULL'],
];

/** `marks` of the row named `as` rather than `x`. */
const of = (marks: Marked['marks'], as: string): Marked['marks'] =>
  marks.map(([at, onDay]) => [at.replaceAll('x.', `${as}.`), onDay.replaceAll('x.', `${as}.`)]);

/** The marks of each row, as rows v(at, on_day) joined to it: every mark in one scan of the rows. */
const marksOf = (marks: Marked['marks']) =>
  `CROSS JOIN LATERAL (VALUES ${marks.map(([at, onDay]) => `(${at}::timestamptz, ${onDay}::date)`).join(', ')}) v(at, on_day)`;

const MARKED: Marked[] = [
  {
    table: 'customer',
    marks: [['x.created_at', 'NULL']],
    watched: ['created_at', 'owner_id', 'deleted_at', 'merged_into_id', 'province', 'industry'],
    related: {
      watched: ['owner_id', 'deleted_at', 'merged_into_id', 'province', 'industry'],
      marks: (ids) => `
        SELECT happened_at AS at, NULL::date AS on_day FROM follow_up WHERE customer_id IN (${ids})
        UNION ALL SELECT NULL, signed_on FROM contract WHERE customer_id IN (${ids}) AND signed_on IS NOT NULL
        UNION ALL SELECT NULL, p.received_on FROM payment p JOIN contract k ON k.id = p.contract_id
                   WHERE k.customer_id IN (${ids})
        UNION ALL SELECT answered_at, NULL FROM survey_response WHERE customer_id IN (${ids}) AND answered_at IS NOT NULL
        UNION ALL SELECT v.at, v.on_day FROM ticket x ${marksOf(TICKET_MARKS)} WHERE x.customer_id IN (${ids})`,
    },
  },
  {
    table: 'follow_up',
    marks: [['x.happened_at', 'NULL']],
    watched: ['happened_at', 'author_id', 'customer_id', 'method', 'deleted_at'],
  },
  {
    table: 'opportunity',
    marks: [['x.closed_at', 'x.expected_close_date']],
    watched: [
      'stage',
      'closed_at',
      'created_at',
      'expected_close_date',
      'owner_id',
      'customer_id',
      'amount',
      'probability',
      'deleted_at',
    ],
  },
  {
    table: 'contract',
    marks: [['NULL', 'x.signed_on']],
    watched: ['signed_on', 'owner_id', 'customer_id', 'amount', 'status', 'deleted_at'],
    related: {
      watched: ['owner_id', 'customer_id', 'status', 'deleted_at'],
      marks: (ids) => `
        SELECT NULL::timestamptz AS at, received_on AS on_day FROM payment WHERE contract_id IN (${ids})
        UNION ALL SELECT NULL, due_on FROM payment_installment WHERE contract_id IN (${ids})`,
    },
  },
  {
    table: 'payment',
    marks: [['NULL', 'x.received_on']],
    watched: ['received_on', 'contract_id', 'amount', 'reversed_at'],
  },
  {
    table: 'payment_installment',
    marks: [['NULL', 'x.due_on']],
    watched: ['due_on', 'contract_id', 'amount', 'collected'],
  },
  {
    table: 'ticket',
    marks: TICKET_MARKS,
    watched: [
      'received_at',
      'first_responded_at',
      'first_response_minutes',
      'first_response_due_at',
      'resolved_at',
      'resolution_minutes',
      'resolution_due_at',
      'closed_at',
      'public_reply_count',
      'reopen_count',
      'assignee_id',
      'team_id',
      'customer_id',
      'channel',
      'type',
      'deleted_at',
      'merged_into_id',
    ],
    related: {
      watched: ['assignee_id', 'team_id', 'customer_id', 'deleted_at', 'merged_into_id'],
      marks: (ids) => `
        SELECT answered_at AS at, NULL::date AS on_day FROM survey_response
         WHERE ticket_id IN (${ids}) AND answered_at IS NOT NULL`,
    },
  },
  {
    table: 'survey_response',
    marks: [['x.answered_at', 'NULL']],
    watched: ['answered_at', 'ticket_id', 'customer_id', 'csat', 'nps', 'ces', 'kind'],
  },
];

const differs = (columns: string[]) =>
  `(${columns.map((c) => `n.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `o.${c}`).join(', ')})`;

/** The trigger function of one table: its rows' marks (and related rows' marks) appended. */
function markFunction(m: Marked): string {
  const insert = (select: string) => `
    INSERT INTO kpi_dirty (at, on_day)
    SELECT DISTINCT at, on_day FROM (${select}) d WHERE at IS NOT NULL OR on_day IS NOT NULL`;
  /** Updated rows whose `columns` changed, old (o) beside new (n), with `joined` to each pair. */
  const changed = (columns: string[], joined = '') =>
    `new_rows n JOIN old_rows o ON o.id = n.id ${joined} WHERE ${differs(columns)}`;
  const related = m.related;
  return `
    CREATE FUNCTION kpi_mark_${m.table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${insert(`SELECT v.at, v.on_day FROM new_rows x ${marksOf(m.marks)}`)};
      ELSIF TG_OP = 'UPDATE' THEN
        ${insert(`SELECT v.at, v.on_day FROM ${changed(m.watched, marksOf([...of(m.marks, 'n'), ...of(m.marks, 'o')]))}`)};
        ${
          related
            ? `IF EXISTS (SELECT 1 FROM ${changed(related.watched)}) THEN
                 ${insert(related.marks(`SELECT n.id FROM ${changed(related.watched)}`))};
               END IF;`
            : ''
        }
      ELSIF TG_OP = 'DELETE' THEN
        ${insert(`SELECT v.at, v.on_day FROM old_rows x ${marksOf(m.marks)}`)};
        ${related ? `${insert(related.marks('SELECT id FROM old_rows'))};` : ''}
      ELSE
        UPDATE kpi_rollup SET zone = NULL, built_at = NULL;
      END IF;
      RETURN NULL;
    END $$`;
}

/**
 * The dashboard's figures that count the records of a day (new customers, follow-ups, deals closed
 * and won, pipeline by expected close, contracts signed, payments collected, installments due,
 * tickets received, first answered and resolved, survey answers, and the tickets coming into and
 * leaving the backlog) are summed from day totals (`kpi_day_total`) instead of reading every record
 * of the period on each view: at 100,000 customers and a million tickets and follow-ups, a manager's
 * page read ~4–8 s of records.
 *
 * The totals are exact at every moment. Statement triggers on every table the figures read append
 * the days a change touches (old and new values: a ticket resolved on another day, a customer handed
 * to another rep, whose follow-ups, tickets and contracts then count for someone else) to
 * `kpi_dirty`, an append-only list (no key, so writers never wait for one another). A page reads the
 * totals of the days not listed there and the records of the days that are; a job every minute
 * counts the listed days again and clears them (src/dashboard/queries/day-totals.query.ts). A
 * truncate of any of these tables marks the totals unbuilt (`kpi_rollup.zone` NULL): pages read the
 * records until they are counted again. The zone the totals' days are in is kept with them.
 */
export class KeepKpiDayTotals1798000000000 implements MigrationInterface {
  name = 'KeepKpiDayTotals1798000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "kpi_day_total" (
        "figure" text NOT NULL,
        "sliced" boolean NOT NULL,
        "day" date NOT NULL,
        "owner_id" integer,
        "k_user" integer,
        "k_team" integer,
        "k_cust" integer,
        "dim1" text,
        "dim2" text,
        "customer_id" integer,
        "n" integer NOT NULL,
        "hits" integer NOT NULL,
        "total" numeric NOT NULL,
        "total_hit" numeric NOT NULL,
        "total2" numeric NOT NULL)`);
    await queryRunner.query(
      `CREATE INDEX "ix_kpi_day_total_figure_day" ON "kpi_day_total" ("figure", "sliced", "day")`,
    );
    await queryRunner.query(`CREATE TABLE "kpi_dirty" ("at" timestamptz, "on_day" date)`);
    await queryRunner.query(`
      CREATE TABLE "kpi_rollup" (
        "id" integer PRIMARY KEY CHECK ("id" = 1),
        "zone" text,
        "built_at" timestamptz)`);
    await queryRunner.query(`INSERT INTO "kpi_rollup" ("id") VALUES (1)`);
    for (const m of MARKED) {
      await queryRunner.query(markFunction(m));
      await queryRunner.query(`
        CREATE TRIGGER kpi_mark_on_insert AFTER INSERT ON "${m.table}"
          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_mark_${m.table}()`);
      await queryRunner.query(`
        CREATE TRIGGER kpi_mark_on_update AFTER UPDATE ON "${m.table}"
          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION kpi_mark_${m.table}()`);
      await queryRunner.query(`
        CREATE TRIGGER kpi_mark_on_delete AFTER DELETE ON "${m.table}"
          REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_mark_${m.table}()`);
      await queryRunner.query(`
        CREATE TRIGGER kpi_mark_on_truncate AFTER TRUNCATE ON "${m.table}"
          FOR EACH STATEMENT EXECUTE FUNCTION kpi_mark_${m.table}()`);
    }
    // The backlog's tickets gone (resolved or closed) on the days read from the records, by when.
    await queryRunner.query(`
      CREATE INDEX "ix_ticket_gone" ON "ticket" ((greatest("received_at", least("resolved_at", "closed_at"))))
       WHERE "resolved_at" IS NOT NULL OR "closed_at" IS NOT NULL`);
    // The active customers (the complaint rate's denominator) counted from an index of them by owner.
    await queryRunner.query(`
      CREATE INDEX "ix_customer_active_owner" ON "customer" ("owner_id")
       WHERE "status" = 'active' AND "deleted_at" IS NULL AND "merged_into_id" IS NULL`);
    // The funnel reads the stage changes of its period by time, rather than every change ever made.
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_change_at" ON "opportunity_stage_change" ("at", "opportunity_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_opportunity_stage_change_at"`);
    await queryRunner.query(`DROP INDEX "ix_customer_active_owner"`);
    await queryRunner.query(`DROP INDEX "ix_ticket_gone"`);
    for (const m of MARKED) {
      for (const on of ['insert', 'update', 'delete', 'truncate'])
        await queryRunner.query(`DROP TRIGGER "kpi_mark_on_${on}" ON "${m.table}"`);
      await queryRunner.query(`DROP FUNCTION kpi_mark_${m.table}()`);
    }
    await queryRunner.query(`DROP TABLE "kpi_rollup"`);
    await queryRunner.query(`DROP TABLE "kpi_dirty"`);
    await queryRunner.query(`DROP TABLE "kpi_day_total"`);
  }
}
