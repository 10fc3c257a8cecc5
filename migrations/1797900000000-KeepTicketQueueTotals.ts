import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What tickets add to the queue totals, from a set of ticket rows `rows`: one running ticket (new,
 * open or waiting on the customer) under its team, its assignee and its status; 0 stands for "no
 * team" and "unassigned" (a key cannot hold NULL). A deleted, resolved or closed ticket adds nothing.
 */
const contributions = (rows: string, sign: '' | '-') => `
  SELECT coalesce(team_id, 0) AS team_id, coalesce(assignee_id, 0) AS assignee_id, status, ${sign}1 AS count
    FROM ${rows} WHERE deleted_at IS NULL AND status IN ('new', 'open', 'pending')`;

/**
 * Adds the deltas of one statement's rows to the kept totals: grouped by key, only those that change
 * something, in key order, so that two statements touching the same totals lock them in the same
 * order and never wait for each other in a circle.
 */
const applied = (deltas: string) => `
  INSERT INTO ticket_queue_total AS t (team_id, assignee_id, status, count)
  SELECT team_id, assignee_id, status, sum(count) FROM (${deltas}) d
   GROUP BY team_id, assignee_id, status
  HAVING sum(count) <> 0
   ORDER BY team_id, assignee_id, status
  ON CONFLICT (team_id, assignee_id, status) DO UPDATE SET count = t.count + excluded.count`;

/**
 * The queue tabs' counts (unassigned, mine, my team, waiting on the customer) come from totals the
 * database keeps per team, assignee and status, instead of reading up to a hundred tickets per team
 * and status for each tab on every queue page (at a million tickets a team lead's six counts took
 * ~15 ms of PostgreSQL per page, their planning as much again). The few rows of a desk's teams and
 * agents are summed instead. "Breaching soon" and "recently resolved" depend on the time of asking
 * and are still counted from the tickets' indexes.
 *
 * Statement triggers keep them, whoever writes (the app, a hand-over, a merge, psql), as
 * KeepOpportunityStageTotals does for the board: after each statement that inserts, updates or
 * deletes tickets, the old rows' contributions are taken out and the new rows' put in; a truncate
 * empties them. The triggers are created before the totals are filled, in the same transaction, with
 * writers locked out meanwhile.
 */
export class KeepTicketQueueTotals1797900000000 implements MigrationInterface {
  name = 'KeepTicketQueueTotals1797900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "ticket_queue_total" (
        "team_id" integer NOT NULL,
        "assignee_id" integer NOT NULL,
        "status" text NOT NULL,
        "count" integer NOT NULL,
        CONSTRAINT "PK_ticket_queue_total" PRIMARY KEY ("team_id", "assignee_id", "status"))`);
    await queryRunner.query(`
      CREATE FUNCTION ticket_keep_queue_totals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${applied(contributions('new_tickets', ''))};
        ELSIF TG_OP = 'UPDATE' THEN
          ${applied(`${contributions('old_tickets', '-')} UNION ALL ${contributions('new_tickets', '')}`)};
        ELSIF TG_OP = 'DELETE' THEN
          ${applied(contributions('old_tickets', '-'))};
        ELSE
          DELETE FROM ticket_queue_total;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`LOCK TABLE "ticket" IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`
      CREATE TRIGGER ticket_queue_totals_on_insert AFTER INSERT ON "ticket"
        REFERENCING NEW TABLE AS new_tickets FOR EACH STATEMENT EXECUTE FUNCTION ticket_keep_queue_totals()`);
    await queryRunner.query(`
      CREATE TRIGGER ticket_queue_totals_on_update AFTER UPDATE ON "ticket"
        REFERENCING OLD TABLE AS old_tickets NEW TABLE AS new_tickets
        FOR EACH STATEMENT EXECUTE FUNCTION ticket_keep_queue_totals()`);
    await queryRunner.query(`
      CREATE TRIGGER ticket_queue_totals_on_delete AFTER DELETE ON "ticket"
        REFERENCING OLD TABLE AS old_tickets FOR EACH STATEMENT EXECUTE FUNCTION ticket_keep_queue_totals()`);
    await queryRunner.query(`
      CREATE TRIGGER ticket_queue_totals_on_truncate AFTER TRUNCATE ON "ticket"
        FOR EACH STATEMENT EXECUTE FUNCTION ticket_keep_queue_totals()`);
    await queryRunner.query(applied(contributions('ticket', '')));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const on of ['insert', 'update', 'delete', 'truncate'])
      await queryRunner.query(`DROP TRIGGER "ticket_queue_totals_on_${on}" ON "ticket"`);
    await queryRunner.query(`DROP FUNCTION ticket_keep_queue_totals()`);
    await queryRunner.query(`DROP TABLE "ticket_queue_total"`);
  }
}
