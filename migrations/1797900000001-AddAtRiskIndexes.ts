import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the dashboard's at-risk list looks for among the customers, each from a small index of its own
 * rather than by reading every running ticket or every deal: the customers with an open complaint (and
 * how many, per customer), and the open deals by last activity (the stale ones, with their customer).
 */
export class AddAtRiskIndexes1797900000001 implements MigrationInterface {
  name = 'AddAtRiskIndexes1797900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_open_complaint" ON "ticket" ("customer_id")
        WHERE type = 'complaint' AND status IN ('new', 'open', 'pending') AND deleted_at IS NULL
          AND merged_into_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_open_activity" ON "opportunity" ("last_activity_at", "customer_id")
        WHERE deleted_at IS NULL AND stage NOT IN ('won', 'lost')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_opportunity_open_activity"`);
    await queryRunner.query(`DROP INDEX "ix_ticket_open_complaint"`);
  }
}
