import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deals (商机) and their stage history; a follow-up may be logged against a deal. The list's indexes: one per
 * sort by owner, one per sort without (the admin's whole list).
 */
export class AddOpportunities1796008192924 implements MigrationInterface {
  name = 'AddOpportunities1796008192924';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "opportunity" ("id" SERIAL NOT NULL, "customer_id" integer NOT NULL, "owner_id" integer NOT NULL, "title" text NOT NULL, "stage" text NOT NULL, "amount" numeric(14,2) NOT NULL, "probability" smallint NOT NULL, "expected_close_date" date NOT NULL, "competitors" text, "next_step" text, "source" text, "lost_reason" text, "lost_note" text, "closed_at" TIMESTAMP WITH TIME ZONE, "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_opportunity_lost_reason" CHECK (("stage" = 'lost') = ("lost_reason" IS NOT NULL)), CONSTRAINT "ck_opportunity_amount" CHECK ("amount" >= 0), CONSTRAINT "ck_opportunity_probability" CHECK ("probability" BETWEEN 0 AND 100), CONSTRAINT "ck_opportunity_stage" CHECK ("stage" IN ('initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost')), CONSTRAINT "PK_085fd6d6f4765325e6c16163568" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_amount" ON "opportunity"  ("amount", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_close" ON "opportunity"  ("expected_close_date", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_updated" ON "opportunity"  ("updated_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_owner_amount" ON "opportunity"  ("owner_id", "amount", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_owner_close" ON "opportunity"  ("owner_id", "expected_close_date", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_owner_updated" ON "opportunity"  ("owner_id", "updated_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_opportunity_customer" ON "opportunity"  ("customer_id") `);
    await queryRunner.query(
      `CREATE TABLE "opportunity_stage_change" ("id" SERIAL NOT NULL, "opportunity_id" integer NOT NULL, "from_stage" text, "to_stage" text NOT NULL, "by_id" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_opportunity_stage_change_to" CHECK ("to_stage" IN ('initial_contact', 'needs_analysis', 'proposal', 'negotiation', 'won', 'lost')), CONSTRAINT "PK_2153010b210cf0b020e6269847b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_change_opportunity" ON "opportunity_stage_change"  ("opportunity_id", "at") `,
    );
    await queryRunner.query(`ALTER TABLE "follow_up" ADD "opportunity_id" integer`);
    await queryRunner.query(
      `CREATE INDEX "ix_follow_up_opportunity" ON "follow_up"  ("opportunity_id", "happened_at") WHERE "opportunity_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "follow_up" ADD CONSTRAINT "FK_469e3c678cd3e87ebf99dbef780" FOREIGN KEY ("opportunity_id") REFERENCES "opportunity"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "opportunity" ADD CONSTRAINT "FK_88f4c500e4361c525e88960666c" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "opportunity" ADD CONSTRAINT "FK_d0fe2f04d07a7826c270fa9c62b" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "opportunity_stage_change" ADD CONSTRAINT "FK_70af96008c3639abfc299f0afe1" FOREIGN KEY ("opportunity_id") REFERENCES "opportunity"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "opportunity_stage_change" ADD CONSTRAINT "FK_2c847030ca49d382ff78bad858b" FOREIGN KEY ("by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "opportunity_stage_change" DROP CONSTRAINT "FK_2c847030ca49d382ff78bad858b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "opportunity_stage_change" DROP CONSTRAINT "FK_70af96008c3639abfc299f0afe1"`,
    );
    await queryRunner.query(`ALTER TABLE "opportunity" DROP CONSTRAINT "FK_d0fe2f04d07a7826c270fa9c62b"`);
    await queryRunner.query(`ALTER TABLE "opportunity" DROP CONSTRAINT "FK_88f4c500e4361c525e88960666c"`);
    await queryRunner.query(`ALTER TABLE "follow_up" DROP CONSTRAINT "FK_469e3c678cd3e87ebf99dbef780"`);
    await queryRunner.query(`DROP INDEX "public"."ix_follow_up_opportunity"`);
    await queryRunner.query(`ALTER TABLE "follow_up" DROP COLUMN "opportunity_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_stage_change_opportunity"`);
    await queryRunner.query(`DROP TABLE "opportunity_stage_change"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_owner_updated"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_owner_close"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_owner_amount"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_updated"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_close"`);
    await queryRunner.query(`DROP INDEX "public"."ix_opportunity_amount"`);
    await queryRunner.query(`DROP TABLE "opportunity"`);
  }
}
