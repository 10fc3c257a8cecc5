import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal API tokens (kept as hashes, with their last use and rate limit window), and outgoing
 * webhooks: the endpoints admins register, the events written with each change (the outbox), and
 * each event's delivery to each endpoint.
 */
export class AddApiTokensAndWebhooks1796005256504 implements MigrationInterface {
  name = 'AddApiTokensAndWebhooks1796005256504';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_token" ("id" SERIAL NOT NULL, "user_id" integer NOT NULL, "name" text NOT NULL, "prefix" text NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "last_used_ip" text, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by_id" integer, "window_start" TIMESTAMP WITH TIME ZONE, "window_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_api_token_user" ON "api_token"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_token_hash" ON "api_token"  ("token_hash") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_delivery" ("id" SERIAL NOT NULL, "endpoint_id" integer NOT NULL, "event_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "response_status" integer, "duration_ms" integer, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_webhook_delivery_status" CHECK ("status" IN ('pending', 'delivered', 'failed')), CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_webhook_delivery_endpoint" ON "webhook_delivery"  ("endpoint_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_webhook_delivery_due" ON "webhook_delivery"  ("next_attempt_at") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoint" ("id" SERIAL NOT NULL, "url" text NOT NULL, "events" text array NOT NULL DEFAULT '{}', "secret" text NOT NULL, "description" text, "internal" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "failing_since" TIMESTAMP WITH TIME ZONE, "created_by_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "PK_6c98112122b2b8a4f3984d2efa8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_event" ("id" uuid NOT NULL, "type" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "data" jsonb NOT NULL, CONSTRAINT "PK_0f56d2f40f5ec823acf8e8edad1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_token" ADD CONSTRAINT "FK_1725c5ea908ff009f6ab3fa34fd" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_token" ADD CONSTRAINT "FK_4dd9aff96479c368d6ddd85a687" FOREIGN KEY ("revoked_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_f53f5aec02217a54927b13e39d9" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_b723a573cd78b4cff3404153ad1" FOREIGN KEY ("event_id") REFERENCES "webhook_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "FK_61da875c2689b01ab03e0477bd4" FOREIGN KEY ("created_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoint" DROP CONSTRAINT "FK_61da875c2689b01ab03e0477bd4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_b723a573cd78b4cff3404153ad1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" DROP CONSTRAINT "FK_f53f5aec02217a54927b13e39d9"`,
    );
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_4dd9aff96479c368d6ddd85a687"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_1725c5ea908ff009f6ab3fa34fd"`);
    await queryRunner.query(`DROP TABLE "webhook_event"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoint"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_delivery_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_delivery_endpoint"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_token_user"`);
    await queryRunner.query(`DROP TABLE "api_token"`);
  }
}
