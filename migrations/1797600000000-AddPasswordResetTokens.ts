import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Forgot your password?": the links sent by mail (only each token's SHA-256 kept, an hour's life,
 * used once, voided by a newer one) and the requests for them, counted per address and per IP
 * address in the database so several Kehu instances share one bound.
 */
export class AddPasswordResetTokens1797600000000 implements MigrationInterface {
  name = 'AddPasswordResetTokens1797600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "password_reset_request" ("id" BIGSERIAL NOT NULL, "email" text NOT NULL, "ip" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fcf4b02eae1403a2edaf87fd074" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_password_reset_request_ip" ON "password_reset_request"  ("ip", "at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_password_reset_request_email" ON "password_reset_request"  ("email", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "password_reset_token" ("id" SERIAL NOT NULL, "user_id" integer NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "voided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_838af121380dfe3a6330e04f5bb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_password_reset_token_user" ON "password_reset_token"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_password_reset_token_hash" ON "password_reset_token"  ("token_hash") `,
    );
    await queryRunner.query(
      `ALTER TABLE "password_reset_token" ADD CONSTRAINT "FK_7eabb22ed38459ffc24dc8b415d" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "password_reset_token" DROP CONSTRAINT "FK_7eabb22ed38459ffc24dc8b415d"`,
    );
    await queryRunner.query(`DROP INDEX "public"."uq_password_reset_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_password_reset_token_user"`);
    await queryRunner.query(`DROP TABLE "password_reset_token"`);
    await queryRunner.query(`DROP INDEX "public"."ix_password_reset_request_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_password_reset_request_ip"`);
    await queryRunner.query(`DROP TABLE "password_reset_request"`);
  }
}
