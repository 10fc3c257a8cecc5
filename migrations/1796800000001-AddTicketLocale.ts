import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ticket remembers the requester's language (the portal's, or the agent's choice for a call), so
 * the acknowledgement, the agents' replies, the survey and the merge notice reach them in it.
 */
export class AddTicketLocale1796800000001 implements MigrationInterface {
  name = 'AddTicketLocale1796800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket" ADD "locale" text NOT NULL DEFAULT 'zh-CN'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "locale"`);
  }
}
