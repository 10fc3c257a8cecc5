import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's index: live deals by stage in the order a column shows its cards (expected close),
 * carrying what a column sums and what the scope and the closed-since window check, so each column's
 * count, sum and weighted sum are read from the index alone (the admin's whole scope included) and
 * its first cards without walking the other stages' deals. INCLUDE is beyond the entity decorators:
 * the entity names the index with `synchronize: false`.
 */
export class AddOpportunityBoardIndex1796009655070 implements MigrationInterface {
  name = 'AddOpportunityBoardIndex1796009655070';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_board" ON "opportunity" ("stage", "expected_close_date", "id")
         INCLUDE ("closed_at", "owner_id", "amount", "probability") WHERE "deleted_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_opportunity_stage_board"`);
  }
}
