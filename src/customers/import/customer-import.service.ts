import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { JobsService } from '../../automation/jobs.service.js';
import { NotFound, ValidationFailed } from '../../common/errors.js';
import type { SessionUser } from '../../common/session-user.js';
import { UsersService } from '../../users/users.service.js';
import { type CustomerActor, CustomerPolicy, DUPLICATE_RULES } from '../customer.policy.js';
import { duplicateKey, searchText } from '../customer-keys.js';
import type { CustomerImport } from './customer-import.entity.js';
import { CustomerImportRepository, type PreviewRow, type StagedRow } from './customer-import.repository.js';
import { type ImportRunDto, perRowChoices } from './import-choices.dto.js';
import { ImportBusy, NotAllowedToImport, NotASpreadsheet } from './import-errors.js';
import { leadingRows, readableRowsOf, spreadsheetFormat, UnreadableFile } from './import-files.js';
import { ownerLookup, settleOwner, type OwnerLookup } from './import-owners.js';
import { writeRejectedWorkbook } from './import-rejects.js';
import { guessMapping, IMPORT_FIELDS, readRow, rowErrorText } from './import-rules.js';

const CHECK_JOB = 'customers.import-check';
const RUN_JOB = 'customers.import-run';
/** The keys under which an import's check and run each run once at a time (singleton jobs). */
const checkKey = (id: string) => `import-check:${id}`;
const runKey = (id: string) => `import-run:${id}`;
/** Customers created per statement; progress is shown between them. */
const CREATE_CHUNK = 10_000;
/** From how many changed customers an import settles indexes and statistics itself (settleAfterImport). */
const SETTLE_AFTER_ROWS = 1_000;
/** Rows of each kind the preview shows. */
const PREVIEW_ROWS = 100;
const UUID = /^[0-9a-f-]{36}$/;

interface UploadedFile {
  originalname: string;
  path: string;
  size: number;
}

/** An import as its pages show it. */
export interface ImportView {
  id: string;
  fileName: string;
  status: CustomerImport['status'];
  progress: number;
  total: number;
  counts: Record<string, number>;
  createdAt: Date;
}

const toImportView = (job: CustomerImport): ImportView => ({
  id: job.id,
  fileName: job.fileName,
  status: job.status,
  progress: job.progress,
  total: job.total,
  counts: job.counts,
  createdAt: job.createdAt,
});

/**
 * Importing customers from a spreadsheet in steps a user can follow and correct: upload (the columns
 * are matched to fields), check (a background job reads every row and finds errors and duplicates),
 * preview (the user decides per duplicate), and run: one transaction, so the import is stored whole
 * or not at all, even if the server stops half-way. The controller's one way in; the files, owners and
 * rejected rows have files of their own (import-files, import-owners, import-rejects).
 */
@Injectable()
export class CustomerImportService implements OnModuleInit {
  private readonly logger = new Logger(CustomerImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly imports: CustomerImportRepository,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly policy: CustomerPolicy,
  ) {}

  onModuleInit(): void {
    // The user watches the progress bar: picked up within half a second. A retried check or run
    // waits for nothing: it is skipped while the first attempt still runs (resumeInterrupted re-queues).
    this.jobs.register(CHECK_JOB, (data) => this.check(String(data.id)), {
      pollSeconds: 0.5,
      singleton: (data) => checkKey(String(data.id)),
    });
    this.jobs.register(RUN_JOB, (data) => this.execute(String(data.id)), {
      pollSeconds: 0.5,
      singleton: (data) => runKey(String(data.id)),
    });
    this.jobs.register('customers.import-cleanup', () => this.cleanUp(), { cron: '40 3 * * *' });
    this.jobs.register('customers.import-resume', () => this.resumeInterrupted(), { atStart: true });
  }

  /**
   * At start: a check or an import that no instance is running was cut off when a server stopped.
   * An import is one transaction, so nothing of it was stored; both simply run again.
   */
  async resumeInterrupted(): Promise<void> {
    for (const { id, status } of await this.imports.findRunning()) {
      const [job, key] = status === 'checking' ? [CHECK_JOB, checkKey(id)] : [RUN_JOB, runKey(id)];
      if (await this.jobs.isRunningAlone(key)) continue;
      this.logger.warn(`import ${id} was interrupted while ${status}; running it again`);
      await this.jobs.send(job, { id });
    }
  }

  /** Imports are kept a week (for their rejected rows); then their files and rows go. */
  async cleanUp(): Promise<void> {
    for (const { id, filePath } of await this.imports.findExpired()) {
      await rm(filePath, { force: true });
      await this.imports.delete(id);
    }
  }

