import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The unassigned queue's own indexes: by team (a team's queue) and by status (the admin's), in due
 * order, holding only live tickets nobody has taken. Walking the team's or status's index instead
 * passes every assigned ticket of a busy desk before finding the few waiting for someone.
 */
export class AddUnassignedTicketIndexes1797200000000 implements MigrationInterface {
  name = 'AddUnassignedTicketIndexes1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_unassigned_team_status_due" ON "ticket" ("team_id", "status", "due_at", "id") WHERE "assignee_id" IS NULL AND "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_unassigned_status_due" ON "ticket" ("status", "due_at", "id") WHERE "assignee_id" IS NULL AND "deleted_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_unassigned_status_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_unassigned_team_status_due"`);
  }
}
