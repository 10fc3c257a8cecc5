import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SlimImportRows1795351166705 implements MigrationInterface {
  name = 'SlimImportRows1795351166705';

  /** An import's rejected rows are downloaded from its file, kept beside it; the rows no longer copy its cells. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer_import_row" DROP COLUMN "cells"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer_import_row" ADD "cells" jsonb NOT NULL DEFAULT '[]'`);
  }
}
