import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mails holding a one-time link (a password reset) are marked: the outbox page does not show their
 * text, and it is wiped once the mail is sent.
 */
export class MarkSecretMails1797700000000 implements MigrationInterface {
  name = 'MarkSecretMails1797700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_mail" ADD "secret" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_mail" DROP COLUMN "secret"`);
  }
}
