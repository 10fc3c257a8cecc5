import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an agent is away now rides in the users' directory every instance keeps in memory (the ticket
 * queues show it on every page, and auto-assignment skips the away): marking oneself away or back bumps
 * the reference version like any other change to a user the directory holds.
 */
export class CountAwayAsReferenceData1797900000002 implements MigrationInterface {
  name = 'CountAwayAsReferenceData1797900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.replaceTrigger(queryRunner, ', "away_since"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.replaceTrigger(queryRunner, '');
  }

  private async replaceTrigger(queryRunner: QueryRunner, away: string): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "app_user_reference_version" ON "app_user"`);
    await queryRunner.query(
      `CREATE TRIGGER "app_user_reference_version"
         AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "email", "name", "role", "team_id", "region", "locale", "timezone", "active"${away}
         ON "app_user" FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"()`,
    );
  }
}
