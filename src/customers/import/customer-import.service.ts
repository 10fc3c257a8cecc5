import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { RecordScope } from '../../auth/record-scope.js';
import type { SessionUser } from '../../common/session-user.js';
import { JobsService } from '../../automation/jobs.service.js';
import { DomainError, NotFound, ValidationFailed } from '../../common/errors.js';
import { translate } from '../../i18n/i18n.js';
import { UsersService } from '../../users/users.service.js';
import { duplicateKey, searchText } from '../customer-keys.js';
import { readCsvBatches } from './csv-reader.js';
import { CustomerImport, CustomerImportRow } from './customer-import.entity.js';
import { CustomerImportRepository, type StagedRow } from './customer-import.repository.js';
import {
  cellText,
  guessMapping,
  IMPORT_FIELDS,
  readRow,
  rowErrorText,
  type Cell,
  type RowValues,
} from './import-rules.js';
import { readXlsxBatches } from './xlsx-reader.js';

const CHECK_JOB = 'customers.import-check';
const RUN_JOB = 'customers.import-run';
/** Customers created per statement; progress is shown between them. */
const CREATE_CHUNK = 10_000;
/** From how many changed customers an import settles indexes and statistics itself (settleAfterImport). */
const SETTLE_AFTER_ROWS = 1_000;
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

/** Rows of an uploaded file, whichever its format, in the batches the reader completes them. */
function rowsOf(format: 'csv' | 'xlsx', path: string): AsyncGenerator<{ row: number; cells: Cell[] }[]> {
  return format === 'csv' ? readCsvBatches(path) : readXlsxBatches(path);
}

/**
 * A file's header row (as trimmed text) and up to `count` of the rows below it that hold a value,
 * read no further than that. Reading errors are the caller's.
 */
async function leadingRows(
  format: 'csv' | 'xlsx',
  path: string,
  count: number,
): Promise<{ headers: string[]; rows: string[][] }> {
  let headers: string[] | null = null;
  const rows: string[][] = [];
  for await (const batch of rowsOf(format, path)) {
    for (const { cells } of batch) {
      const texts = cells.map(cellText);
      if (headers === null) headers = texts;
      else if (texts.some(Boolean)) rows.push(texts);
      if (rows.length >= count) return { headers, rows };
    }
  }
  return { headers: headers ?? [], rows };
}

