import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Duplicate keys now drop a place written after the name (华信科技北京有限公司 is 华信科技, as
 * 华信科技（北京）有限公司 is). Clearing the search text makes the app rebuild both keys at start.
 */
export class RekeyTrailingPlaces1795362000000 implements MigrationInterface {
  name = 'RekeyTrailingPlaces1795362000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "customer" SET "search_text" = ''`);
  }

  async down(): Promise<void> {
    // Keys rebuilt by the newer rule stay; the older app rebuilds none.
  }
}
