import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a board card shows, as CoverOpportunityBoardCards listed it, now with its customer's name. */
const CARD = '"title", "customer_id", "customer_name", "last_activity_at", "updated_at", "version"';

/**
 * A deal carries its customer's name, kept by the database whoever writes: a new deal, or one moved
 * to another customer (a merge), takes the customer's current name; renaming a customer (an edit, an
 * import, an erasure's mask) renames it on the customer's deals. The board and the deal list then
 * show their rows' customers without asking the customers module for each page's names (the board's
 * 180 cards: ~0.8 ms of PostgreSQL per view, a third of it), and the board reads the names from its
 * indexes with the rest of a card.
 */
export class KeepCustomerNameOnDeals1798600000000 implements MigrationInterface {
  name = 'KeepCustomerNameOnDeals1798600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "opportunity" ADD "customer_name" text`);
    // The deals' own triggers (kept stage totals, the dashboard's and the health scores' marks) read
    // nothing this fills in: they are left out of it rather than recount every deal.
    await queryRunner.query(`ALTER TABLE "opportunity" DISABLE TRIGGER USER`);
    await queryRunner.query(
      `UPDATE "opportunity" o SET "customer_name" = c."name" FROM "customer" c WHERE c."id" = o."customer_id"`,
    );
    await queryRunner.query(`ALTER TABLE "opportunity" ENABLE TRIGGER USER`);
    await queryRunner.query(`ALTER TABLE "opportunity" ALTER COLUMN "customer_name" SET NOT NULL`);
    await queryRunner.query(`
      CREATE FUNCTION opportunity_take_customer_name() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.customer_name := (SELECT name FROM customer WHERE id = NEW.customer_id);
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER opportunity_customer_name_on_insert BEFORE INSERT ON "opportunity"
         FOR EACH ROW EXECUTE FUNCTION opportunity_take_customer_name()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER opportunity_customer_name_on_move BEFORE UPDATE OF "customer_id" ON "opportunity"
         FOR EACH ROW WHEN (NEW.customer_id IS DISTINCT FROM OLD.customer_id)
         EXECUTE FUNCTION opportunity_take_customer_name()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION customer_rename_deals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE opportunity SET customer_name = NEW.name WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER customer_name_to_deals AFTER UPDATE OF "name" ON "customer"
         FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION customer_rename_deals()`,
    );
    await queryRunner.query(`DROP INDEX "ix_opportunity_stage_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_board" ON "opportunity" ("stage", "expected_close_date", "id")
         INCLUDE ("closed_at", "owner_id", "amount", "probability", ${CARD}) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`DROP INDEX "ix_opportunity_closed_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_closed_board" ON "opportunity" ("stage", "closed_at", "id")
         INCLUDE ("owner_id", "amount", "probability", "expected_close_date", ${CARD})
         WHERE "deleted_at" IS NULL AND "closed_at" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const card = '"title", "customer_id", "last_activity_at", "updated_at", "version"';
    await queryRunner.query(`DROP INDEX "ix_opportunity_closed_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_closed_board" ON "opportunity" ("stage", "closed_at", "id")
         INCLUDE ("owner_id", "amount", "probability", "expected_close_date", ${card})
         WHERE "deleted_at" IS NULL AND "closed_at" IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "ix_opportunity_stage_board"`);
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_board" ON "opportunity" ("stage", "expected_close_date", "id")
         INCLUDE ("closed_at", "owner_id", "amount", "probability", ${card}) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`DROP TRIGGER customer_name_to_deals ON "customer"`);
    await queryRunner.query(`DROP FUNCTION customer_rename_deals()`);
    await queryRunner.query(`DROP TRIGGER opportunity_customer_name_on_move ON "opportunity"`);
    await queryRunner.query(`DROP TRIGGER opportunity_customer_name_on_insert ON "opportunity"`);
    await queryRunner.query(`DROP FUNCTION opportunity_take_customer_name()`);
    await queryRunner.query(`ALTER TABLE "opportunity" DROP COLUMN "customer_name"`);
  }
}
