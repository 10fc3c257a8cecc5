import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers owned before `owned_since` existed start their pool clock when they were created. */
export class BackfillOwnedSince1795348755407 implements MigrationInterface {
  name = 'BackfillOwnedSince1795348755407';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "customer" SET "owned_since" = "created_at" WHERE "owner_id" IS NOT NULL AND "owned_since" IS NULL`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: the dates filled in are as good as none.
  }
}
