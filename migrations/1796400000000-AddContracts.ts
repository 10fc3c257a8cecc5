import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contracts (合同) and their lines: the number from the shared numbering, the amount the exact sum of the
 * lines, the statuses from draft to completed. The list's indexes: by owner and creation (with the
 * status for its filter), and the same without the owner for the admin's whole list.
 */
export class AddContracts1796400000000 implements MigrationInterface {
  name = 'AddContracts1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contract" ("id" SERIAL NOT NULL, "number" text NOT NULL, "customer_id" integer NOT NULL, "customer_name" text NOT NULL, "opportunity_id" integer, "quote_id" integer, "owner_id" integer NOT NULL, "title" text NOT NULL, "amount" numeric(14,2) NOT NULL, "currency" text NOT NULL DEFAULT 'CNY', "signed_on" date, "start_on" date, "end_on" date, "payment_terms" text, "our_signatory_name" text, "our_signatory_title" text, "customer_signatory_name" text, "customer_signatory_title" text, "status" text NOT NULL, "termination_reason" text, "approval_rounds" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_contract_rounds" CHECK ("approval_rounds" >= 0), CONSTRAINT "ck_contract_terminated" CHECK (("status" = 'terminated') = ("termination_reason" IS NOT NULL)), CONSTRAINT "ck_contract_signed" CHECK (("status" IN ('signed', 'completed', 'terminated')) = ("signed_on" IS NOT NULL)), CONSTRAINT "ck_contract_dates" CHECK ("end_on" IS NULL OR "start_on" IS NULL OR "end_on" >= "start_on"), CONSTRAINT "ck_contract_currency" CHECK ("currency" = 'CNY'), CONSTRAINT "ck_contract_amount" CHECK ("amount" >= 0), CONSTRAINT "ck_contract_status" CHECK ("status" IN ('draft', 'pending_approval', 'approved', 'rejected', 'signed', 'completed', 'terminated')), CONSTRAINT "PK_17c3a89f58a2997276084e706e8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_contract_created" ON "contract"  ("created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_contract_status_created" ON "contract"  ("status", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_contract_owner_created" ON "contract"  ("owner_id", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_contract_owner_status_created" ON "contract"  ("owner_id", "status", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contract_opportunity" ON "contract"  ("opportunity_id") `);
    await queryRunner.query(`CREATE INDEX "ix_contract_customer" ON "contract"  ("customer_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_contract_number" ON "contract"  ("number") `);
    await queryRunner.query(
      `CREATE TABLE "contract_line" ("id" SERIAL NOT NULL, "contract_id" integer NOT NULL, "position" smallint NOT NULL, "item" text NOT NULL, "specification" text, "unit" text, "quantity" numeric(12,3) NOT NULL, "unit_price" numeric(14,2) NOT NULL, "line_total" numeric(14,2) NOT NULL, CONSTRAINT "ck_contract_line_total" CHECK ("line_total" = round("quantity" * "unit_price", 2)), CONSTRAINT "ck_contract_line_unit_price" CHECK ("unit_price" >= 0), CONSTRAINT "ck_contract_line_quantity" CHECK ("quantity" > 0), CONSTRAINT "PK_d0bd7ceb554a0a650874ddcc83e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_contract_line_position" ON "contract_line"  ("contract_id", "position") `,
    );
    await queryRunner.query(
      `ALTER TABLE "contract" ADD CONSTRAINT "FK_abdcabff39fa6c1acbb67d69a03" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract" ADD CONSTRAINT "FK_e43e2542097af7072e49a8b7a25" FOREIGN KEY ("opportunity_id") REFERENCES "opportunity"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract" ADD CONSTRAINT "FK_9b5bba51f1fc7a6a6ddbfe87c93" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_line" ADD CONSTRAINT "FK_8a3fa1b86c9a0918be3428c0a5f" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contract_line" DROP CONSTRAINT "FK_8a3fa1b86c9a0918be3428c0a5f"`);
    await queryRunner.query(`ALTER TABLE "contract" DROP CONSTRAINT "FK_9b5bba51f1fc7a6a6ddbfe87c93"`);
    await queryRunner.query(`ALTER TABLE "contract" DROP CONSTRAINT "FK_e43e2542097af7072e49a8b7a25"`);
    await queryRunner.query(`ALTER TABLE "contract" DROP CONSTRAINT "FK_abdcabff39fa6c1acbb67d69a03"`);
    await queryRunner.query(`DROP INDEX "public"."ux_contract_line_position"`);
    await queryRunner.query(`DROP TABLE "contract_line"`);
    await queryRunner.query(`DROP INDEX "public"."ux_contract_number"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_opportunity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_owner_status_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_owner_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_status_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_created"`);
    await queryRunner.query(`DROP TABLE "contract"`);
  }
}
