import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DropRedundantIndexes1795360254139 implements MigrationInterface {
  name = 'DropRedundantIndexes1795360254139';

  /**
   * Indexes another one already serves (the list's sort indexes lead with owner and name; the idle
   * filter uses ix_customer_idle; contacts are found by lower(email)). Each one cost every customer
   * written, an import's 100,000 among them.
   */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_customer_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_owner"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_last_interaction"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_email"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_contact_email" ON "contact" USING btree ("email") `);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_last_interaction" ON "customer" USING btree ("last_interaction_at") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_customer_owner" ON "customer" USING btree ("owner_id") `);
    await queryRunner.query(`CREATE INDEX "ix_customer_name" ON "customer" USING btree ("name") `);
  }
}
