import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type EntityManager } from 'typeorm';
import type { CustomerActor } from '../customer.policy.js';
import { conditionFor } from '../customer.policy.js';
import { SIMILAR_NAME_THRESHOLD } from '../duplicates.js';
import { CustomerImport, CustomerImportRow, type ImportStatus } from './customer-import.entity.js';
import type { SpreadsheetFormat } from './import-files.js';
import type { RowValues } from './import-rules.js';

/** A checked row on its way into customer_import_row. */
export interface StagedRow {
  rowNo: number;
  values: RowValues;
  errors: Record<string, string>;
  action: 'create' | 'error';
}

/** The customer fields an update fills, by their column. */
export const UPDATE_COLUMNS: [field: string, column: string][] = [
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
  ['notes', 'notes'],
];

/** A row of the preview, as stored. */
export type PreviewRow = Pick<
  CustomerImportRow,
  'rowNo' | 'values' | 'errors' | 'duplicateOf' | 'duplicateName' | 'duplicateOwner' | 'duplicateEditable'
>;

/** A row that would update an existing customer, with that customer's fields by column name, for the preview. */
export interface UpdatePreviewRow {
  rowNo: number;
  values: RowValues;
  customer: Record<string, unknown>;
}

/** An option column's text that names no option, and how many rows hold it. */
export interface UnknownValue {
  field: string;
  text: string;
  rows: number;
}

/** A row that was not imported, as the rejected-rows workbook needs it. */
export type RejectedRow = Pick<CustomerImportRow, 'rowNo' | 'errors' | 'duplicateOf' | 'duplicateName'>;

/** Whether an import row (`v`, its values) brings a contact for the customer it creates. */
const HAS_CONTACT = `coalesce(v->>'contactName', v->>'contactMobile', v->>'contactPhone', v->>'contactEmail', v->>'contactWechat') IS NOT NULL`;

/** Steps of an import the user may still change or drop: none of its work is running. */
const IDLE: ImportStatus[] = ['mapping', 'checked', 'failed'];

/**
 * The customers `actor` may edit, as a condition on the customer aliased `alias` for a statement whose
 * own parameters are `params` ($1…$n): the policy's condition, its named parameters numbered after them.
 */
function editableBy(actor: CustomerActor, alias: string, params: unknown[]): string {
  const { sql, params: named } = conditionFor(actor, 'edit', alias);
  // As a value, not a filter: an unowned customer makes `owner_id = …` NULL, which means "no".
  return `coalesce(${sql}, false)`.replace(/(?<!:):(\w+)/g, (whole, name: string) => {
    if (!(name in named)) return whole;
    params.push(named[name]);
    return `$${params.length}`;
  });
}

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
 * so a 100,000-row file costs a few statements, not 100,000 round trips. Who owns a customer is the
 * users module's: statements take the user ids they need as parameters, and never read app_user.
 */
