import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SLA watch runs every minute over the running tickets; at a million tickets its three reads
 * walked every running ticket, already warned and breached ones included (~0.5–1 s of PostgreSQL
 * each, every minute, on an idle desk). Each now has an index of only the tickets it still has to
 * look at, in the order it reads them: those whose first response, or resolution, has not yet been
 * marked breached, by due time, and those with a warning or breach still to tell, by running due time.
 */
export class AddSlaWatchIndexes1797900000003 implements MigrationInterface {
  name = 'AddSlaWatchIndexes1797900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_first_response_unbreached" ON "ticket" ("first_response_due_at", "id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL AND first_responded_at IS NULL
          AND first_response_breached_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_resolution_unbreached" ON "ticket" ("resolution_due_at", "id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL AND resolution_breached_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_sla_watched" ON "ticket" ("due_at", "id")
        WHERE status IN ('new', 'open') AND deleted_at IS NULL
          AND ((first_responded_at IS NULL AND (first_response_warned_at IS NULL OR first_response_breached_at IS NULL))
               OR resolution_warned_at IS NULL OR resolution_breached_at IS NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of [
      'ix_ticket_sla_watched',
      'ix_ticket_resolution_unbreached',
      'ix_ticket_first_response_unbreached',
    ])
      await queryRunner.query(`DROP INDEX "${name}"`);
  }
}
