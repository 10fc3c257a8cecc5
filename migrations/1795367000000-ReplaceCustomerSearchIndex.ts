import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer search reads a small index of tokens instead of the trigrams of the whole search text:
 * pairs of Chinese characters, and the first characters of the pinyin and initials from where the
 * name, its 字号 and each word start (customer-keys.ts). The trigrams were about 90 keys per customer
 * and most of the time of writing one; the tokens are about 12, most of them shared.
 *
 * The tokens are the search text after its tab, so the index is on that expression (customer-search.ts
 * queries the same one). Clearing the search text makes the app rebuild it, tokens and all, at start.
 *
 * A contact's whole name (周杰), looked up by every search word of one or two characters, gets a b-tree:
 * the trigram index answers an equality slowly.
 */
export class ReplaceCustomerSearchIndex1795367000000 implements MigrationInterface {
  name = 'ReplaceCustomerSearchIndex1795367000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_customer_search_trgm"`);
    await queryRunner.query(`UPDATE "customer" SET "search_text" = ''`);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_search" ON "customer" USING gin ((array_to_tsvector(array_remove(string_to_array(split_part(search_text, E'\\t', 2), ' '), ''))))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contact_name" ON "contact" ("name")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_contact_name"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_search"`);
    await queryRunner.query(`UPDATE "customer" SET "search_text" = ''`);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_search_trgm" ON "customer" USING gin ("search_text" gin_trgm_ops)`,
    );
  }
}
