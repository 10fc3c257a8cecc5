import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSchema1795343077012 implements MigrationInterface {
  name = 'CreateSchema1795343077012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_entry" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" integer, "actor_email" text, "action" text NOT NULL, "entity" text NOT NULL, "entity_id" text, "diff" jsonb NOT NULL DEFAULT '{}', "ip" text, "request_id" text, CONSTRAINT "PK_58a130a4b9da189f46ba2a01801" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_entry_actor" ON "audit_entry"  ("actor_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_entry_at" ON "audit_entry"  ("at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_audit_entry_entity" ON "audit_entry"  ("entity", "entity_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "login_failure" ("id" BIGSERIAL NOT NULL, "email" text NOT NULL, "ip" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5df78140d5d3f4afc249d879cdf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_login_failure_ip" ON "login_failure"  ("ip", "at") `);
    await queryRunner.query(`CREATE INDEX "ix_login_failure_email" ON "login_failure"  ("email", "at") `);
    await queryRunner.query(
      `CREATE TABLE "team" ("id" SERIAL NOT NULL, "name" text NOT NULL, "manager_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "PK_f57d8293406df4af348402e4b74" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_team_name" ON "team"  ("name") `);
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" SERIAL NOT NULL, "email" text NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "team_id" integer, "region" text, "locale" text NOT NULL DEFAULT 'zh-CN', "timezone" text NOT NULL DEFAULT 'Asia/Shanghai', "active" boolean NOT NULL DEFAULT true, "password_hash" text NOT NULL, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "ck_user_email_lower" CHECK ("email" = lower("email")), CONSTRAINT "ck_user_locale" CHECK ("locale" IN ('en', 'zh-CN')), CONSTRAINT "ck_user_role" CHECK ("role" IN ('admin', 'manager', 'sales', 'service')), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_user_team" ON "app_user"  ("team_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_user_email" ON "app_user"  ("email") `);
    await queryRunner.query(
      `CREATE TABLE "customer" ("id" SERIAL NOT NULL, "kind" text NOT NULL, "name" text NOT NULL, "uscc" text, "industry" text, "size" text, "province" text, "city" text, "district" text, "address" text, "website" text, "tier" text NOT NULL DEFAULT 'C', "vip" boolean NOT NULL DEFAULT false, "credit_level" text, "source" text, "status" text NOT NULL DEFAULT 'lead', "owner_id" integer, "birthday" date, "tags" text array NOT NULL DEFAULT '{}', "last_interaction_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_customer_status" CHECK ("status" IN ('lead', 'prospect', 'active', 'churned')), CONSTRAINT "ck_customer_tier" CHECK ("tier" IN ('A', 'B', 'C')), CONSTRAINT "ck_customer_kind" CHECK ("kind" IN ('company', 'person')), CONSTRAINT "PK_a7a13f4cacb744524e44dfdad32" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_customer_name" ON "customer"  ("name") `);
    await queryRunner.query(`CREATE INDEX "ix_customer_owner" ON "customer"  ("owner_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_customer_uscc" ON "customer"  ("uscc") WHERE uscc IS NOT NULL AND deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "contact" ("id" SERIAL NOT NULL, "customer_id" integer NOT NULL, "name" text NOT NULL, "title" text, "mobile" text, "phone" text, "email" text, "wechat" text, "primary" boolean NOT NULL DEFAULT false, "birthday" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "PK_2cbbe00f59ab6b3bb5b8d19f989" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contact_customer" ON "contact"  ("customer_id") `);
    await queryRunner.query(
      `CREATE TABLE "follow_up" ("id" SERIAL NOT NULL, "customer_id" integer NOT NULL, "contact_id" integer, "author_id" integer NOT NULL, "method" text NOT NULL, "happened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "summary" text NOT NULL, "promises" text, "next_action" text, "next_follow_up_at" TIMESTAMP WITH TIME ZONE, "location" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL, CONSTRAINT "ck_follow_up_method" CHECK ("method" IN ('phone', 'visit', 'email', 'wechat', 'meeting')), CONSTRAINT "PK_5c0a5f5b32937e47e0ab09d596c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_follow_up_author_next" ON "follow_up"  ("author_id", "next_follow_up_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_follow_up_customer" ON "follow_up"  ("customer_id", "happened_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "notification" ("id" SERIAL NOT NULL, "user_id" integer NOT NULL, "kind" text NOT NULL, "params" jsonb NOT NULL DEFAULT '{}', "link" text, "read_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_705b6c7cdf9b2c2ff7ac7872cb7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notification_user" ON "notification"  ("user_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_notification_unread" ON "notification"  ("user_id", "created_at") WHERE read_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_mail" ("id" SERIAL NOT NULL, "to" text NOT NULL, "subject" text NOT NULL, "text" text NOT NULL, "html" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_outbox_mail_status" CHECK ("status" IN ('pending', 'sent', 'failed')), CONSTRAINT "PK_d209706daddb0762c743fb58634" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_outbox_mail_created" ON "outbox_mail"  ("created_at") `);
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_mail_due" ON "outbox_mail"  ("next_attempt_at") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "seed_run" ("name" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_59a6e9cf76f8ea3c01e2d992f0c" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "team" ADD CONSTRAINT "FK_7c465539caf477c90771fed198b" FOREIGN KEY ("manager_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "app_user" ADD CONSTRAINT "FK_1fdf67ee935e78f5d7842795467" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer" ADD CONSTRAINT "FK_5fe6fc4b74a90db7f6b74c05db5" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact" ADD CONSTRAINT "FK_2838ec3d713f319d148e5987b1c" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "follow_up" ADD CONSTRAINT "FK_249b89b27d850cd21b147e1e652" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "follow_up" ADD CONSTRAINT "FK_b5dfaadabbd6d359e48d0b6403a" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "follow_up" ADD CONSTRAINT "FK_184b9558841e42c14a01ed840dd" FOREIGN KEY ("author_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notification" ADD CONSTRAINT "FK_928b7aa1754e08e1ed7052cb9d8" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Sessions (connect-pg-simple reads and writes this table).
    await queryRunner.query(
      `CREATE TABLE "session" ("sid" varchar NOT NULL PRIMARY KEY, "sess" json NOT NULL, "expire" timestamptz NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "ix_session_expire" ON "session" ("expire")`);
    // The audit log is append-only.
    await queryRunner.query(`CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON "audit_entry" FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON "audit_entry" FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_entry_no_truncate" ON "audit_entry"`);
    await queryRunner.query(`DROP TRIGGER "audit_entry_no_change" ON "audit_entry"`);
    await queryRunner.query(`DROP FUNCTION audit_entry_append_only()`);
    await queryRunner.query(`DROP TABLE "session"`);
    await queryRunner.query(`ALTER TABLE "notification" DROP CONSTRAINT "FK_928b7aa1754e08e1ed7052cb9d8"`);
    await queryRunner.query(`ALTER TABLE "follow_up" DROP CONSTRAINT "FK_184b9558841e42c14a01ed840dd"`);
    await queryRunner.query(`ALTER TABLE "follow_up" DROP CONSTRAINT "FK_b5dfaadabbd6d359e48d0b6403a"`);
    await queryRunner.query(`ALTER TABLE "follow_up" DROP CONSTRAINT "FK_249b89b27d850cd21b147e1e652"`);
    await queryRunner.query(`ALTER TABLE "contact" DROP CONSTRAINT "FK_2838ec3d713f319d148e5987b1c"`);
    await queryRunner.query(`ALTER TABLE "customer" DROP CONSTRAINT "FK_5fe6fc4b74a90db7f6b74c05db5"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP CONSTRAINT "FK_1fdf67ee935e78f5d7842795467"`);
    await queryRunner.query(`ALTER TABLE "team" DROP CONSTRAINT "FK_7c465539caf477c90771fed198b"`);
    await queryRunner.query(`DROP TABLE "seed_run"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_mail_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_mail_created"`);
    await queryRunner.query(`DROP TABLE "outbox_mail"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notification_unread"`);
    await queryRunner.query(`DROP INDEX "public"."ix_notification_user"`);
    await queryRunner.query(`DROP TABLE "notification"`);
    await queryRunner.query(`DROP INDEX "public"."ix_follow_up_customer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_follow_up_author_next"`);
    await queryRunner.query(`DROP TABLE "follow_up"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_customer"`);
    await queryRunner.query(`DROP TABLE "contact"`);
    await queryRunner.query(`DROP INDEX "public"."uq_customer_uscc"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_owner"`);
    await queryRunner.query(`DROP INDEX "public"."ix_customer_name"`);
    await queryRunner.query(`DROP TABLE "customer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_user_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_user_team"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP INDEX "public"."uq_team_name"`);
    await queryRunner.query(`DROP TABLE "team"`);
    await queryRunner.query(`DROP INDEX "public"."ix_login_failure_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_login_failure_ip"`);
    await queryRunner.query(`DROP TABLE "login_failure"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_entity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_entry_actor"`);
    await queryRunner.query(`DROP TABLE "audit_entry"`);
  }
}
