import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers get notes (备注): free text the customer form, the 360° page, the import and the export carry. */
export class AddCustomerNotes1795365000000 implements MigrationInterface {
  name = 'AddCustomerNotes1795365000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer" ADD "notes" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "notes"`);
  }
}
