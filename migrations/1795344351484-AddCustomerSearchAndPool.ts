import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCustomerSearchAndPool1795344351484 implements MigrationInterface {
  name = 'AddCustomerSearchAndPool1795344351484';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "setting" ("key" text NOT NULL, "value" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "PK_1c4c95d773004250c157a744d6e" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`ALTER TABLE "customer" ADD "name_key" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "customer" ADD "search_text" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "customer" ADD "owned_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "customer" ADD "pool_warned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "customer" ADD "merged_into_id" integer`);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_last_interaction" ON "customer"  ("last_interaction_at") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_customer_name_key" ON "customer"  ("name_key") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_email" ON "contact"  ("email") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_phone" ON "contact"  ("phone") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_mobile" ON "contact"  ("mobile") `);
    await queryRunner.query(
      `ALTER TABLE "customer" ADD CONSTRAINT "FK_3a8f07b5e951f79da8a2c6f0f61" FOREIGN KEY ("merged_into_id") REFERENCES "customer"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    // Trigram search over name, pinyin and initials, and name similarity for duplicate checks.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_search_trgm" ON "customer" USING gin ("search_text" gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_name_key_trgm" ON "customer" USING gin ("name_key" gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_contact_name_trgm" ON "contact" USING gin ("name" gin_trgm_ops)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_contact_name_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_name_key_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_search_trgm"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP CONSTRAINT "FK_3a8f07b5e951f79da8a2c6f0f61"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_mobile"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_phone"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_name_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_last_interaction"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "merged_into_id"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "pool_warned_at"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "owned_since"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "search_text"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "name_key"`);
    await queryRunner.query(`DROP TABLE "setting"`);
  }
}
