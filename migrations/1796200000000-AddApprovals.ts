import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approval rounds (审批) of quotes and contracts, their steps (会签 all / 或签 any) and one row per approver
 * with their decision; at most one pending round per record.
 */
export class AddApprovals1796200000000 implements MigrationInterface {
  name = 'AddApprovals1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "approval_round" ("id" SERIAL NOT NULL, "subject_kind" text NOT NULL, "subject_id" integer NOT NULL, "round" integer NOT NULL, "title" text NOT NULL, "url" text NOT NULL, "amount" numeric(14,2), "requested_by_id" integer NOT NULL, "status" text NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_approval_round_number" CHECK ("round" >= 1), CONSTRAINT "ck_approval_round_decided" CHECK (("status" = 'pending') = ("decided_at" IS NULL)), CONSTRAINT "ck_approval_round_status" CHECK ("status" IN ('pending', 'approved', 'rejected')), CONSTRAINT "PK_b83ab4ce3d72c87bcc887e78f61" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_approval_round_requester" ON "approval_round"  ("requested_by_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_approval_round_pending" ON "approval_round"  ("subject_kind", "subject_id") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_approval_round_number" ON "approval_round"  ("subject_kind", "subject_id", "round") `,
    );
    await queryRunner.query(
      `CREATE TABLE "approval_step" ("id" SERIAL NOT NULL, "round_id" integer NOT NULL, "position" integer NOT NULL, "mode" text NOT NULL, "label_key" text NOT NULL, "status" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_approval_step_position" CHECK ("position" >= 1), CONSTRAINT "ck_approval_step_status" CHECK ("status" IN ('waiting', 'pending', 'approved', 'rejected', 'skipped')), CONSTRAINT "ck_approval_step_mode" CHECK ("mode" IN ('all', 'any')), CONSTRAINT "PK_ce4e7284448d965d64c1b89ee39" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_approval_step_pending" ON "approval_step"  ("started_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_approval_step_position" ON "approval_step"  ("round_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "approval_approver" ("id" SERIAL NOT NULL, "step_id" integer NOT NULL, "user_id" integer NOT NULL, "decision" text, "comment" text, "decided_at" TIMESTAMP WITH TIME ZONE, "replaced_from_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "asked_at" TIMESTAMP WITH TIME ZONE, "reminded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_approval_approver_decided" CHECK (("decision" IS NULL) = ("decided_at" IS NULL)), CONSTRAINT "ck_approval_approver_decision" CHECK ("decision" IS NULL OR "decision" IN ('approve', 'reject')), CONSTRAINT "PK_7d43cdd6411b564561f24378031" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_approval_approver_user" ON "approval_approver"  ("user_id", "decided_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_approval_approver_step_user" ON "approval_approver"  ("step_id", "user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_round" ADD CONSTRAINT "FK_9543e831a5d6b254a95e1833b1a" FOREIGN KEY ("requested_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_step" ADD CONSTRAINT "FK_8fb38b4bc476e9c660c9c9c31ea" FOREIGN KEY ("round_id") REFERENCES "approval_round"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_approver" ADD CONSTRAINT "FK_f8b23cff07683904af2f8807e90" FOREIGN KEY ("step_id") REFERENCES "approval_step"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_approver" ADD CONSTRAINT "FK_f1d1125013dacf9a8e94f4aadef" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_approver" ADD CONSTRAINT "FK_558ea62092a5c1889f5adb01d8d" FOREIGN KEY ("replaced_from_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "approval_approver" DROP CONSTRAINT "FK_558ea62092a5c1889f5adb01d8d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_approver" DROP CONSTRAINT "FK_f1d1125013dacf9a8e94f4aadef"`,
    );
    await queryRunner.query(
      `ALTER TABLE "approval_approver" DROP CONSTRAINT "FK_f8b23cff07683904af2f8807e90"`,
    );
    await queryRunner.query(`ALTER TABLE "approval_step" DROP CONSTRAINT "FK_8fb38b4bc476e9c660c9c9c31ea"`);
    await queryRunner.query(`ALTER TABLE "approval_round" DROP CONSTRAINT "FK_9543e831a5d6b254a95e1833b1a"`);
    await queryRunner.query(`DROP INDEX "public"."uq_approval_approver_step_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_approval_approver_user"`);
    await queryRunner.query(`DROP TABLE "approval_approver"`);
    await queryRunner.query(`DROP INDEX "public"."uq_approval_step_position"`);
    await queryRunner.query(`DROP INDEX "public"."ix_approval_step_pending"`);
    await queryRunner.query(`DROP TABLE "approval_step"`);
    await queryRunner.query(`DROP INDEX "public"."uq_approval_round_number"`);
    await queryRunner.query(`DROP INDEX "public"."uq_approval_round_pending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_approval_round_requester"`);
    await queryRunner.query(`DROP TABLE "approval_round"`);
  }
}
