import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer carries its next step: the next action and its date as its latest live follow-up set
 * them (what My day and the morning digest list), so a rep's or a team's due steps are read from one
 * index on the customer, per owner, instead of from every customer's latest follow-up. Filled here
 * from the follow-ups; kept right by the follow-ups module from then on.
 */
export class AddCustomerNextStep1795367500000 implements MigrationInterface {
  name = 'AddCustomerNextStep1795367500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer" ADD "next_step_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "customer" ADD "next_step" text`);
    await queryRunner.query(
      `UPDATE customer c SET next_step_at = f.next_follow_up_at, next_step = f.next_action
         FROM (SELECT DISTINCT ON (customer_id) customer_id, next_action, next_follow_up_at
                 FROM follow_up WHERE deleted_at IS NULL
                ORDER BY customer_id, happened_at DESC, id DESC) f
        WHERE c.id = f.customer_id AND (f.next_follow_up_at IS NOT NULL OR f.next_action IS NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_owner_next_step" ON "customer" ("owner_id", "next_step_at") WHERE deleted_at IS NULL AND next_step_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_customer_owner_next_step"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "next_step"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "next_step_at"`);
  }
}
