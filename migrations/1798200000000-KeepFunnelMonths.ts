import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard's funnel counts each deal moved in the period once, in every stage up to the furthest
 * it reached then: a count of distinct deals, which day totals cannot sum. At 200,000 deals and
 * 500,000 stage changes a month's funnel grouped ~130,000 deals' changes on each view (~0.5 s).
 *
 * `kpi_funnel_month` keeps, per deal and month (in the company's zone, kpi_rollup.zone) it moved in,
 * the furthest stage it reached that month, with the deal's owner and amount; a period of whole months
 * is then one row per deal and month. Exact at every moment as the day totals are: statement triggers
 * append the deals a change touches (a stage change written, moved or removed; a deal's owner, amount
 * or deletion) to `kpi_funnel_dirty` (no key); a page reads those deals from the records and the
 * others from the kept months; the day totals' job counts the listed deals again, and counts the
 * months with the day totals. A truncate of the stage changes marks the day totals unbuilt, as a
 * truncate of the deals already does.
 */
export class KeepFunnelMonths1798200000000 implements MigrationInterface {
  name = 'KeepFunnelMonths1798200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "kpi_funnel_month" (
        "opportunity_id" integer NOT NULL,
        "month" date NOT NULL,
        "furthest" smallint NOT NULL,
        "owner_id" integer,
        "amount" numeric(14,2) NOT NULL,
        PRIMARY KEY ("opportunity_id", "month"))`);
    await queryRunner.query(
      `CREATE INDEX "ix_kpi_funnel_month_month" ON "kpi_funnel_month" ("month") INCLUDE ("opportunity_id", "furthest", "owner_id", "amount")`,
    );
    await queryRunner.query(`CREATE TABLE "kpi_funnel_dirty" ("opportunity_id" integer NOT NULL)`);
    const mark = (select: string) =>
      `INSERT INTO kpi_funnel_dirty (opportunity_id) SELECT DISTINCT d FROM (${select}) s(d) WHERE d IS NOT NULL`;
    await queryRunner.query(`
      CREATE FUNCTION kpi_funnel_mark_stage_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${mark('SELECT opportunity_id FROM new_rows')};
        ELSIF TG_OP = 'UPDATE' THEN
          ${mark(`SELECT v.d FROM new_rows n JOIN old_rows o ON o.id = n.id
                   CROSS JOIN LATERAL (VALUES (n.opportunity_id), (o.opportunity_id)) v(d)
                  WHERE (n.opportunity_id, n.to_stage, n.at) IS DISTINCT FROM (o.opportunity_id, o.to_stage, o.at)`)};
        ELSIF TG_OP = 'DELETE' THEN
          ${mark('SELECT opportunity_id FROM old_rows')};
        ELSE
          UPDATE kpi_rollup SET zone = NULL, built_at = NULL;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION kpi_funnel_mark_opportunity() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          ${mark(`SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                  WHERE (n.owner_id, n.amount, n.deleted_at) IS DISTINCT FROM (o.owner_id, o.amount, o.deleted_at)`)};
        ELSE
          ${mark('SELECT id FROM old_rows')};
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER kpi_funnel_mark_on_insert AFTER INSERT ON "opportunity_stage_change"
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_funnel_mark_stage_change()`);
    await queryRunner.query(`
      CREATE TRIGGER kpi_funnel_mark_on_update AFTER UPDATE ON "opportunity_stage_change"
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION kpi_funnel_mark_stage_change()`);
    await queryRunner.query(`
      CREATE TRIGGER kpi_funnel_mark_on_delete AFTER DELETE ON "opportunity_stage_change"
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_funnel_mark_stage_change()`);
    await queryRunner.query(`
      CREATE TRIGGER kpi_funnel_mark_on_truncate AFTER TRUNCATE ON "opportunity_stage_change"
        FOR EACH STATEMENT EXECUTE FUNCTION kpi_funnel_mark_stage_change()`);
    await queryRunner.query(`
      CREATE TRIGGER kpi_funnel_mark_on_update AFTER UPDATE ON "opportunity"
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION kpi_funnel_mark_opportunity()`);
    await queryRunner.query(`
      CREATE TRIGGER kpi_funnel_mark_on_delete AFTER DELETE ON "opportunity"
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_funnel_mark_opportunity()`);
    // Day totals counted before this hold no funnel months: counted again (in production, by the job's
    // next run), pages reading the records meanwhile.
    await queryRunner.query(`UPDATE kpi_rollup SET zone = NULL, built_at = NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const on of ['update', 'delete'])
      await queryRunner.query(`DROP TRIGGER "kpi_funnel_mark_on_${on}" ON "opportunity"`);
    for (const on of ['insert', 'update', 'delete', 'truncate'])
      await queryRunner.query(`DROP TRIGGER "kpi_funnel_mark_on_${on}" ON "opportunity_stage_change"`);
    await queryRunner.query(`DROP FUNCTION kpi_funnel_mark_opportunity()`);
    await queryRunner.query(`DROP FUNCTION kpi_funnel_mark_stage_change()`);
    await queryRunner.query(`DROP TABLE "kpi_funnel_dirty"`);
    await queryRunner.query(`DROP TABLE "kpi_funnel_month"`);
  }
}
