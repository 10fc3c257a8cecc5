import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The portal's hourly bound counted in the database (an hour of requests per IP address, e-mail,
 * mobile and tracking token), so that several Kehu instances share one count.
 */
export class AddPortalRequests1797400000000 implements MigrationInterface {
  name = 'AddPortalRequests1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "portal_request" ("id" BIGSERIAL NOT NULL, "key" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_0e72c2baae71e6b58fb899bdcf7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_portal_request_at" ON "portal_request"  ("at") `);
    await queryRunner.query(`CREATE INDEX "ix_portal_request_key" ON "portal_request"  ("key", "at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_portal_request_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_portal_request_at"`);
    await queryRunner.query(`DROP TABLE "portal_request"`);
  }
}
