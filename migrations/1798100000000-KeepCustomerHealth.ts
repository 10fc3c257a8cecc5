import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customers whose health a table's rows touch, as SQL on a row (`x.` stands for the row), and the
 * columns whose change on an update can move a health score.
 */
interface Marked {
  table: string;
  customer: string;
  watched: string[];
}

const MARKED: Marked[] = [
  {
    table: 'customer',
    customer: 'x.id',
    watched: [
      'tier',
      'status',
      'owner_id',
      'name',
      'last_interaction_at',
      'created_at',
      'deleted_at',
      'merged_into_id',
    ],
  },
  {
    table: 'ticket',
    customer: 'x.customer_id',
    watched: ['type', 'status', 'customer_id', 'deleted_at', 'merged_into_id'],
  },
  { table: 'survey_response', customer: 'x.customer_id', watched: ['csat', 'answered_at', 'customer_id'] },
  {
    table: 'opportunity',
    customer: 'x.customer_id',
    watched: ['stage', 'last_activity_at', 'customer_id', 'deleted_at'],
  },
  { table: 'contract', customer: 'x.customer_id', watched: ['status', 'customer_id', 'deleted_at'] },
  {
    table: 'payment_installment',
    customer: '(SELECT k.customer_id FROM contract k WHERE k.id = x.contract_id)',
    watched: ['amount', 'collected', 'due_on', 'contract_id'],
  },
];

/** The trigger function of one table: the customers its changed rows touch, appended to the marks. */
function markFunction(m: Marked): string {
  const of = (as: string) => m.customer.replaceAll('x.', `${as}.`);
  const insert = (select: string) => `
    INSERT INTO customer_health_dirty (customer_id)
    SELECT DISTINCT c FROM (${select}) d(c) WHERE c IS NOT NULL`;
  const differs = `(${m.watched.map((c) => `n.${c}`).join(', ')}) IS DISTINCT FROM (${m.watched.map((c) => `o.${c}`).join(', ')})`;
  return `
    CREATE FUNCTION health_mark_${m.table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${insert(`SELECT ${of('x')} FROM new_rows x`)};
      ELSIF TG_OP = 'UPDATE' THEN
        ${insert(`SELECT v.c FROM new_rows n JOIN old_rows o ON o.id = n.id
                   CROSS JOIN LATERAL (VALUES (${of('n')}), (${of('o')})) v(c) WHERE ${differs}`)};
      ELSIF TG_OP = 'DELETE' THEN
        ${insert(`SELECT ${of('x')} FROM old_rows x`)};
      ELSE
        UPDATE customer_health_state SET zone = NULL, built_at = NULL;
      END IF;
      RETURN NULL;
    END $$`;
}

/**
 * The dashboard's at-risk list ranks every active customer in scope by its health score: at 100,000
 * customers and a million tickets, computing every score on each view took ~0.5 s. The scores are now
 * kept in `customer_health`, one row per active customer with the instant its score next changes by
 * time alone (`changes_at`: silence crossing a multiple of its tier's rhythm, a low CSAT leaving the
 * lookback, an installment falling due, a deal going stale; NULL when none).
 *
 * Exact at every moment, as the dashboard's day totals are: statement triggers on the tables a score
 * reads append the customers a change touches to `customer_health_dirty` (no key: writers never wait
 * for one another). A page ranks the kept scores of customers neither listed there nor past
 * `changes_at`, and scores those others from the records; a job every minute scores them again and
 * clears the list (src/dashboard/queries/customer-health.query.ts). A truncate of any of these tables
 * marks the scores unkept (`customer_health_state.zone` NULL): pages score from the records until
 * they are kept again. The zone is kept because an installment falls due at the company's midnight.
 */
export class KeepCustomerHealth1798100000000 implements MigrationInterface {
  name = 'KeepCustomerHealth1798100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "customer_health" (
        "customer_id" integer PRIMARY KEY,
        "owner_id" integer,
        "name" text NOT NULL,
        "score" smallint NOT NULL,
        "changes_at" timestamptz)`);
    await queryRunner.query(
      `CREATE INDEX "ix_customer_health_rank" ON "customer_health" ("score", "name", "customer_id") INCLUDE ("owner_id", "changes_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_customer_health_changes_at" ON "customer_health" ("changes_at")`,
    );
    await queryRunner.query(`CREATE TABLE "customer_health_dirty" ("customer_id" integer NOT NULL)`);
    await queryRunner.query(`
      CREATE TABLE "customer_health_state" (
        "id" integer PRIMARY KEY CHECK ("id" = 1),
        "zone" text,
        "built_at" timestamptz)`);
    await queryRunner.query(`INSERT INTO "customer_health_state" ("id") VALUES (1)`);
    for (const m of MARKED) {
      await queryRunner.query(markFunction(m));
      await queryRunner.query(`
        CREATE TRIGGER health_mark_on_insert AFTER INSERT ON "${m.table}"
          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION health_mark_${m.table}()`);
      await queryRunner.query(`
        CREATE TRIGGER health_mark_on_update AFTER UPDATE ON "${m.table}"
          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION health_mark_${m.table}()`);
      await queryRunner.query(`
        CREATE TRIGGER health_mark_on_delete AFTER DELETE ON "${m.table}"
          REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION health_mark_${m.table}()`);
      await queryRunner.query(`
        CREATE TRIGGER health_mark_on_truncate AFTER TRUNCATE ON "${m.table}"
          FOR EACH STATEMENT EXECUTE FUNCTION health_mark_${m.table}()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const m of MARKED) {
      for (const on of ['insert', 'update', 'delete', 'truncate'])
        await queryRunner.query(`DROP TRIGGER "health_mark_on_${on}" ON "${m.table}"`);
      await queryRunner.query(`DROP FUNCTION health_mark_${m.table}()`);
    }
    await queryRunner.query(`DROP TABLE "customer_health_state"`);
    await queryRunner.query(`DROP TABLE "customer_health_dirty"`);
    await queryRunner.query(`DROP TABLE "customer_health"`);
  }
}
