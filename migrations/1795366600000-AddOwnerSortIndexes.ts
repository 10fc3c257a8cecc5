import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sales rep's or manager's list reads one index scan per owner, in the list's order
 * (CustomersRepository.listStatement): by name and by idle time, as it already could by last change
 * (ix_customer_owner_recent).
 */
export class AddOwnerSortIndexes1795366600000 implements MigrationInterface {
  name = 'AddOwnerSortIndexes1795366600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_customer_owner_name" ON "customer" ("owner_id", "name", "id") WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_owner_idle" ON "customer" ("owner_id", (coalesce(last_interaction_at, '-infinity'::timestamptz)), "id") WHERE deleted_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_customer_owner_idle"`);
    await queryRunner.query(`DROP INDEX "ix_customer_owner_name"`);
  }
}