/** The file could be read only up to `afterRow` (a quote never closed, a damaged workbook). */
class UnreadableFile extends Error {
  constructor(
    readonly afterRow: number,
    cause: unknown,
  ) {
    super(
      `the file cannot be read after row ${afterRow}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** The same rows, with a reading failure as UnreadableFile, saying how far the file was read. */
async function* readableRowsOf(
  format: 'csv' | 'xlsx',
  path: string,
): AsyncGenerator<{ row: number; cells: Cell[] }[]> {
  let lastRow = 0;
  try {
    for await (const batch of rowsOf(format, path)) {
      lastRow = batch[batch.length - 1].row;
      yield batch;
    }
  } catch (e) {
    throw new UnreadableFile(lastRow, e);
  }
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
    private readonly rows: CustomerImportRepository,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    // The user watches the progress bar: picked up within half a second.
    this.jobs.register(CHECK_JOB, (data) => this.check(String(data.id)), { pollSeconds: 0.5 });
    this.jobs.register(RUN_JOB, (data) => this.execute(String(data.id)), { pollSeconds: 0.5 });
    this.jobs.register('customers.import-cleanup', () => this.cleanUp(), { cron: '40 3 * * *' });
    this.jobs.register('customers.import-resume', () => this.resumeInterrupted(), { atStart: true });
  }

  /**
   * At start: a check or an import that no instance is running was cut off when a server stopped.
   * An import is one transaction, so nothing of it was stored; both simply run again.
   */
  async resumeInterrupted(): Promise<void> {
    const open = await this.dataSource.query<{ id: string; status: 'checking' | 'importing' }[]>(
      `SELECT id, status FROM customer_import WHERE status IN ('checking', 'importing')`,
    );
    for (const { id, status } of open) {
      const [job, key] =
        status === 'checking' ? [CHECK_JOB, `import-check:${id}`] : [RUN_JOB, `import-run:${id}`];
      if (await this.isRunning(key)) continue;
      this.logger.warn(`import ${id} was interrupted while ${status}; running it again`);
      await this.jobs.send(job, { id });
    }
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
    if (!file) throw ValidationFailed.field('file', 'import.no_file');
    if (file.size === 0) throw ValidationFailed.field('file', 'import.empty');
    const format = /\.xlsx$/i.test(file.originalname)
      ? 'xlsx'
      : /\.(csv|txt)$/i.test(file.originalname)
        ? 'csv'
        : null;
    if (!format) {
      await rm(file.path, { force: true });
      throw new NotASpreadsheet();
    }
    // The header row, and whether any row below it holds a value.
    let headers: string[];
    let hasRows: boolean;
    try {
      const leading = await leadingRows(format, file.path, 1);
      headers = leading.headers;
      hasRows = leading.rows.length > 0;
    } catch (e) {
      this.logger.warn(
        `import of ${file.originalname} refused: ${e instanceof Error ? e.message : String(e)}`,
      );
      await rm(file.path, { force: true });
      throw new NotASpreadsheet();
    }
    if (!headers.some(Boolean) || !hasRows) {
      await rm(file.path, { force: true });
      throw ValidationFailed.field('file', headers.some(Boolean) ? 'import.no_rows' : 'import.empty');
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

  /**
   * The first values under each column (from up to `count` rows), shown beside the headers while the
   * user maps them. A file that cannot be read that far shows nothing; the check names the damage.
   */
  async samples(job: CustomerImport, count = 2): Promise<string[][]> {
    const { rows } = await leadingRows(job.format, job.filePath, count).catch(() => ({ rows: [] }));
    return job.headers.map((_, i) => rows.map((r) => (r[i] ?? '').slice(0, 40)).filter(Boolean));
  }

  /** Drops an import the user will not run (being mapped, checked or failed), with its rows and file. */
  async discard(user: SessionUser, id: string): Promise<void> {
    const job = await this.get(user, id);
    const [, dropped] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM customer_import WHERE id = $1 AND status IN ('mapping', 'checked', 'failed')`,
      [id],
    );
    if (!dropped) throw new ImportBusy();
    await rm(job.filePath, { force: true });
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
    user: SessionUser,
    importId: string,
    limit = 100,
  ): Promise<{
    errors: (CustomerImportRow & { messages: string[] })[];
    duplicates: (CustomerImportRow & { sameAsRow: number | null; othersCustomer: boolean })[];
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
    // A rep's row matching another rep's customer is skipped whatever is chosen (撞单): no choice is offered.
    const othersCustomer = (d: CustomerImportRow) =>
      user.role === 'sales' && d.duplicateOf !== null && d.duplicateOf > 0 && !d.duplicateEditable;
    return {
      errors: errors.map((e) =>
        Object.assign(e, {
          messages: Object.entries(e.errors).map(([field, key]) => rowErrorText(user.locale, field, key)),
        }),
      ),
      duplicates: duplicates.map((d) =>
        Object.assign(d, { sameAsRow: sameAsRow(d), othersCustomer: othersCustomer(d) }),
      ),
    };
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

  /** Whether a run holding `key` (see alone()) is under way on any instance. */
  private async isRunning(key: string): Promise<boolean> {
    const [{ free }] = await this.dataSource.query<{ free: boolean }[]>(
      `SELECT pg_try_advisory_lock(hashtext($1)) AND pg_advisory_unlock(hashtext($1)) AS free`,
      [key],
    );
    return !free;
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
   * Reads every row and checks it with the form's rules; once all rows are stored, finds duplicates
   * inside the file and among existing customers (whoever owns them), and counts the outcome for the
   * preview.
   */
  private async checkRows(id: string): Promise<void> {
    const job = await this.dataSource.getRepository(CustomerImport).findOneByOrFail({ id });
    if (job.status !== 'checking') return;
    const user = await this.users.findForSession(job.userId);
    if (!user) return this.fail(id, new Error('the user who started the import is no longer active'));
    try {
      await this.dataSource.getRepository(CustomerImportRow).delete({ importId: id });
      await this.rows.stage(id, this.checkedRows(job, user));
      await this.rows.markRepeats(id);
      await this.rows.markDuplicates(id, user, user.role === 'sales');
      const counts = await this.rows.countRows(id);
      const total = counts.ok + counts.errors + counts.duplicates;
      await this.dataSource.query(
        `UPDATE customer_import SET status = 'checked', progress = $2, total = $2, counts = $3 WHERE id = $1 AND status = 'checking'`,
        [id, total, counts],
      );
    } catch (e) {
      await this.fail(id, e);
    }
  }

  /**
   * The file's rows, checked: values and errors by the form's rules, the owner settled, and the
   * name's duplicate and search keys. Progress is written as rows are read.
   */
  private async *checkedRows(job: CustomerImport, user: SessionUser): AsyncGenerator<StagedRow[]> {
    const owners = await this.ownersFor(user);
    let header = true;
    let read = 0;
    let reported = 0;
    for await (const batch of readableRowsOf(job.format, job.filePath)) {
      const staged: StagedRow[] = [];
      for (const { row, cells } of batch) {
        if (header) {
          header = false;
          continue;
        }
        if (cells.every((c) => c === null || String(c).trim() === '')) continue;
        const { values, errors } = this.withOwner(readRow(cells, job.mapping), owners, user);
        const valid = Object.keys(errors).length === 0;
        if (valid) {
          const name = String(values.name);
          values.nameKey = duplicateKey(name);
          values.searchText = searchText(name);
        }
        staged.push({ rowNo: row, values, errors, action: valid ? 'create' : 'error' });
      }
      yield staged;
      read += staged.length;
      if (read - reported >= 5000) {
        reported = read;
        await this.dataSource.query('UPDATE customer_import SET progress = $2 WHERE id = $1', [job.id, read]);
      }
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
  ): { values: RowValues; errors: Record<string, string> } {
    const named = typeof row.values.owner === 'string' ? row.values.owner.toLowerCase() : '';
    let ownerId: number | null = user.role === 'sales' ? user.id : null;
    if (user.role !== 'sales' && named) {
      const found = owners.get(named);
      if (found === undefined) row.errors.owner = 'import.unknown_owner';
      else ownerId = found;
    }
    row.values.ownerId = ownerId === null ? null : String(ownerId);
    return row;
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
      const chosen = Object.fromEntries(Object.entries(perRow).filter(([, a]) => CHOICES.includes(a)));
      await this.rows.choose(m, id, user, duplicates, chosen);
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
        await this.rows.recheck(m, id, user);
        let created = 0;
        for (let after = 0; ;) {
          const next = await this.rows.createNext(m, id, after, CREATE_CHUNK, user);
          if (!next.created) break;
          created += next.created;
          after = next.last;
          // Progress is written outside the transaction, so the page can show it.
          await this.dataSource.query('UPDATE customer_import SET progress = $2 WHERE id = $1', [
            id,
            created,
          ]);
        }
        const updated = await this.rows.updateAll(m, id, user);
        const [{ skipped }] = await m.query<{ skipped: number }[]>(
          `SELECT count(*)::int AS skipped FROM customer_import_row WHERE import_id = $1 AND action IN ('skip', 'error')`,
          [id],
        );
        const result = { ...job.counts, created, updated, skipped };
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
      if (counts.created + counts.updated >= SETTLE_AFTER_ROWS) {
        await this.rows.settleAfterImport().catch((e: unknown) => {
          this.logger.warn(
            `indexes and statistics not settled after import ${id}: ${e instanceof Error ? e.message : String(e)}`,
          );
        });
      }
    } catch (e) {
      await this.fail(id, e);
    }
  }

  private async fail(id: string, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    this.logger.error(`import ${id} failed: ${message}`);
    // Where the file stops being readable is the user's to fix, and shown; anything else is logged.
    const counts = e instanceof UnreadableFile ? { unreadableAfterRow: e.afterRow } : {};
    await this.dataSource.query(
      `UPDATE customer_import SET status = 'failed', failure = $2, counts = $3 WHERE id = $1`,
      [id, message.slice(0, 500), counts],
    );
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
    // The file is read again beside the rejected rows, both in row order.
    const rejected = this.rows.rejectedRows(id);
    let next = await rejected.next();
    for await (const batch of rowsOf(job.format, job.filePath)) {
      for (const { row, cells } of batch) {
        while (!next.done && next.value.rowNo < row) next = await rejected.next();
        if (next.done) break;
        if (next.value.rowNo !== row) continue;
        const r = next.value;
        const why = Object.keys(r.errors).length
          ? Object.entries(r.errors)
              .map(([field, key]) => rowErrorText(user.locale, field, key))
              .join('; ')
          : r.duplicateOf !== null && r.duplicateOf < 0
            ? translate(user.locale, 'import.same_as_row', { row: -r.duplicateOf })
            : translate(user.locale, 'import.duplicate_of', { name: r.duplicateName ?? '' });
        sheet.addRow([row, ...job.headers.map((_, i) => cells[i] ?? ''), why]).commit();
      }
      if (next.done) break;
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