@Injectable()
export class CustomerImportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // The import itself (customer_import): its steps move by conditional updates, so two clicks, or a
  // click racing a background step, move it once. (TypeORM answers an UPDATE or DELETE with [rows, count].)

  /** Stores a freshly uploaded file's import, in the mapping step; returns its id. */
  async create(fields: {
    userId: number;
    fileName: string;
    filePath: string;
    format: SpreadsheetFormat;
    encoding: string | null;
    headerRow: number;
    headers: string[];
    mapping: string[];
  }): Promise<string> {
    const { identifiers } = await this.dataSource.getRepository(CustomerImport).insert(fields);
    return identifiers[0].id as string;
  }

  /** The import `id` if `userId` started it. */
  findOwn(id: string, userId: number): Promise<CustomerImport | null> {
    return this.dataSource.getRepository(CustomerImport).findOneBy({ id, userId });
  }

  /** The import `id`, for its background steps. */
  find(id: string): Promise<CustomerImport | null> {
    return this.dataSource.getRepository(CustomerImport).findOneBy({ id });
  }

  /** A user's latest imports, newest first. */
  listRecent(userId: number, take: number): Promise<CustomerImport[]> {
    return this.dataSource
      .getRepository(CustomerImport)
      .find({ where: { userId }, order: { createdAt: 'DESC' }, take });
  }

  /** Deletes the import (and its rows) unless a step of it is running; answers whether it went. */
  async deleteIdle(id: string): Promise<boolean> {
    const [, dropped] = await this.dataSource.query<[unknown[], number]>(
      'DELETE FROM customer_import WHERE id = $1 AND status = ANY($2)',
      [id, IDLE],
    );
    return dropped === 1;
  }

  /** Stores the column choices and moves a mapped or checked import to checking; false if it is neither. */
  async startCheck(id: string, mapping: string[]): Promise<boolean> {
    const [, changed] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE customer_import SET mapping = $2, status = 'checking', progress = 0 WHERE id = $1 AND status IN ('mapping', 'checked')`,
      [id, JSON.stringify(mapping)],
    );
    return changed === 1;
  }

  /**
   * Another row of the file holds the headers: its texts, and the columns matched again. A checked
   * import goes back to the mapping step. False if a step of the import is running.
   */
  async setHeader(id: string, headerRow: number, headers: string[], mapping: string[]): Promise<boolean> {
    const [, changed] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE customer_import SET header_row = $2, headers = $3, mapping = $4, status = 'mapping', counts = '{}'
        WHERE id = $1 AND status IN ('mapping', 'checked')`,
      [id, headerRow, JSON.stringify(headers), JSON.stringify(mapping)],
    );
    return changed === 1;
  }

  /** How many rows the running step has done. Outside any transaction, so the page can show it. */
  async setProgress(id: string, progress: number): Promise<void> {
    await this.dataSource.query('UPDATE customer_import SET progress = $2 WHERE id = $1', [id, progress]);
  }

  /** The check's outcome: the import waits for the user's decisions in the preview. */
  async markChecked(id: string, total: number, counts: Record<string, number>): Promise<void> {
    await this.dataSource.query(
      `UPDATE customer_import SET status = 'checked', progress = $2, total = $2, counts = $3 WHERE id = $1 AND status = 'checking'`,
      [id, total, counts],
    );
  }

  /** Moves a checked import to importing, in the caller's transaction; false if it is not checked (any more). */
  async claimForRun(m: EntityManager, id: string): Promise<boolean> {
    const [, claimed] = await m.query<[unknown[], number]>(
      `UPDATE customer_import SET status = 'importing', progress = 0 WHERE id = $1 AND status = 'checked'`,
      [id],
    );
    return claimed === 1;
  }

  /** The import's end, written in its own transaction. */
  async markDone(m: EntityManager, id: string, counts: Record<string, number>): Promise<void> {
    await m.query(`UPDATE customer_import SET status = 'done', counts = $2 WHERE id = $1`, [id, counts]);
  }

  async markFailed(id: string, failure: string, counts: Record<string, number>): Promise<void> {
    await this.dataSource.query(
      `UPDATE customer_import SET status = 'failed', failure = $2, counts = $3 WHERE id = $1`,
      [id, failure, counts],
    );
  }

  /** Imports whose check or run is under way, or was when a server stopped. */
  findRunning(): Promise<{ id: string; status: 'checking' | 'importing' }[]> {
    return this.dataSource.query(
      `SELECT id, status FROM customer_import WHERE status IN ('checking', 'importing')`,
    );
  }

  /** Imports older than a week with no step running, and their files. */
  findExpired(): Promise<{ id: string; filePath: string }[]> {
    return this.dataSource.query(
      `SELECT id, file_path AS "filePath" FROM customer_import
        WHERE created_at < now() - interval '7 days' AND status NOT IN ('checking', 'importing')`,
    );
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.query('DELETE FROM customer_import WHERE id = $1', [id]);
  }

  // An import's rows (customer_import_row).

  /** Drops the rows of an earlier check, before the import is checked again. */
  async clearRows(importId: string): Promise<void> {
    await this.dataSource.getRepository(CustomerImportRow).delete({ importId });
  }

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
   * The planner's statistics of the rows table, refreshed after a bulk load. Until then it plans for
   * the table as the last ANALYZE saw it — after an earlier import's rows went, often "1 row" — and
   * joins the fresh rows by nested loops, which turns the repeat search quadratic (10,000 rows: 41 s).
   */
  async analyzeRows(): Promise<void> {
    await this.dataSource.query('ANALYZE customer_import_row');
  }

  /**
   * Rows that repeat an earlier row of the file by name key, USCC or mobile: a duplicate group, each
   * later row a duplicate of the group's first row, offered skip, update (the customer the first row
   * becomes) or create, like a duplicate of an existing customer. Only rows that may be imported stand
   * for their keys: a row with errors hides nothing after it.
   */
  async markRepeats(importId: string): Promise<void> {
    // Grouped, then joined back: most keys occur once, so the joins are small.
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
       UPDATE customer_import_row r SET duplicate_of = -e.first, duplicate_editable = true, action = 'skip'
         FROM earlier e WHERE r.import_id = $1 AND r.row_no = e.row_no AND e.first < e.row_no`,
      [importId],
    );
  }

  /**
   * Marks the rows that match an existing customer (whoever owns it) by the form's duplicate rules:
   * the same name key, USCC, or a contact's mobile, phone or e-mail; and, for `similarNames`, a
   * similar name (the costly lookup: used where it decides 撞单). The match shown is one `actor` may
   * not edit, if there is one: that is the one that decides. Owners' names are added by nameOwners.
   */
  async markDuplicates(importId: string, actor: CustomerActor, similarNames: boolean): Promise<void> {
    const params: unknown[] = [importId, similarNames, SIMILAR_NAME_THRESHOLD];
    const editable = editableBy(actor, 'c', params);
    await this.dataSource.transaction(async (m) => {
      // `%` then means "similar enough" at the rule's threshold, so the trigram index returns only real candidates.
      await m.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [
        String(SIMILAR_NAME_THRESHOLD),
      ]);
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
                      AND similarity(c.name_key, r.name_key) >= $3 LIMIT 5) s
                 WHERE $2 AND char_length(r.name_key) >= 3),
         matches AS (
           SELECT h.row_no, c.id, c.name, ${editable} AS editable
             FROM hits h JOIN customer c ON c.id = h.id AND c.deleted_at IS NULL),
         shown AS (
           SELECT DISTINCT ON (row_no) row_no, id, name, bool_and(editable) OVER (PARTITION BY row_no) AS all_editable
             FROM matches ORDER BY row_no, editable, id)
         UPDATE customer_import_row r
            SET duplicate_of = s.id, duplicate_name = s.name, duplicate_owner = NULL,
                duplicate_editable = s.all_editable, action = 'skip'
           FROM shown s WHERE r.import_id = $1 AND r.row_no = s.row_no`,
        params,
      );
    });
  }

  /** Who owns the existing customers the import's rows duplicate (owned ones only). */
  async duplicateOwnerIds(importId: string): Promise<number[]> {
    const rows = await this.dataSource.query<{ owner_id: number }[]>(
      `SELECT DISTINCT c.owner_id FROM customer_import_row r JOIN customer c ON c.id = r.duplicate_of
        WHERE r.import_id = $1 AND r.duplicate_of > 0 AND c.owner_id IS NOT NULL`,
      [importId],
    );
    return rows.map((r) => r.owner_id);
  }

  /** Writes beside each duplicate the name of its customer's owner, from `owners` (id → name). */
  async nameOwners(importId: string, owners: Map<number, string>): Promise<void> {
    if (!owners.size) return;
    await this.dataSource.query(
      `UPDATE customer_import_row r SET duplicate_owner = o.name
         FROM customer c JOIN unnest($2::int[], $3::text[]) AS o(id, name) ON o.id = c.owner_id
        WHERE r.import_id = $1 AND r.duplicate_of > 0 AND c.id = r.duplicate_of`,
      [importId, [...owners.keys()], [...owners.values()]],
    );
  }

  /** The option columns' texts that name no option, by field and text, with how many rows hold each. */
  unknownValues(importId: string, limit: number): Promise<UnknownValue[]> {
    return this.dataSource.query(
      `SELECT u.key AS field, u.value AS text, count(*)::int AS rows
         FROM customer_import_row r CROSS JOIN LATERAL jsonb_each_text(r."values"->'unknown') AS u
        WHERE r.import_id = $1 AND r."values" ? 'unknown'
        GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $2`,
      [importId, limit],
    );
  }

  /** Fills `field` with the option the user chose for each unknown text, in the caller's transaction. */
  async mapValues(
    m: EntityManager,
    importId: string,
    field: string,
    texts: string[],
    options: string[],
  ): Promise<void> {
    await m.query(
      `UPDATE customer_import_row r SET "values" = jsonb_set(r."values", ARRAY[$2::text], to_jsonb(c.option))
         FROM unnest($3::text[], $4::text[]) AS c(text, option)
        WHERE r.import_id = $1 AND r."values"->'unknown'->>$2 = c.text`,
      [importId, field, texts, options],
    );
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
   * row, and, unless `mayCopyOthers`, creating a second copy of a customer they cannot edit.
   */
  async choose(
    m: EntityManager,
    importId: string,
    mayCopyOthers: boolean,
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
      `UPDATE customer_import_row SET action = 'skip' WHERE import_id = $1 AND action = 'update' AND NOT duplicate_editable`,
      [importId],
    );
    if (!mayCopyOthers) {
      await m.query(
        `UPDATE customer_import_row SET action = 'skip' WHERE import_id = $1 AND action = 'create' AND duplicate_of > 0 AND NOT duplicate_editable`,
        [importId],
      );
    }
  }

  /**
   * The check, repeated as the import runs, for what may have changed since: a USCC another customer
   * took, or that an earlier row to create takes (a code is one customer's), a customer to update that
   * went or left the user's hands.
   */
  async recheck(m: EntityManager, importId: string, actor: CustomerActor): Promise<void> {
    await m.query(
      `UPDATE customer_import_row r SET action = 'skip' WHERE r.import_id = $1 AND r.action = 'create'
          AND EXISTS (SELECT 1 FROM customer c WHERE c.uscc = r."values"->>'uscc' AND c.deleted_at IS NULL)`,
      [importId],
    );
    await m.query(
      `UPDATE customer_import_row r SET action = 'skip'
         FROM (SELECT row_no, row_number() OVER (PARTITION BY "values"->>'uscc' ORDER BY row_no) AS n
                 FROM customer_import_row WHERE import_id = $1 AND action = 'create' AND "values"->>'uscc' IS NOT NULL) d
        WHERE r.import_id = $1 AND r.row_no = d.row_no AND d.n > 1`,
      [importId],
    );
    const params: unknown[] = [importId];
    const editable = editableBy(actor, 'c', params);
    await m.query(
      `UPDATE customer_import_row r SET action = 'skip' WHERE r.import_id = $1 AND r.action = 'update' AND r.duplicate_of > 0
          AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = r.duplicate_of AND c.deleted_at IS NULL AND ${editable})`,
      params,
    );
  }

  /**
   * Once the rows to create are created: a row that updates an earlier row of the file updates the
   * customer that row became (created, or the existing customer it updated); with none, it is skipped.
   * Of several rows updating one customer, the first does (one statement updates a row once).
   */
  async settleUpdateTargets(m: EntityManager, importId: string): Promise<void> {
    await m.query(
      `UPDATE customer_import_row r
          SET duplicate_of = coalesce(e.customer_id, CASE WHEN e.action = 'update' AND e.duplicate_of > 0 THEN e.duplicate_of END)
         FROM customer_import_row e
        WHERE r.import_id = $1 AND r.action = 'update' AND r.duplicate_of < 0 AND e.import_id = $1 AND e.row_no = -r.duplicate_of`,
      [importId],
    );
    await m.query(
      `UPDATE customer_import_row r SET action = 'skip'
         FROM (SELECT row_no, duplicate_of IS NULL OR duplicate_of < 0
                      OR row_number() OVER (PARTITION BY duplicate_of ORDER BY row_no) > 1 AS extra
                 FROM customer_import_row WHERE import_id = $1 AND action = 'update') d
        WHERE r.import_id = $1 AND r.row_no = d.row_no AND d.extra`,
      [importId],
    );
  }

  /**
   * The rows that a later row of the file updates (a duplicate group's first row): the run notes the
   * customer each becomes, for settleUpdateTargets. Usually few; noting it for every row cost a
   * second write of each imported row.
   */
  async rowsUpdatedLater(m: EntityManager, importId: string): Promise<number[]> {
    const rows = await m.query<{ row_no: number }[]>(
      `SELECT DISTINCT -duplicate_of AS row_no FROM customer_import_row
        WHERE import_id = $1 AND action = 'update' AND duplicate_of < 0`,
      [importId],
    );
    return rows.map((r) => r.row_no);
  }

  /**
   * The next `limit` rows to create after row `after`, in row order: their row numbers and names (the
   * run computes their search texts before creating them).
   */
  async nextToCreate(
    m: EntityManager,
    importId: string,
    after: number,
    limit: number,
  ): Promise<{ rowNo: number; name: string }[]> {
    const rows = await m.query<{ row_no: number; name: string | null }[]>(
      `SELECT row_no, "values"->>'name' AS name FROM customer_import_row
        WHERE import_id = $1 AND action = 'create' AND row_no > $2 ORDER BY row_no LIMIT $3`,
      [importId, after, limit],
    );
    return rows.map((r) => ({ rowNo: r.row_no, name: r.name ?? '' }));
  }

  /**
   * Creates the customers (with their contact and an audit entry each) of the next `limit` rows to
   * create after row `after`, the rows nextToCreate gave, with their search texts (`searchTexts`, by
   * row number; a row without one gets it when the app next starts: CustomersService.rebuildKeys);
   * returns the customers created, in row order, and the last row number. Of the rows in `updatedLater` (rowsUpdatedLater), the
   * customer each became is written beside it. Each customer is inserted with its search tokens, its
   * contact's included, and the statement says so (kehu.search_tokens_given): the database skips
   * computing the new contacts' tokens again (StoreCustomerSearchTokens migration).
   */
  async createNext(
    m: EntityManager,
    importId: string,
    after: number,
    limit: number,
    searchTexts: { rowNos: number[]; texts: string[] },
    updatedLater: number[],
    actor: { id: number; email: string },
  ): Promise<{ ids: number[]; last: number }> {
    const [result] = await m.query<{ ids: number[] | null; last: number | null }[]>(
      `WITH src AS MATERIALIZED (
         SELECT nextval('customer_id_seq')::int AS id, row_no, v, search_text FROM (
           SELECT next.row_no, next.v, coalesce(k.search_text, '') AS search_text FROM (
             SELECT row_no, "values" AS v FROM customer_import_row
              WHERE import_id = $1 AND action = 'create' AND row_no > $2 ORDER BY row_no LIMIT $3) AS next
             LEFT JOIN unnest($6::int[], $7::text[]) AS k(row_no, search_text) USING (row_no)
            ORDER BY next.row_no) AS keyed),
       customers AS (
         INSERT INTO customer (id, kind, name, name_key, search_text, search_tokens, uscc, industry, size, province, city, district, address,
                               website, tier, vip, credit_level, source, status, owner_id, owned_since, tags, birthday, notes, version)
         SELECT id, coalesce(v->>'kind', 'company'), v->>'name', v->>'nameKey', search_text,
                array_to_tsvector(customer_name_tokens(search_text) || CASE WHEN ${HAS_CONTACT} THEN
                  contact_search_tokens(coalesce(v->>'contactName', v->>'name'), v->>'contactMobile', v->>'contactPhone', v->>'contactEmail')
                  ELSE '{}' END),
                v->>'uscc', v->>'industry',
                v->>'size', v->>'province', v->>'city', v->>'district', v->>'address', v->>'website', coalesce(v->>'tier', 'C'),
                coalesce((v->>'vip')::boolean, false), v->>'creditLevel', v->>'source', coalesce(v->>'status', 'lead'),
                (v->>'ownerId')::int, CASE WHEN v->>'ownerId' IS NOT NULL THEN now() END,
                ARRAY(SELECT btrim(t) FROM regexp_split_to_table(coalesce(v->>'tags', ''), '[,，;；]') AS t WHERE btrim(t) <> ''),
                CASE WHEN v->>'kind' = 'person' THEN (v->>'birthday')::date END, v->>'notes', 1
           FROM src),
       made AS (
         UPDATE customer_import_row r SET customer_id = src.id FROM src
          WHERE r.import_id = $1 AND r.row_no = src.row_no AND src.row_no = ANY($8::int[])),
       contacts AS (
         INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, "primary", version)
         SELECT id, coalesce(v->>'contactName', v->>'name'), v->>'contactTitle', v->>'contactMobile', v->>'contactPhone',
                v->>'contactEmail', v->>'contactWechat', true, 1
           FROM src
          WHERE ${HAS_CONTACT}),
       audit AS (
         INSERT INTO audit_entry (actor_id, actor_email, action, entity, entity_id, diff)
         SELECT $4, $5, 'create', 'customer', id::text, '{"import": {"to": "spreadsheet"}}'::jsonb FROM src),
       given AS (SELECT set_config('kehu.search_tokens_given', 'on', true) AS given)
       SELECT array_agg(id ORDER BY row_no) AS ids, max(row_no) AS last FROM src, given`,
      [importId, after, limit, actor.id, actor.email, searchTexts.rowNos, searchTexts.texts, updatedLater],
    );
    return { ids: result.ids ?? [], last: result.last ?? after };
  }

  /**
   * Fills existing customers from the rows to update (empty cells change nothing; a USCC another
   * customer holds stays where it is) and audits each change; a customer the row would leave as it is
   * is not written at all (no new version, no audit entry), so re-importing an export changes nothing.
   * Adds each row's contact unless the customer has it already: a contact with the same mobile,
   * e-mail or name. Returns the customers that changed (their fields, or a contact added).
   */
  async updateAll(
    m: EntityManager,
    importId: string,
    actor: { id: number; email: string },
  ): Promise<number[]> {
    const fill = (field: string, column: string) =>
      field === 'uscc'
        ? `CASE WHEN EXISTS (SELECT 1 FROM customer o WHERE o.uscc = src.v->>'uscc' AND o.id <> c.id AND o.deleted_at IS NULL)
                THEN c.uscc ELSE coalesce(src.v->>'uscc', c.uscc) END`
        : `coalesce(src.v->>'${field}', c.${column})`;
    const sets = UPDATE_COLUMNS.map(([field, column]) => `${column} = ${fill(field, column)}`).join(', ');
    const differs = UPDATE_COLUMNS.map(
      ([field, column]) => `${fill(field, column)} IS DISTINCT FROM c.${column}`,
    ).join(' OR ');
    const fields = UPDATE_COLUMNS.map(([field, column]) => `('${field}', '${column}')`).join(', ');
    const touched = await m.query<{ id: number }[]>(
      `WITH src AS (
         SELECT duplicate_of AS id, "values" AS v FROM customer_import_row WHERE import_id = $1 AND action = 'update'),
       before AS (
         SELECT c.id, to_jsonb(c) AS old FROM customer c JOIN src ON src.id = c.id),
       changed AS (
         UPDATE customer c SET ${sets}, version = c.version + 1, updated_at = now()
           FROM src WHERE c.id = src.id AND (${differs})
         RETURNING c.id, src.v),
       contacts AS (
         INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, version)
         SELECT src.id, coalesce(v->>'contactName', v->>'name'), v->>'contactTitle', v->>'contactMobile', v->>'contactPhone',
                v->>'contactEmail', v->>'contactWechat', 1
           FROM src
          WHERE coalesce(v->>'contactName', v->>'contactMobile', v->>'contactPhone', v->>'contactEmail', v->>'contactWechat') IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM contact ct WHERE ct.customer_id = src.id AND ct.deleted_at IS NULL
                               AND (ct.mobile = v->>'contactMobile' OR lower(ct.email) = v->>'contactEmail'
                                    OR ct.name = coalesce(v->>'contactName', v->>'name')))
         RETURNING customer_id AS id),
       audit AS (
         INSERT INTO audit_entry (actor_id, actor_email, action, entity, entity_id, diff)
         SELECT $2, $3, 'update', 'customer', ch.id::text,
                (SELECT coalesce(jsonb_object_agg(f.field, jsonb_build_object('from', b.old->>f.col, 'to', ch.v->>f.field)), '{}')
                   FROM (VALUES ${fields}) AS f(field, col)
                  WHERE ch.v->>f.field IS NOT NULL AND ch.v->>f.field IS DISTINCT FROM b.old->>f.col
                    AND (f.field <> 'uscc' OR NOT EXISTS (SELECT 1 FROM customer o WHERE o.uscc = ch.v->>'uscc' AND o.id <> ch.id AND o.deleted_at IS NULL)))
           FROM changed ch JOIN before b ON b.id = ch.id)
       SELECT id FROM changed UNION SELECT id FROM contacts ORDER BY id`,
      [importId, actor.id, actor.email],
    );
    return touched.map((r) => r.id);
  }

  /** How many rows the run leaves out (errors and skipped rows), in its transaction. */
  async countLeftOut(m: EntityManager, importId: string): Promise<number> {
    const [{ skipped }] = await m.query<{ skipped: number }[]>(
      `SELECT count(*)::int AS skipped FROM customer_import_row WHERE import_id = $1 AND action IN ('skip', 'error')`,
      [importId],
    );
    return skipped;
  }

  /** Rows to show in the preview: those with errors, then the duplicates, at most `limit` each, in row order. */
  async previewRows(
    importId: string,
    limit: number,
  ): Promise<{ errors: PreviewRow[]; duplicates: PreviewRow[] }> {
    const repo = this.dataSource.getRepository(CustomerImportRow);
    const [errors, duplicates] = await Promise.all([
      repo.find({ where: { importId, action: 'error' }, order: { rowNo: 'ASC' }, take: limit }),
      repo
        .createQueryBuilder('r')
        .where('r.import_id = :importId AND r.duplicate_of IS NOT NULL AND r.action <> :error', {
          importId,
          error: 'error',
        })
        .orderBy('r.row_no')
        .limit(limit)
        .getMany(),
    ]);
    return { errors, duplicates };
  }

  /** The first `limit` rows the run will create, in row order, for the preview. */
  firstToCreate(importId: string, limit: number): Promise<PreviewRow[]> {
    return this.dataSource.getRepository(CustomerImportRow).find({
      where: { importId, action: 'create' },
      order: { rowNo: 'ASC' },
      take: limit,
    });
  }

  /**
   * The first `limit` rows that match an existing customer the user may update, each with that
   * customer's fields (by column name), so the preview can say what an update would change.
   */
  async firstToUpdate(importId: string, limit: number): Promise<UpdatePreviewRow[]> {
    const rows = await this.dataSource.query<
      { row_no: number; values: RowValues; customer: Record<string, unknown> }[]
    >(
      `SELECT r.row_no, r."values", to_jsonb(c) - 'search_text' AS customer
         FROM customer_import_row r JOIN customer c ON c.id = r.duplicate_of
        WHERE r.import_id = $1 AND r.duplicate_of > 0 AND r.duplicate_editable AND r.action <> 'error'
        ORDER BY r.row_no LIMIT $2`,
      [importId, limit],
    );
    return rows.map((r) => ({ rowNo: r.row_no, values: r.values, customer: r.customer }));
  }

  /**
   * What a large import leaves for autovacuum, done at once. The search and trigram indexes' pending
   * lists move into the indexes proper: until then every search and similar-name lookup reads the whole
   * pending list (a lookup that takes 2 ms takes 200 ms). The planner's statistics are refreshed: until
   * then it plans for the tables as they were (the list's count over 100,000 new customers took 10 ms,
   * not 0.2). Autovacuum would do both, but a minute or more later.
   */
  async settleAfterImport(): Promise<void> {
    await this.dataSource.query(
      `SELECT gin_clean_pending_list('ix_customer_search'), gin_clean_pending_list('ix_customer_name_key_trgm')`,
    );
    await this.dataSource.query('ANALYZE customer, contact');
  }

  /** Rows that were not imported (errors and skipped rows), in row order, a page at a time. */
  async *rejectedRows(importId: string): AsyncGenerator<RejectedRow> {
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

  /**
   * Erasing a person: masks what matches `jsonPattern` (a regular expression over the rows' JSON
   * text) in the imported rows still kept with their imports.
   */
  async maskRows(m: EntityManager, jsonPattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE customer_import_row SET "values" = regexp_replace("values"::text, $1, $2, 'gi')::jsonb,
         duplicate_name = regexp_replace(duplicate_name, $1, $2, 'gi')
       WHERE "values"::text ~* $1 OR duplicate_name ~* $1`,
      [jsonPattern, mask],
    )) as [unknown, number];
    return count;
  }
}
