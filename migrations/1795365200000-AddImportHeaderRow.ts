import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import remembers which row of its file holds the headers (a ledger's title rows stand above
 * them) and, for a CSV, the encoding it was read in; each imported row, the customer it created (an
 * update by a later row of the same file goes to that customer).
 */
export class AddImportHeaderRow1795365200000 implements MigrationInterface {
  name = 'AddImportHeaderRow1795365200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer_import" ADD "header_row" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`ALTER TABLE "customer_import" ADD "encoding" text`);
    await queryRunner.query(`ALTER TABLE "customer_import_row" ADD "customer_id" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer_import_row" DROP COLUMN "customer_id"`);
    await queryRunner.query(`ALTER TABLE "customer_import" DROP COLUMN "encoding"`);
    await queryRunner.query(`ALTER TABLE "customer_import" DROP COLUMN "header_row"`);
  }
}
