import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each ticket keeps the instants its two 80% warnings fall due, worked out on the business calendar
 * with its due times. The SLA watch read the 1,000 soonest-due running tickets every minute and worked
 * each one's warning instants out in Node (at a million tickets ~50 ms of PostgreSQL and more of Node,
 * every minute, on an idle desk); it now marks the warnings whose instant has come straight from an
 * index of the unwarned tickets, as it marks breaches. Running tickets written before (or by hand)
 * have no instants yet: the watch works theirs out, found by a third index that empties as it does.
 */
export class KeepSlaWarningInstants1799000000000 implements MigrationInterface {
  name = 'KeepSlaWarningInstants1799000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "ticket" ADD "first_response_warning_due_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(`ALTER TABLE "ticket" ADD "resolution_warning_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_first_response_unwarned" ON "ticket" ("first_response_warning_due_at", "id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL AND first_responded_at IS NULL
          AND first_response_warned_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_resolution_unwarned" ON "ticket" ("resolution_warning_due_at", "id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL AND resolution_warned_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_warnings_unplaced" ON "ticket" ("id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL
          AND (first_response_warning_due_at IS NULL OR resolution_warning_due_at IS NULL)`,
    );
    await queryRunner.query(`DROP INDEX "ix_ticket_sla_watched"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_sla_watched" ON "ticket" ("due_at", "id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL
          AND ((first_responded_at IS NULL AND (first_response_warned_at IS NULL OR first_response_breached_at IS NULL))
               OR resolution_warned_at IS NULL OR resolution_breached_at IS NULL)`,
    );
    for (const name of [
      'ix_ticket_warnings_unplaced',
      'ix_ticket_resolution_unwarned',
      'ix_ticket_first_response_unwarned',
    ])
      await queryRunner.query(`DROP INDEX "${name}"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "resolution_warning_due_at"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "first_response_warning_due_at"`);
  }
}
