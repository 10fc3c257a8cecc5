import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log stays append-only, with one exception the law asks for: erasing a person on request
 * (个人信息保护法) masks their values in the details (`diff`) of older entries. The trigger lets an
 * UPDATE through only inside a transaction that declared itself an erasure (`kehu.erasure` set
 * locally) and only when nothing but `diff` changes; deleting and truncating stay refused.
 */
export class LetErasureMaskAuditDetails1797500000000 implements MigrationInterface {
  name = 'LetErasureMaskAuditDetails1797500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('kehu.erasure', true) = 'on'
           AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_email, NEW.action, NEW.entity, NEW.entity_id, NEW.ip, NEW.request_id)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.actor_id, OLD.actor_email, OLD.action, OLD.entity, OLD.entity_id, OLD.ip, OLD.request_id)
        THEN RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only';
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$`);
  }
}
