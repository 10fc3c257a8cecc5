import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A running ticket: new, open or waiting on the customer, not deleted (the unassigned, mine and team queues). */
const RUNNING = `status IN ('new', 'open', 'pending') AND deleted_at IS NULL`;

/** The queues' sort key: the running due time, waiting tickets (no due time) last. */
const SORT_KEY = `(COALESCE(due_at, 'infinity'::timestamptz)), id`;

/**
 * The unassigned, mine and team queues read only running tickets, in their sort order, from indexes
 * of running tickets alone (about 2% of a million): per team, per assignee, all of them (the admin's
 * team queue), and the unassigned ones per team and all. Each queue's page is then one walk per team
 * or assignee, merged in order, that stops at the page's last ticket; by status (new, open, waiting)
 * it had been three walks per team, each read to a page's length and then sorted. The unassigned
 * indexes by status that this replaces are dropped.
 *
 * PostgreSQL takes "unassigned" and "running" for independent, so it guessed ~20 unassigned running
 * tickets among a million where there were 1,164 (nearly every unassigned ticket is running), and
 * then read them all and sorted them (~1 ms) rather than walk the index to a page's length (~0.05
 * ms). Statistics of assignee and status together (their most common pairs, unassigned among them)
 * give it the true number; the table is analysed so that the new indexes' sort key has its own.
 */
export class AddRunningTicketQueueIndexes1798400000000 implements MigrationInterface {
  name = 'AddRunningTicketQueueIndexes1798400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_running_team" ON "ticket" ("team_id", ${SORT_KEY}) WHERE ${RUNNING}`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_running_assignee" ON "ticket" ("assignee_id", ${SORT_KEY}) WHERE ${RUNNING}`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ticket_running" ON "ticket" (${SORT_KEY}) WHERE ${RUNNING}`);
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_running_unassigned_team" ON "ticket" ("team_id", ${SORT_KEY})
        WHERE assignee_id IS NULL AND ${RUNNING}`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_running_unassigned" ON "ticket" (${SORT_KEY}) WHERE assignee_id IS NULL AND ${RUNNING}`,
    );
    await queryRunner.query(`DROP INDEX "ix_ticket_unassigned_status_due"`);
    await queryRunner.query(`DROP INDEX "ix_ticket_unassigned_team_status_due"`);
    await queryRunner.query(
      `CREATE STATISTICS "st_ticket_assignee_status" (mcv) ON "assignee_id", "status" FROM "ticket"`,
    );
    await queryRunner.query(`ANALYZE "ticket"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP STATISTICS "st_ticket_assignee_status"`);
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_unassigned_team_status_due" ON "ticket" ("team_id", "status", "due_at", "id") WHERE "assignee_id" IS NULL AND "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_unassigned_status_due" ON "ticket" ("status", "due_at", "id") WHERE "assignee_id" IS NULL AND "deleted_at" IS NULL`,
    );
    for (const name of [
      'ix_ticket_running_unassigned',
      'ix_ticket_running_unassigned_team',
      'ix_ticket_running',
      'ix_ticket_running_assignee',
      'ix_ticket_running_team',
    ])
      await queryRunner.query(`DROP INDEX "${name}"`);
  }
}
