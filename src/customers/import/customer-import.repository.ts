import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type EntityManager } from 'typeorm';
import { RecordScope } from '../../auth/record-scope.js';
import type { SessionUser } from '../../common/session-user.js';
import type { CustomerImportRow } from './customer-import.entity.js';
import type { RowValues } from './import-rules.js';

/** A checked row on its way into customer_import_row. */
export interface StagedRow {
  rowNo: number;
  values: RowValues;
  errors: Record<string, string>;
  action: 'create' | 'error';
}

/** The customer fields an update fills, by their column. */
const UPDATE_COLUMNS: [field: string, column: string][] = [
  ['kind', 'kind'],
  ['uscc', 'uscc'],
  ['industry', 'industry'],
  ['size', 'size'],
  ['province', 'province'],
  ['city', 'city'],
  ['district', 'district'],
  ['address', 'address'],
  ['website', 'website'],
  ['tier', 'tier'],
  ['creditLevel', 'credit_level'],
  ['source', 'source'],
  ['status', 'status'],
];

/**
 * JSON as a field of COPY's text format, where a backslash starts an escape. JSON text never holds a
 * raw tab or line break (JSON.stringify escapes them), so only its backslashes need doubling.
 */
function copyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/**
 * The SQL of imports. Rows are checked into customer_import_row by COPY, and every later step — the
 * duplicate search, the user's choices, the writing — is a statement over all of an import's rows,
 * so a 100,000-row file costs a few statements, not 100,000 round trips.
 */
