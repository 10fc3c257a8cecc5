import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Customers are found by the last digits of a contact's mobile (尾号 8198), as reps ask for them. */
export class AddMobileTailSearch1795363000000 implements MigrationInterface {
  name = 'AddMobileTailSearch1795363000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_contact_mobile_tail" ON "contact" (reverse("mobile") text_pattern_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_contact_mobile_tail"`);
  }
}
