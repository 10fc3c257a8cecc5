import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One number that grows with every change to users, teams or settings, the reference data every
 * page reads. Each app instance keeps that data in memory and reads the number with the session, so
 * a change made anywhere (another instance, a script, psql) is seen by the next request, and pages
 * need no query for it. Statement triggers bump it in the writing transaction, so the number is only
 * seen once the change is. A sign-in's last_login_at or a new password hash change nothing cached,
 * so they do not bump it.
 */
export class AddReferenceVersion1795366500000 implements MigrationInterface {
  name = 'AddReferenceVersion1795366500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reference_version" ("id" integer PRIMARY KEY CHECK ("id" = 1), "version" bigint NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO "reference_version" VALUES (1, 1)`);
    await queryRunner.query(
      `CREATE FUNCTION "bump_reference_version"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE "reference_version" SET "version" = "version" + 1 WHERE "id" = 1;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "app_user_reference_version"
         AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "email", "name", "role", "team_id", "region", "locale", "timezone", "active"
         ON "app_user" FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"()`,
    );
    for (const table of ['team', 'setting'])
      await queryRunner.query(
        `CREATE TRIGGER "${table}_reference_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
           ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"()`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['app_user', 'team', 'setting'])
      await queryRunner.query(`DROP TRIGGER "${table}_reference_version" ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION "bump_reference_version"()`);
    await queryRunner.query(`DROP TABLE "reference_version"`);
  }
}