  /** The import page: the upload form and the user's latest imports. */
  async listPage(user: SessionUser) {
    const recent = await this.imports.listRecent(user.id, 10);
    return { title: 'import.title', imports: recent.map(toImportView) };
  }

  /** One import's page, whatever its step: the columns to map, the progress, the preview or the result. */
  async page(user: SessionUser, id: string) {
    const job = await this.get(user, id);
    const preview = job.status === 'checked' ? await this.preview(user, id) : undefined;
    const samples = job.status === 'mapping' ? await this.samples(job) : [];
    const columns = job.headers.map((header, i) => ({
      index: i,
      header,
      field: job.mapping[i] ?? '',
      samples: samples[i] ?? [],
    }));
    return {
      title: 'import.title',
      job: toImportView(job),
      columns,
      fields: IMPORT_FIELDS,
      preview,
      running: job.status === 'checking' || job.status === 'importing',
      percent: job.total ? Math.floor((100 * job.progress) / job.total) : null,
    };
  }

  /** Takes an uploaded file, reads its header row and proposes which column fills which field. */
  async upload(user: SessionUser, file: UploadedFile | undefined): Promise<string> {
    if (!this.policy.mayCreate(user)) throw new NotAllowedToImport();
    if (!file) throw ValidationFailed.field('file', 'import.no_file');
    if (file.size === 0) throw ValidationFailed.field('file', 'import.empty');
    const format = spreadsheetFormat(file.originalname);
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
    return this.imports.create({
      userId: user.id,
      fileName: file.originalname,
      filePath: file.path,
      format,
      headers,
      mapping: guessMapping(headers),
    });
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
    if (!(await this.imports.startCheck(id, cleaned))) throw new ImportBusy();
    await this.jobs.send(CHECK_JOB, { id });
  }

  /**
   * The user's decisions: `duplicates` for every duplicate row (skip, update or create), and per-row
   * choices that override it. A rep cannot create a second copy of, or update, another rep's customer.
   */
  async start(user: SessionUser, id: string, choices: ImportRunDto): Promise<void> {
    await this.get(user, id);
    const { mayCopyOthers } = DUPLICATE_RULES[user.role];
    await this.dataSource.transaction(async (m) => {
      // Only a checked import starts, once: two clicks, or a click racing a new mapping, start nothing twice.
      if (!(await this.imports.claimForRun(m, id))) throw new ImportBusy();
      await this.imports.choose(m, id, mayCopyOthers, choices.duplicates, perRowChoices(choices.row));
    });
    await this.jobs.send(RUN_JOB, { id });
  }

  /** Drops an import the user will not run (being mapped, checked or failed), with its rows and file. */
  async discard(user: SessionUser, id: string): Promise<void> {
    const job = await this.get(user, id);
    if (!(await this.imports.deleteIdle(id))) throw new ImportBusy();
    await rm(job.filePath, { force: true });
  }

  /**
   * The rows that were not imported (errors, and skipped duplicates) as XLSX, with a column saying why.
   * The import is looked up first: what comes back writes the workbook to `out`, once the caller has
   * said a workbook follows (an error page is no workbook).
   */
  async rejectedWorkbook(user: SessionUser, id: string): Promise<(out: Writable) => Promise<void>> {
    const job = await this.get(user, id);
    return (out) => writeRejectedWorkbook(out, job, this.imports.rejectedRows(id), user.locale);
  }

  /** The check step, as the background job runs it (once at a time: a singleton job). */
  async check(id: string): Promise<void> {
    const job = await this.imports.find(id);
    if (job?.status !== 'checking') return;
    const user = await this.users.findForSession(job.userId);
    if (!user) return this.fail(id, new Error('the user who started the import is no longer active'));
    try {
      await this.checkRows(job, user);
    } catch (e) {
      await this.fail(id, e);
    }
  }

  /** The run, as the background job runs it (once at a time): one transaction; on any failure nothing is kept. */
  async execute(id: string): Promise<void> {
    const job = await this.imports.find(id);
    if (!job) return;
    const user = await this.users.findForSession(job.userId);
    if (!user || job.status !== 'importing') return;
    try {
      await this.writeRows(job, user);
    } catch (e) {
      await this.fail(id, e);
    }
  }

  /** The import `id`, if it is the user's. */
  private async get(user: SessionUser, id: string): Promise<CustomerImport> {
    const found = UUID.test(id) ? await this.imports.findOwn(id, user.id) : null;
    if (!found) throw new NotFound();
    return found;
  }

  /**
   * The first values under each column (from up to `count` rows), shown beside the headers while the
   * user maps them. A file that cannot be read that far shows nothing; the check names the damage.
   */
  private async samples(job: CustomerImport, count = 2): Promise<string[][]> {
    const { rows } = await leadingRows(job.format, job.filePath, count).catch(() => ({ rows: [] }));
    return job.headers.map((_, i) => rows.map((r) => (r[i] ?? '').slice(0, 40)).filter(Boolean));
  }

