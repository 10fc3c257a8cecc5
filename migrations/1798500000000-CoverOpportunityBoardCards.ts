import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a board card shows, beyond what the board's indexes already held for its figures and scope. */
const CARD = '"title", "customer_id", "last_activity_at", "updated_at", "version"';

/**
 * The board's cards are read from its indexes alone: the open columns' index by stage and expected
 * close and the closed deals' index by stage and closing time now carry every column a card shows, so
 * a column's first cards are the first entries of its index, with no lookup of each card's row by id
 * (180 cards: ~540 buffer hits per view, half the board statement's time at 100,000 customers). Same
 * names, keys and conditions as before; only the INCLUDE lists grow.
 */
export class CoverOpportunityBoardCards1798500000000 implements MigrationInterface {
  name = 'CoverOpportunityBoardCards1798500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_opportunity_stage_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_board" ON "opportunity" ("stage", "expected_close_date", "id")
         INCLUDE ("closed_at", "owner_id", "amount", "probability", ${CARD}) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`DROP INDEX "ix_opportunity_closed_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_closed_board" ON "opportunity" ("stage", "closed_at", "id")
         INCLUDE ("owner_id", "amount", "probability", "expected_close_date", ${CARD})
         WHERE "deleted_at" IS NULL AND "closed_at" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_opportunity_closed_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_closed_board" ON "opportunity" ("stage", "closed_at", "id")
         INCLUDE ("owner_id") WHERE "deleted_at" IS NULL AND "closed_at" IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "ix_opportunity_stage_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_board" ON "opportunity" ("stage", "expected_close_date", "id")
         INCLUDE ("closed_at", "owner_id", "amount", "probability") WHERE "deleted_at" IS NULL`,
    );
  }
}
