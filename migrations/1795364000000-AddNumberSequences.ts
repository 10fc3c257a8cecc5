import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Record numbers (BJ-2026-0001, HT-2026-0001, T-000001) are counted per numbering and year in this table. */
export class AddNumberSequences1795364000000 implements MigrationInterface {
  name = 'AddNumberSequences1795364000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "number_sequence" ("name" text NOT NULL, "year" integer NOT NULL, "last" integer NOT NULL, CONSTRAINT "ck_number_sequence_last" CHECK ("last" > 0), CONSTRAINT "PK_67325de5cb82f5129a9313814ee" PRIMARY KEY ("name", "year"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "number_sequence"`);
  }
}
