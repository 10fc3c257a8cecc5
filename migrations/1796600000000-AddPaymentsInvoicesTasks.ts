import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payment plans (回款计划) with their installments, payments received (回款) and their allocation to
 * installments, invoices (开票), the renewal reminders sent, and tasks (待办: kickoff steps after a
 * signing). Open installments are indexed by contract and by due day; open tasks by assignee.
 */
export class AddPaymentsInvoicesTasks1796600000000 implements MigrationInterface {
  name = 'AddPaymentsInvoicesTasks1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "task" ("id" SERIAL NOT NULL, "assignee_id" integer NOT NULL, "due_on" date NOT NULL, "status" text NOT NULL DEFAULT 'open', "kind" text NOT NULL, "source_kind" text NOT NULL, "source_id" integer NOT NULL, "title" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "done_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_task_done" CHECK (("status" = 'done') = ("done_at" IS NOT NULL)), CONSTRAINT "ck_task_status" CHECK ("status" IN ('open', 'done')), CONSTRAINT "ck_task_kind" CHECK ("kind" IN ('care', 'kickoff', 'follow_up', 'approval')), CONSTRAINT "PK_fb213f79ee45060ba925ecd576e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_task_source" ON "task"  ("source_kind", "source_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_task_assignee_open" ON "task"  ("assignee_id", "due_on", "id") WHERE "status" = 'open'`,
    );
    await queryRunner.query(
      `CREATE TABLE "invoice" ("id" SERIAL NOT NULL, "contract_id" integer NOT NULL, "number" text NOT NULL, "issued_on" date NOT NULL, "amount" numeric(14,2) NOT NULL, "type" text NOT NULL, "tax_rate" numeric(5,2) NOT NULL, "note" text, "recorded_by_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_invoice_tax_rate" CHECK ("tax_rate" >= 0 AND "tax_rate" <= 100), CONSTRAINT "ck_invoice_type" CHECK ("type" IN ('vat_special', 'vat_general')), CONSTRAINT "ck_invoice_amount" CHECK ("amount" > 0), CONSTRAINT "PK_15d25c200d9bcd8a33f698daf18" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_invoice_contract_number" ON "invoice"  ("contract_id", "number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "payment_installment" ("id" SERIAL NOT NULL, "contract_id" integer NOT NULL, "position" smallint NOT NULL, "due_on" date NOT NULL, "amount" numeric(14,2) NOT NULL, "collected" numeric(14,2) NOT NULL DEFAULT '0', "note" text, "reminded_on" date, CONSTRAINT "ck_payment_installment_collected" CHECK ("collected" >= 0 AND "collected" <= "amount"), CONSTRAINT "ck_payment_installment_amount" CHECK ("amount" > 0), CONSTRAINT "PK_4e16bfde5aa5b8c316ca7425d9d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_payment_installment_open_due" ON "payment_installment"  ("due_on") WHERE "collected" < "amount"`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_payment_installment_open" ON "payment_installment"  ("contract_id", "due_on") WHERE "collected" < "amount"`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_payment_installment_position" ON "payment_installment"  ("contract_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "payment" ("id" SERIAL NOT NULL, "contract_id" integer NOT NULL, "received_on" date NOT NULL, "amount" numeric(14,2) NOT NULL, "method" text NOT NULL, "reference" text, "note" text, "recorded_by_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "reversed_at" TIMESTAMP WITH TIME ZONE, "reversed_by_id" integer, "reversal_reason" text, CONSTRAINT "ck_payment_reversal" CHECK (("reversed_at" IS NULL) = ("reversal_reason" IS NULL)), CONSTRAINT "ck_payment_method" CHECK ("method" IN ('bank_transfer', 'cash', 'cheque', 'acceptance_bill', 'wechat', 'alipay')), CONSTRAINT "ck_payment_amount" CHECK ("amount" > 0), CONSTRAINT "PK_fcaec7df5adf9cac408c686b2ab" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_payment_contract" ON "payment"  ("contract_id", "received_on", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "payment_allocation" ("payment_id" integer NOT NULL, "installment_id" integer NOT NULL, "amount" numeric(14,2) NOT NULL, CONSTRAINT "ck_payment_allocation_amount" CHECK ("amount" > 0), CONSTRAINT "PK_db4eb46b8a7de18468eb1c70ecc" PRIMARY KEY ("payment_id", "installment_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_payment_allocation_installment" ON "payment_allocation"  ("installment_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "payment_plan" ("contract_id" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "PK_e14f9006eb1da2be0bd01b27dce" PRIMARY KEY ("contract_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "contract_renewal_reminder" ("contract_id" integer NOT NULL, "reminded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_42e1a04408f1f9d1eb72c9a74ed" PRIMARY KEY ("contract_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "task" ADD CONSTRAINT "FK_75114a0b55080c15694f3d40ec9" FOREIGN KEY ("assignee_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoice" ADD CONSTRAINT "FK_a10f103f8a97fbb9e11173dbc42" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoice" ADD CONSTRAINT "FK_635c0ab4a2e739e192ebaf04b84" FOREIGN KEY ("recorded_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment_installment" ADD CONSTRAINT "FK_233bb5c7959a2e7ad9972566304" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment" ADD CONSTRAINT "FK_4a85b9df866c49165311420908e" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment" ADD CONSTRAINT "FK_b755d6aa480ae9d7447237ea7ad" FOREIGN KEY ("recorded_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment" ADD CONSTRAINT "FK_42734002b14273a5db56b9cea82" FOREIGN KEY ("reversed_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment_allocation" ADD CONSTRAINT "FK_a7a02a0af35283a6e0d7eed69a5" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment_allocation" ADD CONSTRAINT "FK_9395b0578d16b5e79261d796140" FOREIGN KEY ("installment_id") REFERENCES "payment_installment"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment_plan" ADD CONSTRAINT "FK_e14f9006eb1da2be0bd01b27dce" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_renewal_reminder" ADD CONSTRAINT "FK_42e1a04408f1f9d1eb72c9a74ed" FOREIGN KEY ("contract_id") REFERENCES "contract"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "contract_renewal_reminder" DROP CONSTRAINT "FK_42e1a04408f1f9d1eb72c9a74ed"`,
    );
    await queryRunner.query(`ALTER TABLE "payment_plan" DROP CONSTRAINT "FK_e14f9006eb1da2be0bd01b27dce"`);
    await queryRunner.query(
      `ALTER TABLE "payment_allocation" DROP CONSTRAINT "FK_9395b0578d16b5e79261d796140"`,
    );
    await queryRunner.query(
      `ALTER TABLE "payment_allocation" DROP CONSTRAINT "FK_a7a02a0af35283a6e0d7eed69a5"`,
    );
    await queryRunner.query(`ALTER TABLE "payment" DROP CONSTRAINT "FK_42734002b14273a5db56b9cea82"`);
    await queryRunner.query(`ALTER TABLE "payment" DROP CONSTRAINT "FK_b755d6aa480ae9d7447237ea7ad"`);
    await queryRunner.query(`ALTER TABLE "payment" DROP CONSTRAINT "FK_4a85b9df866c49165311420908e"`);
    await queryRunner.query(
      `ALTER TABLE "payment_installment" DROP CONSTRAINT "FK_233bb5c7959a2e7ad9972566304"`,
    );
    await queryRunner.query(`ALTER TABLE "invoice" DROP CONSTRAINT "FK_635c0ab4a2e739e192ebaf04b84"`);
    await queryRunner.query(`ALTER TABLE "invoice" DROP CONSTRAINT "FK_a10f103f8a97fbb9e11173dbc42"`);
    await queryRunner.query(`ALTER TABLE "task" DROP CONSTRAINT "FK_75114a0b55080c15694f3d40ec9"`);
    await queryRunner.query(`DROP TABLE "contract_renewal_reminder"`);
    await queryRunner.query(`DROP TABLE "payment_plan"`);
    await queryRunner.query(`DROP INDEX "public"."ix_payment_allocation_installment"`);
    await queryRunner.query(`DROP TABLE "payment_allocation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_payment_contract"`);
    await queryRunner.query(`DROP TABLE "payment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_payment_installment_position"`);
    await queryRunner.query(`DROP INDEX "public"."ix_payment_installment_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_payment_installment_open_due"`);
    await queryRunner.query(`DROP TABLE "payment_installment"`);
    await queryRunner.query(`DROP INDEX "public"."ux_invoice_contract_number"`);
    await queryRunner.query(`DROP TABLE "invoice"`);
    await queryRunner.query(`DROP INDEX "public"."ix_task_assignee_open"`);
    await queryRunner.query(`DROP INDEX "public"."ix_task_source"`);
    await queryRunner.query(`DROP TABLE "task"`);
  }
}
