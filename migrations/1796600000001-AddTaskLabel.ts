import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task says what is to be done as a locale key (task.kickoff.meeting), shown in the reader's
 * language: whoever the task passes to reads it in theirs. The title keeps what it is about.
 */
export class AddTaskLabel1796600000001 implements MigrationInterface {
  name = 'AddTaskLabel1796600000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "task" ADD "label_key" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "task" DROP COLUMN "label_key"`);
  }
}
