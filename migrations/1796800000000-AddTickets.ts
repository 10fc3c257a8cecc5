import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service tickets: the ticket with its SLA clock, its conversation, the SLA policies (with the default
 * promise per priority in business minutes: urgent 30 min / 4 h, high 1 h / 2 days, normal 4 h / 3 days,
 * low 1 day / 5 days, a business day being 7.5 h), the type-to-team routing, canned replies, surveys,
 * and the agent's "away" mark. The queues read one index scan per team, assignee or status by due time.
 */
export class AddTickets1796800000000 implements MigrationInterface {
  name = 'AddTickets1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "canned_reply" ("id" SERIAL NOT NULL, "team_id" integer, "title" text NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "PK_41a5b791f1f2aceadc8a3bb0829" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_canned_reply_team" ON "canned_reply"  ("team_id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "sla_policy" ("id" SERIAL NOT NULL, "priority" text NOT NULL, "tier" text, "first_response_minutes" integer NOT NULL, "resolution_minutes" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "ck_sla_policy_minutes" CHECK ("first_response_minutes" > 0 AND "resolution_minutes" >= "first_response_minutes"), CONSTRAINT "ck_sla_policy_tier" CHECK ("tier" IS NULL OR "tier" IN ('A', 'B', 'C')), CONSTRAINT "ck_sla_policy_priority" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent')), CONSTRAINT "PK_19c1aa9dd53b9fc80648ae034b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_sla_policy_priority_tier" ON "sla_policy"  ("priority", "tier") WHERE "tier" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_sla_policy_priority" ON "sla_policy"  ("priority") WHERE "tier" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "survey_response" ("id" SERIAL NOT NULL, "kind" text NOT NULL, "ticket_id" integer, "contract_id" integer, "customer_id" integer NOT NULL, "contact_id" integer, "sent_to" text NOT NULL, "token" text NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "answered_at" TIMESTAMP WITH TIME ZONE, "csat" smallint, "ces" smallint, "nps" smallint, "comment" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_survey_response_subject" CHECK (("kind" = 'ticket') = ("ticket_id" IS NOT NULL)), CONSTRAINT "ck_survey_response_nps" CHECK ("nps" IS NULL OR "nps" BETWEEN 0 AND 10), CONSTRAINT "ck_survey_response_ces" CHECK ("ces" IS NULL OR "ces" BETWEEN 1 AND 7), CONSTRAINT "ck_survey_response_csat" CHECK ("csat" IS NULL OR "csat" BETWEEN 1 AND 5), CONSTRAINT "ck_survey_response_kind" CHECK ("kind" IN ('ticket', 'contract', 'nps')), CONSTRAINT "PK_d9326eb52bf8b23d56a39ce419a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_survey_response_answered" ON "survey_response"  ("answered_at") WHERE "answered_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_survey_response_ticket" ON "survey_response"  ("ticket_id") WHERE "ticket_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_survey_response_customer" ON "survey_response"  ("customer_id", "sent_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_survey_response_token" ON "survey_response"  ("token") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket" ("id" SERIAL NOT NULL, "number" text NOT NULL, "customer_id" integer NOT NULL, "contact_id" integer, "requester_name" text NOT NULL, "requester_email" text, "requester_mobile" text, "requester_unconfirmed" boolean NOT NULL DEFAULT false, "channel" text NOT NULL, "type" text NOT NULL, "priority" text NOT NULL, "status" text NOT NULL DEFAULT 'new', "subject" text NOT NULL, "team_id" integer, "assignee_id" integer, "created_by_id" integer, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "first_response_target_minutes" integer NOT NULL, "resolution_target_minutes" integer NOT NULL, "first_response_due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "resolution_due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "paused_at" TIMESTAMP WITH TIME ZONE, "paused_minutes" integer NOT NULL DEFAULT '0', "first_responded_at" TIMESTAMP WITH TIME ZONE, "first_response_minutes" integer, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolution_minutes" integer, "closed_at" TIMESTAMP WITH TIME ZONE, "first_response_warned_at" TIMESTAMP WITH TIME ZONE, "first_response_breached_at" TIMESTAMP WITH TIME ZONE, "resolution_warned_at" TIMESTAMP WITH TIME ZONE, "resolution_breached_at" TIMESTAMP WITH TIME ZONE, "reopen_count" integer NOT NULL DEFAULT '0', "public_reply_count" integer NOT NULL DEFAULT '0', "merged_into_id" integer, "tracking_token" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_ticket_paused" CHECK (("paused_at" IS NULL) OR "status" = 'pending'), CONSTRAINT "ck_ticket_counts" CHECK ("reopen_count" >= 0 AND "public_reply_count" >= 0 AND "paused_minutes" >= 0), CONSTRAINT "ck_ticket_status" CHECK ("status" IN ('new', 'open', 'pending', 'resolved', 'closed')), CONSTRAINT "ck_ticket_priority" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent')), CONSTRAINT "ck_ticket_type" CHECK ("type" IN ('consultation', 'technical', 'billing', 'complaint')), CONSTRAINT "ck_ticket_channel" CHECK ("channel" IN ('portal', 'email', 'phone', 'wechat', 'visit', 'walk_in', 'web')), CONSTRAINT "PK_d9a0835407701eb86f874474b7c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_resolved" ON "ticket"  ("resolved_at", "id") WHERE "deleted_at" IS NULL AND "resolved_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_status_due" ON "ticket"  ("status", "due_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_assignee_status_due" ON "ticket"  ("assignee_id", "status", "due_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_team_status_due" ON "ticket"  ("team_id", "status", "due_at", "id") WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ticket_customer" ON "ticket"  ("customer_id", "received_at") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_ticket_tracking_token" ON "ticket"  ("tracking_token") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_ticket_number" ON "ticket"  ("number") `);
    await queryRunner.query(
      `CREATE TABLE "ticket_message" ("id" SERIAL NOT NULL, "ticket_id" integer NOT NULL, "author_id" integer, "author_name" text NOT NULL, "from_customer" boolean NOT NULL, "internal" boolean NOT NULL DEFAULT false, "body" text NOT NULL, "quoted" text, "mail_message_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_ticket_message_internal" CHECK (NOT ("internal" AND "from_customer")), CONSTRAINT "ck_ticket_message_author" CHECK ("from_customer" OR "author_id" IS NOT NULL), CONSTRAINT "PK_7d7c7fbe3303c18b7dbd6f1ce19" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_ticket_message_mail" ON "ticket_message"  ("mail_message_id") WHERE "mail_message_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_message_ticket" ON "ticket_message"  ("ticket_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_routing" ("type" text NOT NULL, "team_id" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_ticket_routing_type" CHECK ("type" IN ('consultation', 'technical', 'billing', 'complaint')), CONSTRAINT "PK_b1361e7c20bc1f272edcba6edb9" PRIMARY KEY ("type"))`,
    );
    await queryRunner.query(`ALTER TABLE "app_user" ADD "away_since" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `INSERT INTO "sla_policy" ("priority", "tier", "first_response_minutes", "resolution_minutes", "version") VALUES ('urgent', NULL, 30, 240, 1), ('high', NULL, 60, 900, 1), ('normal', NULL, 240, 1350, 1), ('low', NULL, 450, 2250, 1)`,
    );
    await queryRunner.query(
      `ALTER TABLE "canned_reply" ADD CONSTRAINT "FK_4bf611735a1274fe66098d6f53f" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_response" ADD CONSTRAINT "FK_5bf6d26c3350f0961ecbdd86322" FOREIGN KEY ("ticket_id") REFERENCES "ticket"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey_response" ADD CONSTRAINT "FK_49cc03f73c8c9f160209db22868" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket" ADD CONSTRAINT "FK_9a40df465b0e9ef73b469fb289d" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket" ADD CONSTRAINT "FK_a3ce544688c161cbfa75e04d8c0" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket" ADD CONSTRAINT "FK_0d98f7b69c16f80fed8e2e1a6f8" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket" ADD CONSTRAINT "FK_2c91a29fccb8c7dd9644bae9bea" FOREIGN KEY ("assignee_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket" ADD CONSTRAINT "FK_3da6edef3c2c31937a588d17dc6" FOREIGN KEY ("merged_into_id") REFERENCES "ticket"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_message" ADD CONSTRAINT "FK_4ad0ee7daf9203dfd269bde1274" FOREIGN KEY ("ticket_id") REFERENCES "ticket"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_message" ADD CONSTRAINT "FK_bf5e2a6981d543b114f1d4997d1" FOREIGN KEY ("author_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_routing" ADD CONSTRAINT "FK_9650f3212ca5ed56642fb6618bc" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_routing" DROP CONSTRAINT "FK_9650f3212ca5ed56642fb6618bc"`);
    await queryRunner.query(`ALTER TABLE "ticket_message" DROP CONSTRAINT "FK_bf5e2a6981d543b114f1d4997d1"`);
    await queryRunner.query(`ALTER TABLE "ticket_message" DROP CONSTRAINT "FK_4ad0ee7daf9203dfd269bde1274"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP CONSTRAINT "FK_3da6edef3c2c31937a588d17dc6"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP CONSTRAINT "FK_2c91a29fccb8c7dd9644bae9bea"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP CONSTRAINT "FK_0d98f7b69c16f80fed8e2e1a6f8"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP CONSTRAINT "FK_a3ce544688c161cbfa75e04d8c0"`);
    await queryRunner.query(`ALTER TABLE "ticket" DROP CONSTRAINT "FK_9a40df465b0e9ef73b469fb289d"`);
    await queryRunner.query(`ALTER TABLE "survey_response" DROP CONSTRAINT "FK_49cc03f73c8c9f160209db22868"`);
    await queryRunner.query(`ALTER TABLE "survey_response" DROP CONSTRAINT "FK_5bf6d26c3350f0961ecbdd86322"`);
    await queryRunner.query(`ALTER TABLE "canned_reply" DROP CONSTRAINT "FK_4bf611735a1274fe66098d6f53f"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "away_since"`);
    await queryRunner.query(`DROP TABLE "ticket_routing"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_message_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ux_ticket_message_mail"`);
    await queryRunner.query(`DROP TABLE "ticket_message"`);
    await queryRunner.query(`DROP INDEX "public"."ux_ticket_number"`);
    await queryRunner.query(`DROP INDEX "public"."ux_ticket_tracking_token"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_team_status_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_assignee_status_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_status_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_resolved"`);
    await queryRunner.query(`DROP TABLE "ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ux_survey_response_token"`);
    await queryRunner.query(`DROP INDEX "public"."ix_survey_response_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_survey_response_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ix_survey_response_answered"`);
    await queryRunner.query(`DROP TABLE "survey_response"`);
    await queryRunner.query(`DROP INDEX "public"."ux_sla_policy_priority"`);
    await queryRunner.query(`DROP INDEX "public"."ux_sla_policy_priority_tier"`);
    await queryRunner.query(`DROP TABLE "sla_policy"`);
    await queryRunner.query(`DROP INDEX "public"."ix_canned_reply_team"`);
    await queryRunner.query(`DROP TABLE "canned_reply"`);
  }
}
