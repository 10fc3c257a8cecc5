import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { RecordScope } from '../../auth/record-scope.js';
import type { SessionUser } from '../../auth/session-user.js';
import { JobsService } from '../../automation/jobs.service.js';
import { DomainError, NotFound, ValidationFailed } from '../../common/errors.js';
import { translate } from '../../i18n/i18n.js';
import { UsersService } from '../../users/users.service.js';
import { duplicateKey, searchText } from '../customer-keys.js';
import { readCsvRows } from './csv-reader.js';
import { CustomerImport, CustomerImportRow } from './customer-import.entity.js';
import { guessMapping, IMPORT_FIELDS, readRow, type Cell, type RowValues } from './import-rules.js';
import { readXlsxRows } from './xlsx-reader.js';

const CHECK_JOB = 'customers.import-check';
const RUN_JOB = 'customers.import-run';
const BATCH = 1000;
const CHOICES: string[] = ['create', 'update', 'skip'];

export class NotASpreadsheet extends DomainError {
  constructor() {
    super(422, 'import.not_a_spreadsheet');
  }
}

type Action = CustomerImportRow['action'];
type CheckedRow = { rowNo: number; cells: Cell[]; values: RowValues; errors: Record<string, string> };
interface ImportedFile {
  originalname: string;
  path: string;
  size: number;
}

/** Rows of an uploaded file, whichever its format. */
async function* rowsOf(format: 'csv' | 'xlsx', path: string): AsyncGenerator<{ row: number; cells: Cell[] }> {
  yield* format === 'csv' ? readCsvRows(path) : readXlsxRows(path);
}

/**
 * Importing customers from a spreadsheet in steps a user can follow and correct: upload (the columns
 * are matched to fields), check (a background job reads every row and finds errors and duplicates),
 * preview (the user decides per duplicate), and run: one transaction, so the import is stored whole
 * or not at all, even if the server stops half-way.
 */
@Injectable()
export class CustomerImportService implements OnModuleInit {
  private readonly logger = new Logger(CustomerImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(CHECK_JOB, (data) => this.check(String(data.id)));
    this.jobs.register(RUN_JOB, (data) => this.execute(String(data.id)));
    this.jobs.register('customers.import-cleanup', () => this.cleanUp(), { cron: '40 3 * * *' });
  }

  /** Imports are kept a week (for their rejected rows); then their files and rows go. */
  async cleanUp(): Promise<void> {
    const old = await this.dataSource.query<{ id: string; file_path: string }[]>(
      `SELECT id, file_path FROM customer_import WHERE created_at < now() - interval '7 days' AND status NOT IN ('checking', 'importing')`,
    );
    for (const { id, file_path } of old) {
      await rm(file_path, { force: true });
      await this.dataSource.query('DELETE FROM customer_import WHERE id = $1', [id]);
    }
  }

  /** Takes an uploaded file, reads its header row and proposes which column fills which field. */
  async upload(user: SessionUser, file: ImportedFile | undefined): Promise<string> {
    if (!RecordScope.canCreateCustomer(user)) throw new NotAllowedToImport();
    if (!file || file.size === 0) throw ValidationFailed.field('file', 'import.empty');
    const format = /\.xlsx$/i.test(file.originalname)
      ? 'xlsx'
      : /\.(csv|txt)$/i.test(file.originalname)
        ? 'csv'
        : null;
    if (!format) {
      await rm(file.path, { force: true });
      throw new NotASpreadsheet();
    }
    let headers: string[] = [];
    try {
      for await (const { cells } of rowsOf(format, file.path)) {
        headers = cells.map((c) => (c === null ? '' : String(c).trim()));
        break;
      }
    } catch (e) {
      this.logger.warn(
        `import of ${file.originalname} refused: ${e instanceof Error ? e.message : String(e)}`,
      );
      await rm(file.path, { force: true });
      throw new NotASpreadsheet();
    }
    if (!headers.some(Boolean)) {
      await rm(file.path, { force: true });
      throw ValidationFailed.field('file', 'import.empty');
    }
    const { identifiers } = await this.dataSource.getRepository(CustomerImport).insert({
      userId: user.id,
      fileName: file.originalname,
      filePath: file.path,
      format,
      headers,
      mapping: guessMapping(headers),
    });
    return identifiers[0].id as string;
  }

