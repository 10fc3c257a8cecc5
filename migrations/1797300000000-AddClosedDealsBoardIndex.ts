import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The board's won and lost columns: closed deals by stage and closing time, so a column's latest
 * closed deals are the last entries of its window. Walking the stage index by expected close instead
 * passed every deal closed long ago (at 200,000 deals, ~39,000 index entries per board) to find the
 * few closed in the window the board shows.
 */
export class AddClosedDealsBoardIndex1797300000000 implements MigrationInterface {
  name = 'AddClosedDealsBoardIndex1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_closed_board" ON "opportunity" ("stage", "closed_at", "id")
         INCLUDE ("owner_id") WHERE "deleted_at" IS NULL AND "closed_at" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_closed_board"`);
  }
}
