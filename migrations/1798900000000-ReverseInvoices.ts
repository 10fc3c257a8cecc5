import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An invoice issued by mistake is reversed by a red-letter invoice (红冲) instead of staying counted
 * for ever: who reversed it, when and why, kept on the invoice.
 */
export class ReverseInvoices1798900000000 implements MigrationInterface {
  name = 'ReverseInvoices1798900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invoice" ADD "reversed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "invoice" ADD "reversed_by_id" integer`);
    await queryRunner.query(`ALTER TABLE "invoice" ADD "reversal_reason" text`);
    await queryRunner.query(
      `ALTER TABLE "invoice" ADD CONSTRAINT "ck_invoice_reversal" CHECK (("reversed_at" IS NULL) = ("reversal_reason" IS NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoice" ADD CONSTRAINT "FK_a677399798e6593118c6596f5c7" FOREIGN KEY ("reversed_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invoice" DROP CONSTRAINT "FK_a677399798e6593118c6596f5c7"`);
    await queryRunner.query(`ALTER TABLE "invoice" DROP CONSTRAINT "ck_invoice_reversal"`);
    await queryRunner.query(`ALTER TABLE "invoice" DROP COLUMN "reversal_reason"`);
    await queryRunner.query(`ALTER TABLE "invoice" DROP COLUMN "reversed_by_id"`);
    await queryRunner.query(`ALTER TABLE "invoice" DROP COLUMN "reversed_at"`);
  }
}
