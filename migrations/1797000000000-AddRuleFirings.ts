import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The automation rules' memory: one row per rule, subject and period that has fired (a second app
 * instance or a rerun finds it and does nothing), a contact's choice not to receive Kehu's mail and
 * the token of their unsubscribe link, a manager's choice not to receive the weekly digest, and when
 * a contract was completed (its satisfaction survey goes out seven days later), and the language and
 * subject (the contract's number) of a survey sent to a contact.
 */
export class AddRuleFirings1797000000000 implements MigrationInterface {
  name = 'AddRuleFirings1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rule_firing" ("id" SERIAL NOT NULL, "rule" text NOT NULL, "subject_kind" text NOT NULL, "subject_id" integer NOT NULL, "period" text NOT NULL, "customer_id" integer, "details" jsonb NOT NULL DEFAULT '{}', "fired_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_937bfa074e9ebf441a7e254abfa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_rule_firing_once" ON "rule_firing" ("rule", "subject_kind", "subject_id", "period") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_rule_firing_customer" ON "rule_firing" ("customer_id", "fired_at") WHERE "customer_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "rule_firing" ADD CONSTRAINT "FK_a84eccfe5b1e987489c0a3c4dc0" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "contact" ADD "mail_opt_out" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "app_user" ADD "digest_opt_out" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "contract" ADD "completed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "survey_response" ADD "locale" text NOT NULL DEFAULT 'zh-CN'`);
    await queryRunner.query(`ALTER TABLE "survey_response" ADD "subject" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "survey_response" DROP COLUMN "subject"`);
    await queryRunner.query(`ALTER TABLE "survey_response" DROP COLUMN "locale"`);
    await queryRunner.query(`ALTER TABLE "contract" DROP COLUMN "completed_at"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "digest_opt_out"`);
    await queryRunner.query(`ALTER TABLE "contact" DROP COLUMN "mail_opt_out"`);
    await queryRunner.query(`ALTER TABLE "rule_firing" DROP CONSTRAINT "FK_a84eccfe5b1e987489c0a3c4dc0"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rule_firing_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ux_rule_firing_once"`);
    await queryRunner.query(`DROP TABLE "rule_firing"`);
  }
}