  /** The preview's rows: those with errors, with their messages, and the duplicates, with what decides them. */
  private async preview(user: SessionUser, id: string) {
    const { errors, duplicates } = await this.imports.previewRows(id, PREVIEW_ROWS);
    const { mayCopyOthers } = DUPLICATE_RULES[user.role];
    return {
      errors: errors.map((e) => ({
        rowNo: e.rowNo,
        messages: Object.entries(e.errors).map(([field, key]) => rowErrorText(user.locale, field, key)),
      })),
      duplicates: duplicates.map((d: PreviewRow) => ({
        rowNo: d.rowNo,
        values: { name: d.values.name },
        duplicateName: d.duplicateName,
        duplicateOwner: d.duplicateOwner,
        duplicateEditable: d.duplicateEditable,
        // An earlier row of the same file is kept as its negated row number.
        sameAsRow: d.duplicateOf !== null && d.duplicateOf < 0 ? -d.duplicateOf : null,
        // A row matching a customer the user may not copy is skipped whatever is chosen (撞单): no choice is offered.
        othersCustomer: !mayCopyOthers && d.duplicateOf !== null && d.duplicateOf > 0 && !d.duplicateEditable,
      })),
    };
  }

  /**
   * Reads every row and checks it with the form's rules; once all rows are stored, finds duplicates
   * inside the file and among existing customers (whoever owns them), and counts the outcome for the
   * preview.
   */
  private async checkRows(job: CustomerImport, user: SessionUser): Promise<void> {
    const actor = await this.policy.actor(user);
    await this.imports.clearRows(job.id);
    await this.imports.stage(job.id, this.checkedRows(job, await this.ownersFor(actor)));
    await this.imports.markRepeats(job.id);
    // Similar names are looked for where they decide: for users who may not copy others' customers.
    await this.imports.markDuplicates(job.id, actor, !DUPLICATE_RULES[user.role].mayCopyOthers);
    const ownerIds = await this.imports.duplicateOwnerIds(job.id);
    if (ownerIds.length) await this.imports.nameOwners(job.id, await this.users.namesOf(ownerIds));
    const counts = await this.imports.countRows(job.id);
    await this.imports.markChecked(job.id, counts.ok + counts.errors + counts.duplicates, counts);
  }

  /**
   * The file's rows, checked: values and errors by the form's rules, the owner settled, and the
   * name's duplicate and search keys. Progress is written as rows are read.
   */
  private async *checkedRows(job: CustomerImport, owners: OwnerLookup): AsyncGenerator<StagedRow[]> {
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
        const { values, errors } = settleOwner(readRow(cells, job.mapping), owners);
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
        await this.imports.setProgress(job.id, read);
      }
    }
  }

  /** Whose the imported customers will be: the importer's own, or the owners the user may assign, by e-mail and name. */
  private async ownersFor(actor: CustomerActor): Promise<OwnerLookup> {
    const teams = this.policy.assignableTeams(actor);
    if (teams === false) return { importerOwns: actor.user.id };
    return ownerLookup(await this.users.assignableOwners(teams, null));
  }

  /** Writes the import in one transaction: the rows checked again, created, updated, audited. */
  private async writeRows(job: CustomerImport, user: SessionUser): Promise<void> {
    const id = job.id;
    const actor = await this.policy.actor(user);
    const counts = await this.dataSource.transaction(async (m) => {
      await this.imports.recheck(m, id, actor);
      let created = 0;
      for (let after = 0; ;) {
        const next = await this.imports.createNext(m, id, after, CREATE_CHUNK, user);
        if (!next.created) break;
        created += next.created;
        after = next.last;
        // Progress is written outside the transaction, so the page can show it.
        await this.imports.setProgress(id, created);
      }
      const updated = await this.imports.updateAll(m, id, user);
      const skipped = await this.imports.countLeftOut(m, id);
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
      await this.imports.markDone(m, id, result);
      return result;
    });
    this.logger.log(`import ${id}: ${counts.created} created, ${counts.updated} updated`);
    if (counts.created + counts.updated >= SETTLE_AFTER_ROWS) {
      await this.imports.settleAfterImport().catch((e: unknown) => {
        this.logger.warn(
          `indexes and statistics not settled after import ${id}: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
    }
  }

  private async fail(id: string, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    this.logger.error(`import ${id} failed: ${message}`);
    // Where the file stops being readable is the user's to fix, and shown; anything else is logged.
    const counts: Record<string, number> =
      e instanceof UnreadableFile ? { unreadableAfterRow: e.afterRow } : {};
    await this.imports.markFailed(id, message.slice(0, 500), counts);
  }
}
