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
    await this.dataSource
      .getRepository(CustomerImport)
      .update({ id }, { mapping: cleaned, status: 'checking', progress: 0 });
    await this.jobs.send(CHECK_JOB, { id });
  }

  /**
   * Reads every row: checks it with the form's rules, finds duplicates inside the file and among
   * existing customers (whoever owns them), and stores the outcome for the preview.
   */
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
      const locked = rows[0].locked;
      if (!locked) return;
      try {
        await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  private async checkRows(id: string): Promise<void> {
    const job = await this.dataSource.getRepository(CustomerImport).findOneByOrFail({ id });
    if (job.status !== 'checking') return;
    const user = await this.users.findForSession(job.userId);
    if (!user) return;
    await this.dataSource.getRepository(CustomerImportRow).delete({ importId: id });
    const seen = new Map<string, number>();
    const counts = { ok: 0, errors: 0, duplicates: 0 };
    let batch: { rowNo: number; cells: Cell[]; values: RowValues; errors: Record<string, string> }[] = [];
    let total = 0;
    let header = true;
    try {
      for await (const { row, cells } of rowsOf(job.format, job.filePath)) {
        if (header) {
          header = false;
          continue;
        }
        if (cells.every((c) => c === null || String(c).trim() === '')) continue;
        batch.push({ rowNo: row, cells, ...readRow(cells, job.mapping) });
        if (batch.length === BATCH) {
          total += await this.checkBatch(user, id, batch, seen, counts);
          batch = [];
          await this.dataSource.query('UPDATE customer_import SET progress = $2 WHERE id = $1', [id, total]);
        }
      }
      total += await this.checkBatch(user, id, batch, seen, counts);
      await this.dataSource
        .getRepository(CustomerImport)
        .update({ id }, { status: 'checked', progress: total, total, counts });
    } catch (e) {
      await this.fail(id, e);
    }
  }

  private async checkBatch(
    user: SessionUser,
    importId: string,
    rows: { rowNo: number; cells: Cell[]; values: RowValues; errors: Record<string, string> }[],
    seen: Map<string, number>,
    counts: { ok: number; errors: number; duplicates: number },
  ): Promise<number> {
    if (!rows.length) return 0;
    const keys = rows.map((r) => ({
      nameKey: r.values.name ? duplicateKey(String(r.values.name)) : '',
      uscc: r.values.uscc as string | null,
      mobile: r.values.contactMobile as string | null,
    }));
    const existing = await this.dataSource.query<
      {
        id: number;
        name: string;
        name_key: string;
        uscc: string | null;
        mobile: string | null;
        owner_id: number | null;
        owner_name: string | null;
        owner_team: number | null;
      }[]
    >(
      // One indexed lookup per key, joined by UNION (an OR across them would scan every customer).
      `WITH hits AS (
         SELECT id, NULL::text AS mobile FROM customer WHERE deleted_at IS NULL AND name_key = ANY($1)
         UNION SELECT id, NULL FROM customer WHERE deleted_at IS NULL AND uscc = ANY($2)
         UNION SELECT customer_id, mobile FROM contact WHERE deleted_at IS NULL AND mobile = ANY($3))
       SELECT c.id, c.name, c.name_key, c.uscc, h.mobile, c.owner_id, u.name AS owner_name, u.team_id AS owner_team
         FROM hits h JOIN customer c ON c.id = h.id AND c.deleted_at IS NULL LEFT JOIN app_user u ON u.id = c.owner_id`,
      [
        keys.map((k) => k.nameKey).filter(Boolean),
        keys.map((k) => k.uscc).filter(Boolean),
        keys.map((k) => k.mobile).filter(Boolean),
      ],
    );
    const byKey = new Map<string, (typeof existing)[number]>();
    for (const c of existing) {
      byKey.set(`n:${c.name_key}`, c);
      if (c.uscc) byKey.set(`u:${c.uscc}`, c);
      if (c.mobile) byKey.set(`m:${c.mobile}`, c);
    }
    const out = rows.map((r, i) => {
      const k = keys[i];
      const probes = [
        k.nameKey && `n:${k.nameKey}`,
        k.uscc && `u:${k.uscc}`,
        k.mobile && `m:${k.mobile}`,
      ].filter((p): p is string => !!p);
      const inFile = probes.map((p) => seen.get(p)).find((n) => n !== undefined);
      const inDb = probes.map((p) => byKey.get(p)).find(Boolean);
      for (const p of probes) if (!seen.has(p)) seen.set(p, r.rowNo);
      let action: Action = 'create';
      let duplicate: { of: number; name: string | null; owner: string | null; editable: boolean } | null =
        null;
      if (Object.keys(r.errors).length) action = 'error';
      else if (inDb) {
        const owner = inDb.owner_id === null ? null : { id: inDb.owner_id, teamId: inDb.owner_team };
        duplicate = {
          of: inDb.id,
          name: inDb.name,
          owner: inDb.owner_name,
          editable: RecordScope.canEditCustomer(user, owner),
        };
        action = 'skip';
      } else if (inFile !== undefined) {
        duplicate = { of: -inFile, name: null, owner: null, editable: false };
        action = 'skip';
      }
      if (action === 'error') counts.errors++;
      else if (duplicate) counts.duplicates++;
      else counts.ok++;
      return {
        importId,
        rowNo: r.rowNo,
        cells: r.cells,
        values: r.values,
        errors: r.errors,
        duplicateOf: duplicate?.of ?? null,
        duplicateName: duplicate?.name ?? null,
        duplicateOwner: duplicate?.owner ?? null,
        duplicateEditable: duplicate?.editable ?? false,
        action,
      };
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
        out.map((o) => o.duplicateOf),
        out.map((o) => o.duplicateName),
        out.map((o) => o.duplicateOwner),
        out.map((o) => o.duplicateEditable),
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
    const job = await this.get(user, id);
    if (job.status !== 'checked') throw new ImportBusy();
    await this.dataSource.transaction(async (m) => {
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
      await m.query(`UPDATE customer_import SET status = 'importing', progress = 0 WHERE id = $1`, [id]);
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
        const owners = await this.ownerIds(m);
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
            owners,
          );
          for (const r of rows.filter((x) => x.action === 'update'))
            updated += await this.updateCustomer(m, r.duplicate_of!, r.values);
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
        const result = { ...job.counts, created, updated, skipped: skipped[0].n };
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

  /** Active users who may own customers, by e-mail and by name, for the owner column. */
  private async ownerIds(m: EntityManager): Promise<Map<string, number>> {
    const users = await m.query<{ id: number; email: string; name: string }[]>(
      `SELECT id, email, name FROM app_user WHERE active AND role IN ('sales', 'manager')`,
    );
    const map = new Map<string, number>();
    for (const u of users) map.set(u.email.toLowerCase(), u.id).set(u.name.toLowerCase(), u.id);
    return map;
  }

  private async createCustomers(
    m: EntityManager,
    user: SessionUser,
    rows: RowValues[],
    owners: Map<string, number>,
  ): Promise<number> {
    if (!rows.length) return 0;
    const text = (v: RowValues[string] | undefined) => (typeof v === 'string' ? v : null);
    // A rep's import is theirs; a manager's or admin's goes to the named owner, if they may own it.
    const ownerOf = (r: RowValues) =>
      user.role === 'sales' ? user.id : (owners.get(String(r.owner ?? '').toLowerCase()) ?? null);
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
      .filter(({ r }) => r.contactName || r.contactMobile || r.contactEmail);
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
    return rows.length;
  }

  /** Fills an existing customer's fields from a row (empty cells change nothing); adds its contact if new. */
  private async updateCustomer(m: EntityManager, id: number, r: RowValues): Promise<number> {
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
    const sets = Object.keys(fields).map((c, i) => `"${c}" = $${i + 2}`);
    if (sets.length)
      await m.query(
        `UPDATE customer SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`,
        [id, ...Object.values(fields)],
      );
    if (r.contactMobile || r.contactEmail) {
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
