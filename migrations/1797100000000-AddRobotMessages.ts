import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The group robots' outbox: a message to WeCom or DingTalk, written with what it tells and sent by a
 * job, retried with growing pauses until the robot answers errcode 0.
 */
export class AddRobotMessages1797100000000 implements MigrationInterface {
  name = 'AddRobotMessages1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "robot_message" ("id" SERIAL NOT NULL, "robot" text NOT NULL, "event" text NOT NULL, "body" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_robot_message_robot" CHECK ("robot" IN ('wecom', 'dingtalk')), CONSTRAINT "ck_robot_message_status" CHECK ("status" IN ('pending', 'delivered', 'failed')), CONSTRAINT "PK_3cd33e69fa902143d6a94db16a9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_robot_message_due" ON "robot_message"  ("next_attempt_at") WHERE status = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_robot_message_due"`);
    await queryRunner.query(`DROP TABLE "robot_message"`);
  }
}
