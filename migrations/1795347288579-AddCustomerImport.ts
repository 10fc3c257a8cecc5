import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCustomerImport1795347288579 implements MigrationInterface {
  name = 'AddCustomerImport1795347288579';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "customer_import" ("id" uuid NOT NULL DEFAULT uuid_generate_v4(), "user_id" integer NOT NULL, "file_name" text NOT NULL, "file_path" text NOT NULL, "format" text NOT NULL, "status" text NOT NULL DEFAULT 'mapping', "headers" jsonb NOT NULL DEFAULT '[]', "mapping" jsonb NOT NULL DEFAULT '[]', "progress" integer NOT NULL DEFAULT '0', "total" integer NOT NULL DEFAULT '0', "counts" jsonb NOT NULL DEFAULT '{}', "failure" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_customer_import_status" CHECK ("status" IN ('mapping', 'checking', 'checked', 'importing', 'done', 'failed')), CONSTRAINT "PK_f6fe6921eb22bde09bd899859e3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_import_user" ON "customer_import"  ("user_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "customer_import_row" ("import_id" uuid NOT NULL, "row_no" integer NOT NULL, "cells" jsonb NOT NULL, "values" jsonb NOT NULL, "errors" jsonb NOT NULL DEFAULT '{}', "duplicate_of" integer, "duplicate_name" text, "duplicate_owner" text, "duplicate_editable" boolean NOT NULL DEFAULT false, "action" text NOT NULL, CONSTRAINT "ck_customer_import_row_action" CHECK ("action" IN ('create', 'update', 'skip', 'error')), CONSTRAINT "PK_e98dbc03da022a3ed0450db0ddb" PRIMARY KEY ("import_id", "row_no"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_import_row_action" ON "customer_import_row"  ("import_id", "action") `,
    );
    await queryRunner.query(
      `ALTER TABLE "customer_import" ADD CONSTRAINT "FK_14e39ee9192ff0025f4f7fce4a9" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer_import_row" ADD CONSTRAINT "FK_7eb1852abca2694fc1efa88d9df" FOREIGN KEY ("import_id") REFERENCES "customer_import"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "customer_import_row" DROP CONSTRAINT "FK_7eb1852abca2694fc1efa88d9df"`,
    );
    await queryRunner.query(`ALTER TABLE "customer_import" DROP CONSTRAINT "FK_14e39ee9192ff0025f4f7fce4a9"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_import_row_action"`);
    await queryRunner.query(`DROP TABLE "customer_import_row"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_import_user"`);
    await queryRunner.query(`DROP TABLE "customer_import"`);
  }
}
