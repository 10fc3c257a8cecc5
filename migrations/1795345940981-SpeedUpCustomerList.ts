import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the customer list's sort orders and e-mail search, and a fresh search text for every
 * customer (it now holds pairs of Chinese characters): clearing it makes the app rebuild it at start.
 */
export class SpeedUpCustomerList1795345940981 implements MigrationInterface {
  name = 'SpeedUpCustomerList1795345940981';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_customer_recent" ON "customer" ("updated_at" DESC, "id" DESC) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_owner_recent" ON "customer" ("owner_id", "updated_at" DESC, "id" DESC) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_by_name" ON "customer" ("name", "id") WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_idle" ON "customer" ((coalesce(last_interaction_at, '-infinity'::timestamptz)), "id") WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contact_email_lower" ON "contact" (lower("email"))`);
    await queryRunner.query(`UPDATE "customer" SET "search_text" = ''`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_contact_email_lower"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_idle"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_by_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_owner_recent"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_recent"`);
  }
}
