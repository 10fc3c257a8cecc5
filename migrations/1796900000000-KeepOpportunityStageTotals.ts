import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a deal adds to its board column's figures, from a set of deal rows `rows`: one deal, its amount
 * and its amount times its probability (percent), under its owner, its stage and the day (UTC) it
 * closed ('infinity' while open, so that "closed since" takes open deals too). A deleted deal adds
 * nothing.
 */
const contributions = (rows: string, sign: '' | '-') => `
  SELECT owner_id, stage, coalesce((closed_at AT TIME ZONE 'UTC')::date, 'infinity'::date) AS closed_on,
         ${sign}1 AS count, ${sign}amount AS amount, ${sign}(amount * probability) AS weighted
    FROM ${rows} WHERE deleted_at IS NULL`;

/**
 * Adds the deltas of one statement's rows to the kept totals: grouped by owner, stage and closing day,
 * only those that change something, in key order, so that two statements touching the same totals
 * lock them in the same order and never wait for each other in a circle.
 */
const applied = (deltas: string) => `
  INSERT INTO opportunity_stage_total AS t (owner_id, stage, closed_on, count, amount, weighted)
  SELECT owner_id, stage, closed_on, sum(count), sum(amount), sum(weighted) FROM (${deltas}) d
   GROUP BY owner_id, stage, closed_on
  HAVING sum(count) <> 0 OR sum(amount) <> 0 OR sum(weighted) <> 0
   ORDER BY owner_id, stage, closed_on
  ON CONFLICT (owner_id, stage, closed_on) DO UPDATE
    SET count = t.count + excluded.count, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted`;

/**
 * The board's column figures (count, sum, sum weighted by probability) come from totals the database
 * keeps, instead of summing every deal in the user's scope on each view (at 200,000 deals the admin's
 * board looked at every one of them, 28–157× the list page's PostgreSQL time). One row per owner,
 * stage and day the deal closed (open deals: 'infinity'), so that the board sums the few rows of the
 * owners in scope, and for won and lost only the days of its closed-since window.
 *
 * Exact numerics: `amount` the sum of the deals' amounts, `weighted` the sum of amount × probability
 * (percent, not yet divided by 100), so that the board rounds once, as summing the deals did.
 *
 * Statement triggers keep them, whoever writes (the app, a hand-over, a merge, psql): after each
 * statement that inserts, updates (stage, owner, amount, probability, closing, soft delete and
 * restore) or deletes deals, the old rows' contributions are taken out and the new rows' put in. A
 * truncate empties them. The triggers are created before the totals are filled, in the same
 * transaction, and lock out writers meanwhile: no write falls between the two.
 */
export class KeepOpportunityStageTotals1796900000000 implements MigrationInterface {
  name = 'KeepOpportunityStageTotals1796900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "opportunity_stage_total" (
        "owner_id" integer NOT NULL,
        "stage" text NOT NULL,
        "closed_on" date NOT NULL,
        "count" integer NOT NULL,
        "amount" numeric NOT NULL,
        "weighted" numeric NOT NULL,
        CONSTRAINT "PK_opportunity_stage_total" PRIMARY KEY ("owner_id", "stage", "closed_on"))`);
    // The admin's board: every owner's totals of a stage, closed since the window's first day.
    await queryRunner.query(
      `CREATE INDEX "ix_opportunity_stage_total_stage" ON "opportunity_stage_total" ("stage", "closed_on")
         INCLUDE ("count", "amount", "weighted")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION opportunity_keep_stage_totals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${applied(contributions('new_deals', ''))};
        ELSIF TG_OP = 'UPDATE' THEN
          ${applied(`${contributions('old_deals', '-')} UNION ALL ${contributions('new_deals', '')}`)};
        ELSIF TG_OP = 'DELETE' THEN
          ${applied(contributions('old_deals', '-'))};
        ELSE
          DELETE FROM opportunity_stage_total;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`LOCK TABLE "opportunity" IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`
      CREATE TRIGGER opportunity_stage_totals_on_insert AFTER INSERT ON "opportunity"
        REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION opportunity_keep_stage_totals()`);
    await queryRunner.query(`
      CREATE TRIGGER opportunity_stage_totals_on_update AFTER UPDATE ON "opportunity"
        REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals
        FOR EACH STATEMENT EXECUTE FUNCTION opportunity_keep_stage_totals()`);
    await queryRunner.query(`
      CREATE TRIGGER opportunity_stage_totals_on_delete AFTER DELETE ON "opportunity"
        REFERENCING OLD TABLE AS old_deals FOR EACH STATEMENT EXECUTE FUNCTION opportunity_keep_stage_totals()`);
    await queryRunner.query(`
      CREATE TRIGGER opportunity_stage_totals_on_truncate AFTER TRUNCATE ON "opportunity"
        FOR EACH STATEMENT EXECUTE FUNCTION opportunity_keep_stage_totals()`);
    await queryRunner.query(applied(contributions('opportunity', '')));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const on of ['insert', 'update', 'delete', 'truncate'])
      await queryRunner.query(`DROP TRIGGER "opportunity_stage_totals_on_${on}" ON "opportunity"`);
    await queryRunner.query(`DROP FUNCTION opportunity_keep_stage_totals()`);
    await queryRunner.query(`DROP TABLE "opportunity_stage_total"`);
  }
}
