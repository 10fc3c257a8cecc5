import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quotes (报价单) on deals and their lines: figures exact in numeric(14,2), quantities numeric(14,3),
 * percentages numeric(5,2); the number unique; sent quotes found by validity (they expire).
 */
export class AddQuotes1796300000000 implements MigrationInterface {
  name = 'AddQuotes1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "quote_line" ("id" SERIAL NOT NULL, "quote_id" integer NOT NULL, "position" smallint NOT NULL, "item_name" text NOT NULL, "specification" text, "unit" text, "quantity" numeric(14,3) NOT NULL, "unit_price" numeric(14,2) NOT NULL, "discount_percent" numeric(5,2) NOT NULL DEFAULT '0', "line_total" numeric(14,2) NOT NULL, CONSTRAINT "ck_quote_line_total" CHECK ("line_total" >= 0), CONSTRAINT "ck_quote_line_discount" CHECK ("discount_percent" BETWEEN 0 AND 100), CONSTRAINT "ck_quote_line_unit_price" CHECK ("unit_price" >= 0), CONSTRAINT "ck_quote_line_quantity" CHECK ("quantity" > 0), CONSTRAINT "PK_a26b43aca98839fad6b4c70ec8b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_quote_line_position" ON "quote_line"  ("quote_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "quote" ("id" SERIAL NOT NULL, "number" text NOT NULL, "opportunity_id" integer NOT NULL, "customer_id" integer NOT NULL, "owner_id" integer NOT NULL, "status" text NOT NULL, "currency" text NOT NULL DEFAULT 'CNY', "tax_rate" numeric(5,2) NOT NULL, "prices_include_tax" boolean NOT NULL, "discount_percent" numeric(5,2) NOT NULL DEFAULT '0', "valid_until" date NOT NULL, "terms" text, "list_total" numeric(14,2) NOT NULL, "subtotal" numeric(14,2) NOT NULL, "discount_amount" numeric(14,2) NOT NULL, "net" numeric(14,2) NOT NULL, "tax" numeric(14,2) NOT NULL, "total" numeric(14,2) NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_quote_totals" CHECK ("net" + "tax" = "total" AND "subtotal" - "discount_amount" >= 0), CONSTRAINT "ck_quote_discount" CHECK ("discount_percent" BETWEEN 0 AND 100), CONSTRAINT "ck_quote_tax_rate" CHECK ("tax_rate" BETWEEN 0 AND 100), CONSTRAINT "ck_quote_currency" CHECK ("currency" = 'CNY'), CONSTRAINT "ck_quote_status" CHECK ("status" IN ('draft', 'pending_approval', 'approved', 'rejected', 'sent', 'accepted', 'expired')), CONSTRAINT "PK_b772d4cb09e587c8c72a78d2439" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_quote_sent_valid" ON "quote"  ("valid_until") WHERE "status" = 'sent' AND "deleted_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_quote_customer" ON "quote"  ("customer_id", "created_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_quote_opportunity" ON "quote"  ("opportunity_id", "created_at") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_quote_number" ON "quote"  ("number") `);
    await queryRunner.query(
      `ALTER TABLE "quote_line" ADD CONSTRAINT "FK_d6a4bcb3ac28d8581efbca837e1" FOREIGN KEY ("quote_id") REFERENCES "quote"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quote" ADD CONSTRAINT "FK_1460df09ef4d11697a9809d8e04" FOREIGN KEY ("opportunity_id") REFERENCES "opportunity"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quote" ADD CONSTRAINT "FK_ea046f9554774e1ccce0da808e6" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quote" ADD CONSTRAINT "FK_9e2a98b6b7c2cd76121dd15e808" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "quote" DROP CONSTRAINT "FK_9e2a98b6b7c2cd76121dd15e808"`);
    await queryRunner.query(`ALTER TABLE "quote" DROP CONSTRAINT "FK_ea046f9554774e1ccce0da808e6"`);
    await queryRunner.query(`ALTER TABLE "quote" DROP CONSTRAINT "FK_1460df09ef4d11697a9809d8e04"`);
    await queryRunner.query(`ALTER TABLE "quote_line" DROP CONSTRAINT "FK_d6a4bcb3ac28d8581efbca837e1"`);
    await queryRunner.query(`DROP INDEX "public"."uq_quote_number"`);
    await queryRunner.query(`DROP INDEX "public"."ix_quote_opportunity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_quote_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_quote_sent_valid"`);
    await queryRunner.query(`DROP TABLE "quote"`);
    await queryRunner.query(`DROP INDEX "public"."uq_quote_line_position"`);
    await queryRunner.query(`DROP TABLE "quote_line"`);
  }
}