  async get(user: SessionUser, id: string): Promise<CustomerImport> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new NotFound();
    const found = await this.dataSource.getRepository(CustomerImport).findOneBy({ id, userId: user.id });
    if (!found) throw new NotFound();
    return found;
  }

  listMine(user: SessionUser): Promise<CustomerImport[]> {
    return this.dataSource
      .getRepository(CustomerImport)
      .find({ where: { userId: user.id }, order: { createdAt: 'DESC' }, take: 10 });
  }

  /** Rows to show in the preview: those with errors, then the duplicates, at most `limit` each. */
  async previewRows(
    importId: string,
    limit = 100,
  ): Promise<{
    errors: CustomerImportRow[];
    duplicates: (CustomerImportRow & { sameAsRow: number | null })[];
  }> {
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
    // An earlier row of the same file is kept as its negated row number.
    const sameAsRow = (d: CustomerImportRow) =>
      d.duplicateOf !== null && d.duplicateOf < 0 ? -d.duplicateOf : null;
    return { errors, duplicates: duplicates.map((d) => Object.assign(d, { sameAsRow: sameAsRow(d) })) };
  }

  /** The user's column choices; the check then runs in the background. */
  async setMapping(user: SessionUser, id: string, mapping: Record<string, string> | string[]): Promise<void> {
    const job = await this.get(user, id);
    if (job.status !== 'mapping' && job.status !== 'checked') throw new ImportBusy();
    const chosen = (i: number) => String((mapping as Record<string, string>)[i] ?? '');
    const cleaned = job.headers.map((_, i) => (IMPORT_FIELDS.includes(chosen(i)) ? chosen(i) : ''));
    const used = cleaned.filter(Boolean);
    if (new Set(used).size !== used.length) throw ValidationFailed.field('mapping', 'import.field_twice');
    if (!used.includes('name')) throw ValidationFailed.field('mapping', 'import.name_needed');
    const [, changed] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE customer_import SET mapping = $2, status = 'checking', progress = 0 WHERE id = $1 AND status IN ('mapping', 'checked')`,
      [id, JSON.stringify(cleaned)],
    );
    if (changed !== 1) throw new ImportBusy();
    await this.jobs.send(CHECK_JOB, { id });
  }

  /** The check step, as the background job runs it. */
  async check(id: string): Promise<void> {
    await this.alone(`import-check:${id}`, () => this.checkRows(id));
  }

  /**
   * Runs `work` unless another run with the same key is under way on any instance (a job retried
   * while the first attempt still runs): a session advisory lock, held on a connection of its own.
   */
  private async alone(key: string, work: () => Promise<void>): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as {
        locked: boolean;
      }[];
      if (!rows[0].locked) return;
      try {
        await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Reads every row: checks it with the form's rules, finds duplicates inside the file and among
   * existing customers (whoever owns them), and stores the outcome for the preview.
   */
  private async checkRows(id: string): Promise<void> {
    const job = await this.dataSource.getRepository(CustomerImport).findOneByOrFail({ id });
    if (job.status !== 'checking') return;
    const user = await this.users.findForSession(job.userId);
    if (!user) return this.fail(id, new Error('the user who started the import is no longer active'));
    await this.dataSource.getRepository(CustomerImportRow).delete({ importId: id });
    const owners = await this.ownersFor(user);
    const seen = new Map<string, number>();
    const counts = { ok: 0, errors: 0, duplicates: 0 };
    let batch: CheckedRow[] = [];
    let total = 0;
    let header = true;
    try {
      for await (const { row, cells } of rowsOf(job.format, job.filePath)) {
        if (header) {
          header = false;
          continue;
        }
        if (cells.every((c) => c === null || String(c).trim() === '')) continue;
        batch.push({ rowNo: row, cells, ...this.withOwner(readRow(cells, job.mapping), owners, user) });
        if (batch.length === BATCH) {
          total += await this.checkBatch(user, id, batch, seen, counts);
          batch = [];
          await this.dataSource.query('UPDATE customer_import SET progress = $2 WHERE id = $1', [id, total]);
        }
      }
      total += await this.checkBatch(user, id, batch, seen, counts);
      await this.dataSource.query(
        `UPDATE customer_import SET status = 'checked', progress = $2, total = $2, counts = $3 WHERE id = $1 AND status = 'checking'`,
        [id, total, counts],
      );
    } catch (e) {
      await this.fail(id, e);
    }
  }

  /**
   * Who the row's customer will belong to: a rep's import is theirs; a manager or admin names the
   * owner (by e-mail or name) among those they may assign, or leaves it to the pool.
   */
  private withOwner(
    row: { values: RowValues; errors: Record<string, string> },
    owners: Map<string, number>,
    user: SessionUser,
  ) {
    const named = typeof row.values.owner === 'string' ? row.values.owner.toLowerCase() : '';
    let ownerId: number | null = user.role === 'sales' ? user.id : null;
    if (user.role !== 'sales' && named) {
      const found = owners.get(named);
      if (found === undefined) row.errors.owner = 'import.unknown_owner';
      else ownerId = found;
    }
    return {
      values: { ...row.values, ownerId: ownerId === null ? null : String(ownerId) },
      errors: row.errors,
    };
  }

  /** Owners a manager or admin may give customers to, by lower-case e-mail and name (a shared name is left out). */
  private async ownersFor(user: SessionUser): Promise<Map<string, number>> {
    const users = await this.users.assignableOwners(user.role === 'admin' ? null : user.teamIds, null);
    const emails = await this.dataSource.query<{ id: number; email: string }[]>(
      'SELECT id, email FROM app_user WHERE id = ANY($1)',
      [users.map((u) => u.id)],
    );
    const map = new Map<string, number>();
    const names = new Map<string, number>();
    for (const u of users) names.set(u.name.toLowerCase(), names.has(u.name.toLowerCase()) ? -1 : u.id);
    for (const [name, id] of names) if (id > 0) map.set(name, id);
    for (const e of emails) map.set(e.email.toLowerCase(), e.id);
    return map;
  }

  private async checkBatch(
    user: SessionUser,
    importId: string,
    rows: CheckedRow[],
    seen: Map<string, number>,
    counts: { ok: number; errors: number; duplicates: number },
  ): Promise<number> {
    if (!rows.length) return 0;
    const text = (v: RowValues[string] | undefined) => (typeof v === 'string' ? v : '');
    const keys = rows.map((r) => ({
      nameKey: r.values.name ? duplicateKey(String(r.values.name)) : '',
      uscc: text(r.values.uscc),
      mobile: text(r.values.contactMobile),
      phone: text(r.values.contactPhone),
      email: text(r.values.contactEmail),
    }));
    // The form's duplicate rules, for a whole batch: the same or a similar name, the same USCC, a
    // contact with the same mobile, phone or e-mail. One indexed lookup per rule (`= ANY` lets the
    // planner use the index rather than join every contact), joined by UNION. Similar names, the
    // costly lookup, are searched for reps' imports, where they decide 撞单; a manager's or admin's
    // import is checked on the exact keys.
    const similarNames = user.role === 'sales';
    const matches = await this.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL pg_trgm.similarity_threshold = 0.6');
      return m.query<
        {
          i: number;
          id: number;
          name: string;
          uscc: string | null;
          owner_id: number | null;
          owner_name: string | null;
          owner_team: number | null;
        }[]
      >(
        `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS k(name_key, uscc, mobile, phone, email, i)),
       hits AS (
         SELECT k.i, c.id FROM k JOIN customer c ON c.name_key = k.name_key AND c.deleted_at IS NULL WHERE k.name_key <> '' AND c.name_key = ANY($1)
         UNION SELECT k.i, s.id FROM k CROSS JOIN LATERAL (
                 SELECT id FROM customer c WHERE c.deleted_at IS NULL AND c.name_key % k.name_key AND similarity(c.name_key, k.name_key) >= 0.6 LIMIT 5) s
               WHERE char_length(k.name_key) >= 3 AND $6
         UNION SELECT k.i, c.id FROM k JOIN customer c ON c.uscc = k.uscc AND c.deleted_at IS NULL WHERE k.uscc <> '' AND c.uscc = ANY($2)
         UNION SELECT k.i, ct.customer_id FROM k JOIN contact ct ON ct.mobile = k.mobile AND ct.deleted_at IS NULL WHERE k.mobile <> '' AND ct.mobile = ANY($3)
         UNION SELECT k.i, ct.customer_id FROM k JOIN contact ct ON ct.phone = k.phone AND ct.deleted_at IS NULL WHERE k.phone <> '' AND ct.phone = ANY($4)
         UNION SELECT k.i, ct.customer_id FROM k JOIN contact ct ON lower(ct.email) = k.email AND ct.deleted_at IS NULL WHERE k.email <> '' AND lower(ct.email) = ANY($5))
       SELECT h.i::int AS i, c.id, c.name, c.uscc, c.owner_id, u.name AS owner_name, u.team_id AS owner_team
         FROM hits h JOIN customer c ON c.id = h.id AND c.deleted_at IS NULL LEFT JOIN app_user u ON u.id = c.owner_id`,
        [
          keys.map((k) => k.nameKey),
          keys.map((k) => k.uscc),
          keys.map((k) => k.mobile),
          keys.map((k) => k.phone),
          keys.map((k) => k.email),
          similarNames,
        ],
      );
    });

    const byRow = new Map<number, typeof matches>();
    for (const mt of matches) byRow.set(mt.i - 1, [...(byRow.get(mt.i - 1) ?? []), mt]);
    const out = rows.map((r, i) => {
      const k = keys[i];
      const probes = [
        k.nameKey && `n:${k.nameKey}`,
        k.uscc && `u:${k.uscc}`,
        k.mobile && `m:${k.mobile}`,
      ].filter((p): p is string => !!p);
      const inFile = probes.map((p) => seen.get(p)).find((n) => n !== undefined);
      // A code already given to an earlier row cannot be given again.
      if (k.uscc && seen.has(`u:${k.uscc}`)) r.errors.uscc ??= 'import.uscc_repeated';
      const inDb = (byRow.get(i) ?? []).map((c) => ({
        ...c,
        editable: RecordScope.canEditCustomer(
          user,
          c.owner_id === null ? null : { id: c.owner_id, teamId: c.owner_team },
        ),
      }));
      // Shown: a match the user may not change, if there is one (that is the one that decides).
      const shown = inDb.find((c) => !c.editable) ?? inDb[0];
      let action: Action = 'create';
      let duplicate: { of: number; name: string | null; owner: string | null; editable: boolean } | null =
        null;
      if (Object.keys(r.errors).length) action = 'error';
      else if (shown) {
        duplicate = {
          of: shown.id,
          name: shown.name,
          owner: shown.owner_name,
          editable: inDb.every((c) => c.editable),
        };
        action = 'skip';
      } else if (inFile !== undefined) {
        duplicate = { of: -inFile, name: null, owner: null, editable: false };
        action = 'skip';
      }
      // Only rows that may be imported stand for their keys; a row with errors hides nothing after it.
      if (action !== 'error') for (const p of probes) if (!seen.has(p)) seen.set(p, r.rowNo);
      if (action === 'error') counts.errors++;
      else if (duplicate) counts.duplicates++;
      else counts.ok++;
      return { rowNo: r.rowNo, cells: r.cells, values: r.values, errors: r.errors, duplicate, action };
    });
    await this.dataSource.query(
      `INSERT INTO customer_import_row (import_id, row_no, cells, "values", errors, duplicate_of, duplicate_name, duplicate_owner, duplicate_editable, action)
       SELECT $1, * FROM unnest($2::int[], $3::jsonb[], $4::jsonb[], $5::jsonb[], $6::int[], $7::text[], $8::text[], $9::bool[], $10::text[])`,
      [
        importId,
        out.map((o) => o.rowNo),
        out.map((o) => JSON.stringify(o.cells)),
        out.map((o) => JSON.stringify(o.values)),
        out.map((o) => JSON.stringify(o.errors)),
        out.map((o) => o.duplicate?.of ?? null),
        out.map((o) => o.duplicate?.name ?? null),
        out.map((o) => o.duplicate?.owner ?? null),
        out.map((o) => o.duplicate?.editable ?? false),
        out.map((o) => o.action),
      ],
    );
    return rows.length;
  }

  /**
   * The user's decisions: `duplicates` for every duplicate row (skip, update or create), and per-row
   * choices that override it. A rep cannot create a second copy of, or update, another rep's customer.
   */
  async start(
    user: SessionUser,
    id: string,
    duplicates: Action,
    perRow: Record<number, Action>,
  ): Promise<void> {
    await this.get(user, id);
    await this.dataSource.transaction(async (m) => {
      // Only a checked import starts, once: two clicks, or a click racing a new mapping, start nothing twice.
      // (TypeORM answers an UPDATE with [rows, count].)
      const [, claimed] = await m.query<[unknown[], number]>(
        `UPDATE customer_import SET status = 'importing', progress = 0 WHERE id = $1 AND status = 'checked'`,
        [id],
      );
      if (claimed !== 1) throw new ImportBusy();
      await m.query(
        `UPDATE customer_import_row SET action = $2 WHERE import_id = $1 AND duplicate_of IS NOT NULL AND action <> 'error'`,
        [id, duplicates],
      );
      for (const [rowNo, action] of Object.entries(perRow).filter(([, a]) => CHOICES.includes(a))) {
        await m.query(
          `UPDATE customer_import_row SET action = $3 WHERE import_id = $1 AND row_no = $2 AND action <> 'error'`,
          [id, Number(rowNo), action],
        );
      }
      // What the user may not do falls back to skipping: updating a customer they cannot edit, or,
      // for a rep, creating a second copy of another rep's customer.
      await m.query(
        `UPDATE customer_import_row SET action = 'skip' WHERE import_id = $1 AND action = 'update' AND (NOT duplicate_editable OR duplicate_of < 0)`,
        [id],
      );
      if (user.role === 'sales') {
        await m.query(
          `UPDATE customer_import_row SET action = 'skip' WHERE import_id = $1 AND action = 'create' AND duplicate_of > 0 AND NOT duplicate_editable`,
          [id],
        );
      }
      // A second customer cannot take a code a live customer already has.
      await m.query(
        `UPDATE customer_import_row r SET action = 'skip' WHERE r.import_id = $1 AND r.action = 'create' AND r.duplicate_of > 0
            AND EXISTS (SELECT 1 FROM customer c WHERE c.uscc = r."values"->>'uscc' AND c.deleted_at IS NULL)`,
        [id],
      );
    });
    await this.jobs.send(RUN_JOB, { id });
  }

  /** Writes the import in one transaction; on any failure nothing of it is kept. */
  async execute(id: string): Promise<void> {
    await this.alone(`import-run:${id}`, () => this.writeRows(id));
  }

  private async writeRows(id: string): Promise<void> {
    const job = await this.dataSource.getRepository(CustomerImport).findOneByOrFail({ id });
    const user = await this.users.findForSession(job.userId);
    if (!user || job.status !== 'importing') return;
    try {
      const counts = await this.dataSource.transaction(async (m) => {
        let created = 0;
        let updated = 0;
        for (let after = 0; ;) {
          const rows = await m.query<
            { row_no: number; values: RowValues; action: Action; duplicate_of: number | null }[]
          >(
            `SELECT row_no, "values", action, duplicate_of FROM customer_import_row
              WHERE import_id = $1 AND row_no > $2 AND action IN ('create', 'update') ORDER BY row_no LIMIT $3`,
            [id, after, BATCH],
          );
          if (!rows.length) break;
          created += await this.createCustomers(
            m,
            user,
            rows.filter((r) => r.action === 'create').map((r) => r.values),
          );
          for (const r of rows.filter((x) => x.action === 'update'))
            updated += await this.updateCustomer(m, user, r.duplicate_of!, r.values);
          after = rows[rows.length - 1].row_no;
          // Progress is written outside the transaction, so the page can show it.
          await this.dataSource.query('UPDATE customer_import SET progress = progress + $2 WHERE id = $1', [
            id,
            rows.length,
          ]);
        }
        const skipped = await m.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM customer_import_row WHERE import_id = $1 AND action IN ('skip', 'error')`,
          [id],
        );
        // Updates refused at run time (the customer changed hands or went since the check) count as skipped.
        const [{ n: updates }] = await m.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM customer_import_row WHERE import_id = $1 AND action = 'update'`,
          [id],
        );
        const result = { ...job.counts, created, updated, skipped: skipped[0].n + updates - updated };
        await this.audit.record(
          {
            action: 'import',
            entity: 'customer',
            entityId: id,
            actor: user,
            diff: { file: { to: job.fileName }, created: { to: created }, updated: { to: updated } },
          },
          m,
        );
        await m.query(`UPDATE customer_import SET status = 'done', counts = $2 WHERE id = $1`, [id, result]);
        return result;
      });
      this.logger.log(`import ${id}: ${counts.created} created, ${counts.updated} updated`);
      await rm(job.filePath, { force: true });
    } catch (e) {
      await this.fail(id, e);
    }
  }

  private async createCustomers(m: EntityManager, user: SessionUser, rows: RowValues[]): Promise<number> {
    if (!rows.length) return 0;
    const text = (v: RowValues[string] | undefined) => (typeof v === 'string' ? v : null);
    // The owner was settled by the check (withOwner): the rep, a named owner, or the pool.
    const ownerOf = (r: RowValues) => (typeof r.ownerId === 'string' ? Number(r.ownerId) : null);
    const ids = await m.query<{ id: number }[]>(
      `SELECT nextval('customer_id_seq')::int AS id FROM generate_series(1, $1)`,
      [rows.length],
    );
    const col = (f: (r: RowValues, i: number) => unknown) => rows.map(f);
    await m.query(
      `INSERT INTO customer (id, kind, name, name_key, search_text, uscc, industry, size, province, city, district, address, website, tier, vip,
                             credit_level, source, status, owner_id, owned_since, tags, birthday, version)
       SELECT id, kind, name, name_key, search_text, uscc, industry, size, province, city, district, address, website, tier, vip,
              credit_level, source, status, owner_id, CASE WHEN owner_id IS NULL THEN NULL ELSE now() END, tags::text[], birthday::date, 1
         FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::text[], $14::text[], $15::bool[], $16::text[], $17::text[], $18::text[], $19::int[], $20::text[], $21::text[])
           AS t(id, kind, name, name_key, search_text, uscc, industry, size, province, city, district, address, website, tier, vip,
                credit_level, source, status, owner_id, tags, birthday)`,
      [
        ids.map((x) => x.id),
        col((r) => text(r.kind) ?? 'company'),
        col((r) => r.name),
        col((r) => duplicateKey(String(r.name))),
        col((r) => searchText(String(r.name))),
        col((r) => text(r.uscc)),
        col((r) => text(r.industry)),
        col((r) => text(r.size)),
        col((r) => text(r.province)),
        col((r) => text(r.city)),
        col((r) => text(r.district)),
        col((r) => text(r.address)),
        col((r) => text(r.website)),
        col((r) => text(r.tier) ?? 'C'),
        col((r) => r.vip === true),
        col((r) => text(r.creditLevel)),
        col((r) => text(r.source)),
        col((r) => text(r.status) ?? 'lead'),
        col((r) => ownerOf(r)),
        col(
          (r) =>
            `{${String(r.tags ?? '')
              .split(/[,，;；]/)
              .map((t) => t.trim())
              .filter(Boolean)
              .map((t) => JSON.stringify(t))
              .join(',')}}`,
        ),
        col((r) => (r.kind === 'person' ? text(r.birthday) : null)),
      ],
    );
    const withContact = rows
      .map((r, i) => ({ r, id: ids[i].id }))
      .filter(
        ({ r }) => r.contactName || r.contactMobile || r.contactPhone || r.contactEmail || r.contactWechat,
      );
    if (withContact.length) {
      await m.query(
        `INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, "primary", version)
         SELECT *, true, 1 FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          withContact.map((w) => w.id),
          withContact.map((w) => text(w.r.contactName) ?? text(w.r.name)),
          withContact.map((w) => text(w.r.contactTitle)),
          withContact.map((w) => text(w.r.contactMobile)),
          withContact.map((w) => text(w.r.contactPhone)),
          withContact.map((w) => text(w.r.contactEmail)),
          withContact.map((w) => text(w.r.contactWechat)),
        ],
      );
    }
    // One audit entry per customer created, in one statement.
    await m.query(
      `INSERT INTO audit_entry (actor_id, actor_email, action, entity, entity_id, diff)
       SELECT $1, $2, 'create', 'customer', id::text, jsonb_build_object('import', jsonb_build_object('to', $3::text)) FROM unnest($4::int[]) AS id`,
      [user.id, user.email, 'spreadsheet', ids.map((x) => x.id)],
    );
    return rows.length;
  }

  /** Fills an existing customer's fields from a row (empty cells change nothing); adds its contact if new. */
  /**
   * Fills an existing customer's fields from a row (empty cells change nothing) and adds its contact if
   * new; 0 when, since the check, the customer was deleted or is no longer the user's to change.
   */
  private async updateCustomer(
    m: EntityManager,
    user: SessionUser,
    id: number,
    r: RowValues,
  ): Promise<number> {
    const [current] = await m.query<{ owner_id: number | null; team_id: number | null }[]>(
      `SELECT c.owner_id, u.team_id FROM customer c LEFT JOIN app_user u ON u.id = c.owner_id
        WHERE c.id = $1 AND c.deleted_at IS NULL FOR UPDATE OF c`,
      [id],
    );
    if (
      !current ||
      !RecordScope.canEditCustomer(
        user,
        current.owner_id === null ? null : { id: current.owner_id, teamId: current.team_id },
      )
    ) {
      return 0;
    }
    const fields: Record<string, unknown> = {};
    const columns: Record<string, string> = {
      kind: 'kind',
      uscc: 'uscc',
      industry: 'industry',
      size: 'size',
      province: 'province',
      city: 'city',
      district: 'district',
      address: 'address',
      website: 'website',
      tier: 'tier',
      creditLevel: 'credit_level',
      source: 'source',
      status: 'status',
    };
    for (const [field, column] of Object.entries(columns))
      if (typeof r[field] === 'string') fields[column] = r[field];
    // A code another live customer holds stays where it is.
    if (fields.uscc) {
      const taken = await m.query<unknown[]>(
        'SELECT 1 FROM customer WHERE uscc = $1 AND id <> $2 AND deleted_at IS NULL',
        [fields.uscc, id],
      );
      if (taken.length) delete fields.uscc;
    }
    const sets = Object.keys(fields).map((c, i) => `"${c}" = $${i + 2}`);
    if (sets.length)
      await m.query(
        `UPDATE customer SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, ...Object.values(fields)],
      );
    if (r.contactName || r.contactMobile || r.contactPhone || r.contactEmail || r.contactWechat) {
      await m.query(
        `INSERT INTO contact (customer_id, name, title, mobile, phone, email, wechat, version)
         SELECT $1, $2, $3, $4, $5, $6, $7, 1 WHERE NOT EXISTS (SELECT 1 FROM contact WHERE customer_id = $1 AND deleted_at IS NULL AND (mobile = $4 OR lower(email) = $6))`,
        [
          id,
          r.contactName ?? r.name,
          r.contactTitle ?? null,
          r.contactMobile ?? null,
          r.contactPhone ?? null,
          r.contactEmail ?? null,
          r.contactWechat ?? null,
        ],
      );
    }
    await this.audit.record(
      {
        action: 'update',
        entity: 'customer',
        entityId: id,
        actor: user,
        diff: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { to: v }])),
      },
      m,
    );
    return 1;
  }

  private async fail(id: string, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    this.logger.error(`import ${id} failed: ${message}`);
    await this.dataSource.query(`UPDATE customer_import SET status = 'failed', failure = $2 WHERE id = $1`, [
      id,
      message.slice(0, 500),
    ]);
  }

  /** The rows that were not imported (errors, and skipped duplicates) as XLSX, with a column saying why. */
  async writeRejected(user: SessionUser, id: string, out: Writable): Promise<void> {
    const job = await this.get(user, id);
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: false,
      useSharedStrings: false,
    });
    const sheet = book.addWorksheet(translate(user.locale, 'import.rejected_sheet'));
    sheet
      .addRow([translate(user.locale, 'import.row'), ...job.headers, translate(user.locale, 'import.why')])
      .commit();
    for (let after = 0; ;) {
      const rows = await this.dataSource.query<
        {
          row_no: number;
          cells: Cell[];
          errors: Record<string, string>;
          duplicate_name: string | null;
          duplicate_of: number | null;
        }[]
      >(
        `SELECT row_no, cells, errors, duplicate_name, duplicate_of FROM customer_import_row
          WHERE import_id = $1 AND row_no > $2 AND action IN ('error', 'skip') ORDER BY row_no LIMIT $3`,
        [id, after, BATCH],
      );
      if (!rows.length) break;
      for (const r of rows) {
        const why = Object.keys(r.errors).length
          ? Object.entries(r.errors)
              .map(([f, key]) => `${translate(user.locale, `sheet.${f}`)}: ${translate(user.locale, key)}`)
              .join('; ')
          : r.duplicate_of !== null && r.duplicate_of < 0
            ? translate(user.locale, 'import.same_as_row', { row: -r.duplicate_of })
            : translate(user.locale, 'import.duplicate_of', { name: r.duplicate_name ?? '' });
        sheet.addRow([r.row_no, ...job.headers.map((_, i) => r.cells[i] ?? ''), why]).commit();
      }
      after = rows[rows.length - 1].row_no;
    }
    await book.commit();
  }
}

export class NotAllowedToImport extends DomainError {
  constructor() {
    super(403, 'error.forbidden');
  }
}

export class ImportBusy extends DomainError {
  constructor() {
    super(409, 'import.busy');
  }
}
