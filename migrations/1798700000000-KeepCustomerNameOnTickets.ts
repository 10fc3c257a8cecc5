import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ticket carries its customer's name, kept by the database whoever writes, as a deal does
 * (KeepCustomerNameOnDeals): a new ticket, or one moved to another customer (a merge, an agent
 * linking a new sender to the right company), takes the customer's current name; renaming a customer
 * (an edit, an import, an erasure's mask) renames it on the customer's tickets. A queue page then
 * shows its rows' customers without asking the customers module for each page's names: three
 * statements, as the list pattern has them.
 */
export class KeepCustomerNameOnTickets1798700000000 implements MigrationInterface {
  name = 'KeepCustomerNameOnTickets1798700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket" ADD "customer_name" text`);
    // The tickets' own triggers (kept queue totals, the dashboard's and the health scores' marks) read
    // nothing this fills in: they are left out of it rather than recount every ticket.
    await queryRunner.query(`ALTER TABLE "ticket" DISABLE TRIGGER USER`);
    await queryRunner.query(
      `UPDATE "ticket" t SET "customer_name" = c."name" FROM "customer" c WHERE c."id" = t."customer_id"`,
    );
    await queryRunner.query(`ALTER TABLE "ticket" ENABLE TRIGGER USER`);
    await queryRunner.query(`ALTER TABLE "ticket" ALTER COLUMN "customer_name" SET NOT NULL`);
    await queryRunner.query(`
      CREATE FUNCTION ticket_take_customer_name() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.customer_name := (SELECT name FROM customer WHERE id = NEW.customer_id);
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER ticket_customer_name_on_insert BEFORE INSERT ON "ticket"
         FOR EACH ROW EXECUTE FUNCTION ticket_take_customer_name()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_customer_name_on_move BEFORE UPDATE OF "customer_id" ON "ticket"
         FOR EACH ROW WHEN (NEW.customer_id IS DISTINCT FROM OLD.customer_id)
         EXECUTE FUNCTION ticket_take_customer_name()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION customer_rename_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ticket SET customer_name = NEW.name WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER customer_name_to_tickets AFTER UPDATE OF "name" ON "customer"
         FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name) EXECUTE FUNCTION customer_rename_tickets()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER customer_name_to_tickets ON "customer"`);
    await queryRunner.query(`DROP FUNCTION customer_rename_tickets()`);
    await queryRunner.query(`DROP TRIGGER ticket_customer_name_on_move ON "ticket"`);
    await queryRunner.query(`DROP TRIGGER ticket_customer_name_on_insert ON "ticket"`);
    await queryRunner.query(`DROP FUNCTION ticket_take_customer_name()`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP COLUMN "customer_name"`);
  }
}
