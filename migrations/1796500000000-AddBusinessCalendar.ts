import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every day of [first, last] (YYYY-MM-DD), for the holiday blocks below. */
function days(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${first}T00:00Z`); d <= Date.parse(`${last}T00:00Z`); d += 86_400_000)
    out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/**
 * China's official holidays and make-up workdays (调休) as the State Council General Office announced
 * them: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12) and
 * 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, published by Xinhua and www.gov.cn). Every day
 * of a holiday block is listed, weekends included; make-up days carry the holiday they belong to, and
 * fall on Saturdays or Sundays, before or after their block. 2027's notice is for the admin to enter on
 * /admin/calendar once published.
 */
const OFFICIAL: { holidays: [string, string, string][]; workdays: [string, string][] } = {
  holidays: [
    ['2025-01-01', '2025-01-01', '元旦'],
    ['2025-01-28', '2025-02-04', '春节'],
    ['2025-04-04', '2025-04-06', '清明节'],
    ['2025-05-01', '2025-05-05', '劳动节'],
    ['2025-05-31', '2025-06-02', '端午节'],
    ['2025-10-01', '2025-10-08', '国庆节、中秋节'],
    ['2026-01-01', '2026-01-03', '元旦'],
    ['2026-02-15', '2026-02-23', '春节'],
    ['2026-04-04', '2026-04-06', '清明节'],
    ['2026-05-01', '2026-05-05', '劳动节'],
    ['2026-06-19', '2026-06-21', '端午节'],
    ['2026-09-25', '2026-09-27', '中秋节'],
    ['2026-10-01', '2026-10-07', '国庆节'],
  ],
  workdays: [
    ['2025-01-26', '春节'],
    ['2025-02-08', '春节'],
    ['2025-04-27', '劳动节'],
    ['2025-09-28', '国庆节、中秋节'],
    ['2025-10-11', '国庆节、中秋节'],
    ['2026-01-04', '元旦'],
    ['2026-02-14', '春节'],
    ['2026-02-28', '春节'],
    ['2026-05-09', '劳动节'],
    ['2026-09-20', '国庆节'],
    ['2026-10-10', '国庆节'],
  ],
};

/**
 * The business calendar that SLA due times and approval reminders run on: the working week (Monday to
 * Friday, 09:00–18:00, the lunch break off) and dated exceptions, seeded with China's official 2025 and
 * 2026 schedules. Both tables are reference data kept in each app instance's memory, so changes to
 * them bump the reference version (see AddReferenceVersion).
 */
export class AddBusinessCalendar1796500000000 implements MigrationInterface {
  name = 'AddBusinessCalendar1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "business_hours" ("id" smallint NOT NULL, "opens" smallint array NOT NULL, "closes" smallint array NOT NULL, "lunch_starts" smallint, "lunch_ends" smallint, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "ck_business_hours_lunch" CHECK (("lunch_starts" IS NULL) = ("lunch_ends" IS NULL) AND ("lunch_starts" IS NULL OR ("lunch_starts" >= 0 AND "lunch_starts" < "lunch_ends" AND "lunch_ends" <= 1440))), CONSTRAINT "ck_business_hours_week" CHECK (cardinality("opens") = 7 AND cardinality("closes") = 7), CONSTRAINT "ck_business_hours_single" CHECK ("id" = 1), CONSTRAINT "PK_560a76077605005da835fe505a5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "calendar_exception" ("id" SERIAL NOT NULL, "day" date NOT NULL, "kind" text NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_calendar_exception_name" CHECK (length("name") BETWEEN 1 AND 50), CONSTRAINT "ck_calendar_exception_kind" CHECK ("kind" IN ('holiday', 'workday')), CONSTRAINT "PK_856b5e15ef881d9a3d356c33d8b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_calendar_exception_day" ON "calendar_exception"  ("day") `,
    );
    await queryRunner.query(
      `INSERT INTO "business_hours" ("id", "opens", "closes", "version")
       VALUES (1, '{540,540,540,540,540,NULL,NULL}', '{1080,1080,1080,1080,1080,NULL,NULL}', 1)`,
    );
    const rows = [
      ...OFFICIAL.holidays.flatMap(([first, last, name]) =>
        days(first, last).map((day) => [day, 'holiday', name]),
      ),
      ...OFFICIAL.workdays.map(([day, name]) => [day, 'workday', name]),
    ];
    await queryRunner.query(
      `INSERT INTO "calendar_exception" ("day", "kind", "name")
       SELECT * FROM unnest($1::date[], $2::text[], $3::text[])`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
    for (const table of ['business_hours', 'calendar_exception'])
      await queryRunner.query(
        `CREATE TRIGGER "${table}_reference_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
           ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"()`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['business_hours', 'calendar_exception'])
      await queryRunner.query(`DROP TRIGGER "${table}_reference_version" ON "${table}"`);
    await queryRunner.query(`DROP INDEX "public"."uq_calendar_exception_day"`);
    await queryRunner.query(`DROP TABLE "calendar_exception"`);
    await queryRunner.query(`DROP TABLE "business_hours"`);
  }
}