@Injectable()
export class CustomerImportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores `rows` of an import through one COPY on a connection of its own; `rows` is read as the
   * database takes them (backpressure), so memory stays bounded.
   */
  async stage(importId: string, rows: AsyncIterable<StagedRow[]>): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      const copy = client.query(
        copyFrom('COPY customer_import_row (import_id, row_no, "values", errors, action) FROM STDIN'),
      );
      try {
        for await (const batch of rows) {
          let lines = '';
          for (const r of batch) {
            lines += `${importId}\t${r.rowNo}\t${copyJson(r.values)}\t${copyJson(r.errors)}\t${r.action}\n`;
          }
          if (!copy.write(lines)) await once(copy, 'drain');
        }
        copy.end();
        await finished(copy);
      } catch (e) {
        // Cancels the COPY (none of its rows are kept). The database answers with an error of its own,
        // expected here; the connection is released once that answer is in.
        copy.on('error', () => undefined);
        if (!copy.closed) {
          const closed = new Promise((resolve) => copy.once('close', resolve));
          copy.destroy(e instanceof Error ? e : new Error(String(e)));
          await closed;
        }
        throw e;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Rows that repeat an earlier row of the file: a USCC an earlier row takes is an error (a code
   * is one customer's); the same name key, USCC or mobile as an earlier row makes a duplicate of
   * the first such row. Only rows that may be imported stand for their keys: a row with errors
   * hides nothing after it.
   */
  async markRepeats(importId: string): Promise<void> {
    // Grouped, then joined back: most keys occur once, so the joins are small.
    await this.dataSource.query(
      `WITH repeated AS (
         SELECT "values"->>'uscc' AS uscc, min(row_no) FILTER (WHERE action <> 'error') AS first
           FROM customer_import_row WHERE import_id = $1 AND "values"->>'uscc' IS NOT NULL
          GROUP BY 1 HAVING count(*) > 1)
       UPDATE customer_import_row r
          SET errors = r.errors || '{"uscc": "import.uscc_repeated"}'::jsonb, action = 'error'
         FROM repeated p
        WHERE r.import_id = $1 AND r."values"->>'uscc' = p.uscc AND r.row_no > p.first AND NOT r.errors ? 'uscc'`,
      [importId],
    );
    await this.dataSource.query(
      `WITH keyed AS MATERIALIZED (
         SELECT row_no, nullif("values"->>'nameKey', '') AS name_key, "values"->>'uscc' AS uscc, "values"->>'contactMobile' AS mobile
           FROM customer_import_row WHERE import_id = $1 AND action <> 'error'),
       by_name AS (SELECT name_key, min(row_no) AS first FROM keyed WHERE name_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1),
       by_uscc AS (SELECT uscc, min(row_no) AS first FROM keyed WHERE uscc IS NOT NULL GROUP BY 1 HAVING count(*) > 1),
       by_mobile AS (SELECT mobile, min(row_no) AS first FROM keyed WHERE mobile IS NOT NULL GROUP BY 1 HAVING count(*) > 1),
       earlier AS (
         SELECT k.row_no, least(n.first, u.first, m.first) AS first
           FROM keyed k LEFT JOIN by_name n USING (name_key) LEFT JOIN by_uscc u USING (uscc) LEFT JOIN by_mobile m USING (mobile))
       UPDATE customer_import_row r SET duplicate_of = -e.first, action = 'skip'
         FROM earlier e WHERE r.import_id = $1 AND r.row_no = e.row_no AND e.first < e.row_no`,
      [importId],
    );
  }

  /**
   * Marks the rows that match an existing customer (whoever owns it) by the form's duplicate rules:
   * the same name key, USCC, or a contact's mobile, phone or e-mail; and, for `similarNames`, a
   * similar name (the costly lookup: used for reps' imports, where it decides 撞单). The match shown
   * is one the user may not change, if there is one: that is the one that decides.
   */
  async markDuplicates(importId: string, user: SessionUser, similarNames: boolean): Promise<void> {
    const editable = RecordScope.canEditCustomerSql(user, 'c.owner_id', 'u.team_id');
    await this.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL pg_trgm.similarity_threshold = 0.6');
      await m.query(
        `WITH r AS MATERIALIZED (
           SELECT row_no, "values"->>'nameKey' AS name_key, "values"->>'uscc' AS uscc, "values"->>'contactMobile' AS mobile,
                  "values"->>'contactPhone' AS phone, "values"->>'contactEmail' AS email
             FROM customer_import_row WHERE import_id = $1 AND action <> 'error'),
         hits AS (
           SELECT r.row_no, c.id FROM r JOIN customer c ON c.name_key = r.name_key WHERE r.name_key <> ''
           UNION SELECT r.row_no, c.id FROM r JOIN customer c ON c.uscc = r.uscc
           UNION SELECT r.row_no, ct.customer_id FROM r JOIN contact ct ON ct.mobile = r.mobile AND ct.deleted_at IS NULL
           UNION SELECT r.row_no, ct.customer_id FROM r JOIN contact ct ON ct.phone = r.phone AND ct.deleted_at IS NULL
           UNION SELECT r.row_no, ct.customer_id FROM r JOIN contact ct ON lower(ct.email) = r.email AND ct.deleted_at IS NULL
           UNION SELECT r.row_no, s.id FROM r CROSS JOIN LATERAL (
                   SELECT id FROM customer c WHERE c.deleted_at IS NULL AND c.name_key % r.name_key
                      AND similarity(c.name_key, r.name_key) >= 0.6 LIMIT 5) s
                 WHERE $2 AND char_length(r.name_key) >= 3),
         matches AS (
           SELECT h.row_no, c.id, c.name, u.name AS owner_name, ${editable} AS editable
             FROM hits h JOIN customer c ON c.id = h.id AND c.deleted_at IS NULL LEFT JOIN app_user u ON u.id = c.owner_id),
         shown AS (
           SELECT DISTINCT ON (row_no) row_no, id, name, owner_name, bool_and(editable) OVER (PARTITION BY row_no) AS all_editable
             FROM matches ORDER BY row_no, editable, id)
         UPDATE customer_import_row r
            SET duplicate_of = s.id, duplicate_name = s.name, duplicate_owner = s.owner_name,
                duplicate_editable = s.all_editable, action = 'skip'
           FROM shown s WHERE r.import_id = $1 AND r.row_no = s.row_no`,
        [importId, similarNames],
      );
    });
  }

  /** How many rows are fine, wrong, or duplicates, for the preview. */
  async countRows(importId: string): Promise<{ ok: number; errors: number; duplicates: number }> {
    const [counts] = await this.dataSource.query<{ ok: number; errors: number; duplicates: number }[]>(
      `SELECT count(*) FILTER (WHERE action = 'create')::int AS ok, count(*) FILTER (WHERE action = 'error')::int AS errors,
              count(*) FILTER (WHERE action = 'skip')::int AS duplicates
         FROM customer_import_row WHERE import_id = $1`,
      [importId],
    );
    return counts;
  }

  /**
   * Applies the user's decisions: `duplicates` for every duplicate row, `perRow` overriding it. What
   * the user may not do falls back to skipping: updating a customer they cannot edit or an earlier
   * row, and, for a rep, creating a second copy of another rep's customer.
   */
  async choose(
    m: EntityManager,
    importId: string,
    user: SessionUser,
    duplicates: string,
    perRow: Record<number, string>,
  ): Promise<void> {
    await m.query(
      `UPDATE customer_import_row SET action = $2 WHERE import_id = $1 AND duplicate_of IS NOT NULL AND action <> 'error'`,
      [importId, duplicates],
    );
    const rows = Object.keys(perRow).map(Number);
    await m.query(
      `UPDATE customer_import_row r SET action = c.action FROM unnest($2::int[], $3::text[]) AS c(row_no, action)
        WHERE r.import_id = $1 AND r.row_no = c.row_no AND r.action <> 'error'`,
      [importId, rows, rows.map((r) => perRow[r])],
    );
    await m.query(
      `UPDATE customer_import_row SET action = 'skip' WHERE import_id = $1 AND action = 'update' AND (NOT duplicate_editable OR duplicate_of < 0)`,
      [importId],
    );
    if (user.role === 'sales') {
      await m.query(
        `UPDATE customer_import_row SET action = 'skip' WHERE import_id = $1 AND action = 'create' AND duplicate_of > 0 AND NOT duplicate_editable`,
        [importId],
      );
    }
  }

  /**
   * The check, repeated as the import runs, for what may have changed since: a USCC another customer
   * took, a customer to update that went or left the user's hands, a customer two rows would update.
   */
  async recheck(m: EntityManager, importId: string, user: SessionUser): Promise<void> {
    await m.query(
      `UPDATE customer_import_row r SET action = 'skip' WHERE r.import_id = $1 AND r.action = 'create'
          AND EXISTS (SELECT 1 FROM customer c WHERE c.uscc = r."values"->>'uscc' AND c.deleted_at IS NULL)`,
      [importId],
    );
    const editable = RecordScope.canEditCustomerSql(user, 'c.owner_id', 'u.team_id');
    await m.query(
      `UPDATE customer_import_row r SET action = 'skip' WHERE r.import_id = $1 AND r.action = 'update'
          AND (NOT EXISTS (SELECT 1 FROM customer c LEFT JOIN app_user u ON u.id = c.owner_id
                            WHERE c.id = r.duplicate_of AND c.deleted_at IS NULL AND ${editable})
               OR EXISTS (SELECT 1 FROM customer_import_row e WHERE e.import_id = r.import_id AND e.action = 'update'
                            AND e.duplicate_of = r.duplicate_of AND e.row_no < r.row_no))`,
      [importId],
    );
  }

  /**
   * Creates the customers (with their contact and an audit entry each) of the next `limit` rows to
   * create after row `after`; returns how many and the last row number.
   */
  async createNext(
    m: EntityManager,
    importId: string,
    after: number,
    limit: number,
    actor: { id: number; email: string },
  ): Promise<{ created: number; last: number }> {
    const [result] = await m.query<{ created: number; last: number | null }[]>(
      `WITH src AS MATERIALIZED (
         SELECT nextval('customer_id_seq')::int AS id, row_no, v FROM (
           SELECT row_no, "values" AS v FROM customer_import_row
            WHERE import_id = $1 AND action = 'create' AND row_no > $2 ORDER BY row_no LIMIT $3) AS next),
       customers AS (
         INSERT INTO customer (id, kind, name, name_key, search_text, uscc, industry, size, province, city, district, address,
                               website, tier, vip, credit_level, source, status, owner_id, owned_since, tags, birthday, version)
         SELECT id, coalesce(v->>'kind', 'company'), v->>'name', v->>'nameKey', v->>'searchText', v->>'uscc', v->>'industry',
                v->>'size', v->>'province', v->>'city', v->>'district', v->>'address', v->>'website', coalesce(v->>'tier', 'C'),
                coalesce((v->>'vip')::boolean, false), v->>'creditLevel', v->>'source', coalesce(v->>'status', 'lead'),
                (v->>'ownerId')::int, CASE WHEN v->>'ownerId' IS NOT NULL THEN now() END,
                ARRAY(SELECT btrim(t) FROM regexp_split_to_table(coalesce(v->>'tags', ''), '[,，;；]') AS t WHERE btrim(t) <> ''),
                CASE WHEN v->>'kind' = 'person' THEN (v->>'birthday')::date END, 1
           FROM src),
       contacts AS (
         INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, "primary", version)
         SELECT id, coalesce(v->>'contactName', v->>'name'), v->>'contactTitle', v->>'contactMobile', v->>'contactPhone',
                v->>'contactEmail', v->>'contactWechat', true, 1
           FROM src
          WHERE coalesce(v->>'contactName', v->>'contactMobile', v->>'contactPhone', v->>'contactEmail', v->>'contactWechat') IS NOT NULL),
       audit AS (
         INSERT INTO audit_entry (actor_id, actor_email, action, entity, entity_id, diff)
         SELECT $4, $5, 'create', 'customer', id::text, '{"import": {"to": "spreadsheet"}}'::jsonb FROM src)
       SELECT count(*)::int AS created, max(row_no) AS last FROM src`,
      [importId, after, limit, actor.id, actor.email],
    );
    return { created: result.created, last: result.last ?? after };
  }

  /**
   * Fills existing customers from the rows to update (empty cells change nothing; a USCC another
   * customer holds stays where it is), adds each row's contact unless the customer has it, and
   * audits each change. Returns how many customers changed.
   */
  async updateAll(m: EntityManager, importId: string, actor: { id: number; email: string }): Promise<number> {
    const sets = UPDATE_COLUMNS.filter(([field]) => field !== 'uscc')
      .map(([field, column]) => `${column} = coalesce(src.v->>'${field}', c.${column})`)
      .join(', ');
    const fields = UPDATE_COLUMNS.map(([field, column]) => `('${field}', '${column}')`).join(', ');
    const [result] = await m.query<{ updated: number }[]>(
      `WITH src AS (
         SELECT duplicate_of AS id, "values" AS v FROM customer_import_row WHERE import_id = $1 AND action = 'update'),
       changed AS (
         UPDATE customer c SET ${sets},
                uscc = CASE WHEN EXISTS (SELECT 1 FROM customer o WHERE o.uscc = src.v->>'uscc' AND o.id <> c.id AND o.deleted_at IS NULL)
                            THEN c.uscc ELSE coalesce(src.v->>'uscc', c.uscc) END,
                version = c.version + 1, updated_at = now()
           FROM src WHERE c.id = src.id
         RETURNING c.id, c.uscc, src.v),
       contacts AS (
         INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, version)
         SELECT id, coalesce(v->>'contactName', v->>'name'), v->>'contactTitle', v->>'contactMobile', v->>'contactPhone',
                v->>'contactEmail', v->>'contactWechat', 1
           FROM changed ch
          WHERE coalesce(v->>'contactName', v->>'contactMobile', v->>'contactPhone', v->>'contactEmail', v->>'contactWechat') IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM contact ct WHERE ct.customer_id = ch.id AND ct.deleted_at IS NULL
                               AND (ct.mobile = v->>'contactMobile' OR lower(ct.email) = v->>'contactEmail'))),
       audit AS (
         INSERT INTO audit_entry (actor_id, actor_email, action, entity, entity_id, diff)
         SELECT $2, $3, 'update', 'customer', ch.id::text,
                (SELECT coalesce(jsonb_object_agg(f.col, jsonb_build_object('to', ch.v->>f.field)), '{}')
                   FROM (VALUES ${fields}) AS f(field, col)
                  WHERE ch.v->>f.field IS NOT NULL AND (f.field <> 'uscc' OR ch.uscc = ch.v->>'uscc'))
           FROM changed ch)
       SELECT count(*)::int AS updated FROM changed`,
      [importId, actor.id, actor.email],
    );
    return result.updated;
  }

  /**
   * What a large import leaves for autovacuum, done at once. The trigram indexes' pending lists move
   * into the indexes proper: until then every search and similar-name lookup reads the whole pending
   * list (a lookup that takes 2 ms takes 200 ms). The planner's statistics are refreshed: until then it
   * plans for the tables as they were (the list's count over 100,000 new customers took 10 ms, not 0.2).
   * Autovacuum would do both, but a minute or more later.
   */
  async settleAfterImport(): Promise<void> {
    await this.dataSource.query(
      `SELECT gin_clean_pending_list('ix_customer_search_trgm'), gin_clean_pending_list('ix_customer_name_key_trgm'),
              gin_clean_pending_list('ix_contact_name_trgm')`,
    );
    await this.dataSource.query('ANALYZE customer, contact');
  }

  /** Rows that were not imported (errors and skipped rows), in row order, a page at a time. */
  async *rejectedRows(
    importId: string,
  ): AsyncGenerator<Pick<CustomerImportRow, 'rowNo' | 'errors' | 'duplicateOf' | 'duplicateName'>> {
    for (let after = 0; ;) {
      const rows = await this.dataSource.query<
        {
          row_no: number;
          errors: Record<string, string>;
          duplicate_of: number | null;
          duplicate_name: string | null;
        }[]
      >(
        `SELECT row_no, errors, duplicate_of, duplicate_name FROM customer_import_row
          WHERE import_id = $1 AND row_no > $2 AND action IN ('error', 'skip') ORDER BY row_no LIMIT 1000`,
        [importId, after],
      );
      if (!rows.length) return;
      for (const r of rows) {
        yield {
          rowNo: r.row_no,
          errors: r.errors,
          duplicateOf: r.duplicate_of,
          duplicateName: r.duplicate_name,
        };
      }
      after = rows[rows.length - 1].row_no;
    }
  }
}
