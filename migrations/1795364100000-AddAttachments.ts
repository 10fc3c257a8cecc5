import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Files attached to records, their bytes kept in the database. */
export class AddAttachments1795364100000 implements MigrationInterface {
  name = 'AddAttachments1795364100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "attachment" ("id" SERIAL NOT NULL, "owner_kind" text NOT NULL, "owner_id" integer NOT NULL, "file_name" text NOT NULL, "content_type" text NOT NULL, "size" integer NOT NULL, "sha256" text NOT NULL, "bytes" bytea NOT NULL, "uploaded_by_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_attachment_size" CHECK ("size" >= 0), CONSTRAINT "PK_d2a80c3a8d467f08a750ac4b420" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_attachment_owner" ON "attachment"  ("owner_kind", "owner_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_attachment_owner"`);
    await queryRunner.query(`DROP TABLE "attachment"`);
  }
}
