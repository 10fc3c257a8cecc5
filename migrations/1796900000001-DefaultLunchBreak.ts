import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The working day Chinese offices keep by default: 09:00–12:00 and 13:30–18:00 (a lunch break from
 * 12:00 to 13:30), as SLA targets count it. Applied only to a calendar nobody has edited yet (its
 * first version, no break); an admin's own hours stay as they are.
 */
export class DefaultLunchBreak1796900000001 implements MigrationInterface {
  name = 'DefaultLunchBreak1796900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "business_hours" SET "lunch_starts" = 720, "lunch_ends" = 810, "version" = "version" + 1
        WHERE "id" = 1 AND "version" = 1 AND "lunch_starts" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "business_hours" SET "lunch_starts" = NULL, "lunch_ends" = NULL, "version" = "version" - 1
        WHERE "id" = 1 AND "version" = 2 AND "lunch_starts" = 720 AND "lunch_ends" = 810`,
    );
  }
}
