import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { JobsService } from '../../automation/jobs.service.js';
import { NotFound, ValidationFailed } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { SessionUser } from '../../common/session-user.js';
import { UsersService } from '../../users/users.service.js';
import { type CustomerActor, CustomerPolicy, DUPLICATE_RULES } from '../customer.policy.js';
import { duplicateKey, searchText } from '../customer-keys.js';
import { CustomersService } from '../customers.service.js';
import type { CustomerImport } from './customer-import.entity.js';
import type { Locale } from '../../common/roles.js';
import { translate } from '../../i18n/i18n.js';
import { detectCsvEncoding } from './csv-reader.js';
import {
  CustomerImportRepository,
  type PreviewRow,
  type StagedRow,
  type UnknownValue,
  UPDATE_COLUMNS,
} from './customer-import.repository.js';
import { type ImportRunDto, perRowChoices, perValueChoices } from './import-choices.dto.js';
import { ImportBusy, NotAllowedToImport, NotASpreadsheet } from './import-errors.js';
import {
  leadingRows,
  readableRowsOf,
  readUpload,
  spreadsheetFormat,
  type TextRow,
  UnreadableFile,
} from './import-files.js';
import { ownerLookup, settleOwner, type OwnerLookup } from './import-owners.js';
import { writeRejectedWorkbook } from './import-rejects.js';
import {
  columnLetter,
  findHeaderRow,
  guessMapping,
  IMPORT_FIELDS,
  isOption,
  optionChoices,
  readRow,
  rowErrorText,
  type RowValues,
} from './import-rules.js';

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
/** Rows to be created, and to be updated, the preview shows as they will be written. */
const SAMPLE_ROWS = 10;
/** The first rows read at upload: the header is looked for among them, and they are shown beside it. */
const LEADING_ROWS = 20;
/** Distinct unknown option values the preview offers to map; more stay empty. */
const UNKNOWN_VALUES = 300;
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
  headerRow: number;
  encoding: string | null;
  createdAt: Date;
}

const toImportView = (job: CustomerImport): ImportView => ({
  id: job.id,
  fileName: job.fileName,
  status: job.status,
  progress: job.progress,
  total: job.total,
  counts: job.counts,
  headerRow: job.headerRow,
  encoding: job.encoding,
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
    private readonly customers: CustomersService,
    private readonly policy: CustomerPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The user watches the progress bar: the instance that queues a check or run starts it at once.
    // A retried check or run waits for nothing: it is skipped while the first attempt still runs
    // (resumeInterrupted re-queues).
    this.jobs.register(CHECK_JOB, (data) => this.check(String(data.id)), {
      singleton: (data) => checkKey(String(data.id)),
    });
    this.jobs.register(RUN_JOB, (data) => this.execute(String(data.id)), {
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
    const preview = job.status === 'checked' ? await this.preview(user, job) : undefined;
    const leading = job.status === 'mapping' ? await this.leading(job) : [];
    const below = leading.filter((r) => r.row > job.headerRow).slice(0, 2);
    const columns = job.headers.map((header, i) => ({
      index: i,
      header,
      letter: columnLetter(i),
      field: job.mapping[i] ?? '',
      samples: below.map((r) => (r.texts[i] ?? '').slice(0, 40)).filter(Boolean),
    }));
    // The rows the header may be in, for the user to correct the one found.
    const headerChoices = leading.slice(0, 10).map((r) => ({
      row: r.row,
      text: r.texts.filter(Boolean).join(' · ').slice(0, 80),
      selected: r.row === job.headerRow,
    }));
    return {
      title: 'import.title',
      job: toImportView(job),
      encodingLabel: job.encoding ? translate(user.locale, `import.encoding.${job.encoding}`) : null,
      headerChoices,
      canChooseHeader: headerChoices.length > 1,
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
    // The header row (title rows may stand above it), and whether any row below it holds a value.
    let headers: string[];
    let headerRow: number;
    let hasRows: boolean;
    let encoding: string | null = null;
    try {
      // The one read of the whole file: refuses it past IMPORT_MAX_ROWS or read-limits.ts, keeps its first rows.
      await readUpload(format, file.path, this.config.importMaxRows);
      const leading = await leadingRows(format, file.path, LEADING_ROWS);
      headerRow = findHeaderRow(leading);
      headers = leading.find((r) => r.row === headerRow)?.texts ?? [];
      hasRows = leading.some((r) => r.row > headerRow);
      if (format === 'csv') encoding = await detectCsvEncoding(file.path);
    } catch (e) {
      if (e instanceof ValidationFailed) {
        await rm(file.path, { force: true });
        throw e;
      }
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
      encoding,
      headerRow,
      headers,
      mapping: guessMapping(headers),
    });
  }

  /** The user's correction of the header row found: its texts become the headers, matched again. */
  async setHeaderRow(user: SessionUser, id: string, headerRow: number): Promise<void> {
    const job = await this.get(user, id);
    if (job.status !== 'mapping' && job.status !== 'checked') throw new ImportBusy();
    const chosen = (await this.leading(job)).slice(0, 10).find((r) => r.row === headerRow);
    if (!chosen) throw ValidationFailed.field('headerRow', 'validation.invalid');
    if (!(await this.imports.setHeader(id, chosen.row, chosen.texts, guessMapping(chosen.texts)))) {
      throw new ImportBusy();
    }
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
    // The unknown values in the order the preview listed them: `value[v3]` is the fourth.
    const unknown = await this.imports.unknownValues(id, UNKNOWN_VALUES);
    const mapped = perValueChoices(choices.value);
    await this.dataSource.transaction(async (m) => {
      // Only a checked import starts, once: two clicks, or a click racing a new mapping, start nothing twice.
      if (!(await this.imports.claimForRun(m, id))) throw new ImportBusy();
      for (const [field, pairs] of valueMapping(unknown, mapped)) {
        await this.imports.mapValues(m, id, field, pairs.texts, pairs.options);
      }
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
   * The file's first rows, for the mapping step: the rows the header may be in, and the first values
   * under each column. A file that cannot be read that far shows nothing; the check names the damage.
   */
  private async leading(job: CustomerImport): Promise<TextRow[]> {
    return leadingRows(job.format, job.filePath, LEADING_ROWS).catch(() => []);
  }

  /**
   * The preview: the first rows to be created and to be updated (with what would change), the rows with
   * errors (naming the column as the file has it, and the rule), the duplicates with what decides them,
   * and each option column's texts that name no option, for the user to map.
   */
  private async preview(user: SessionUser, job: CustomerImport) {
    const id = job.id;
    const locale = user.locale;
    const { errors, duplicates } = await this.imports.previewRows(id, PREVIEW_ROWS);
    const { mayCopyOthers } = DUPLICATE_RULES[user.role];
    const column = (field: string) => {
      const index = job.mapping.indexOf(field);
      return { index, header: job.headers[index] ?? '' };
    };
    const toCreate = await this.imports.firstToCreate(id, SAMPLE_ROWS);
    const toUpdate = await this.imports.firstToUpdate(id, SAMPLE_ROWS);
    const unknown = await this.imports.unknownValues(id, UNKNOWN_VALUES);
    return {
      toCreate: toCreate.map((r) => ({ rowNo: r.rowNo, ...shownValues(locale, r.values) })),
      toUpdate: toUpdate.map((r) => ({
        rowNo: r.rowNo,
        name: typeof r.customer.name === 'string' ? r.customer.name : '',
        changes: UPDATE_COLUMNS.flatMap(([field, col]) => {
          const to = r.values[field];
          const from = r.customer[col] as string | null;
          return typeof to === 'string' && to !== from
            ? [{ field, from: shownValue(locale, field, from), to: shownValue(locale, field, to) }]
            : [];
        }),
      })),
      unknown: unknown.map((u: UnknownValue, i) => ({
        key: `v${i}`,
        field: u.field,
        column: column(u.field),
        text: u.text,
        rows: u.rows,
        choices: optionChoices(locale, u.field),
      })),
      errors: errors.map((e) => ({
        rowNo: e.rowNo,
        messages: Object.entries(e.errors).map(([field, key]) =>
          rowErrorText(locale, field, key, column(field)),
        ),
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
    // Fresh statistics first: the statements below join the rows just loaded.
    await this.imports.analyzeRows();
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
    let read = 0;
    let reported = 0;
    for await (const batch of readableRowsOf(job.format, job.filePath, {
      maxRows: this.config.importMaxRows,
    })) {
      const staged: StagedRow[] = [];
      for (const { row, cells } of batch) {
        // The header and any title rows above it.
        if (row <= job.headerRow) continue;
        if (cells.every((c) => c === null || String(c).trim() === '')) continue;
        const { values, errors } = settleOwner(readRow(cells, job.mapping), owners);
        const valid = Object.keys(errors).length === 0;
        if (valid) {
          const name = typeof values.name === 'string' ? values.name : '';
          // The search text (pinyin, the costly part) is computed by the run, for the rows it creates.
          values.nameKey = duplicateKey(name);
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
      const createdIds: number[] = [];
      const updatedLater = await this.imports.rowsUpdatedLater(m, id);
      // Each chunk's search texts are computed while PostgreSQL writes the chunk before it.
      let rows = await this.imports.nextToCreate(m, id, 0, CREATE_CHUNK);
      let texts = await searchTextsOf(rows);
      for (let after = 0; rows.length;) {
        const following = await this.imports.nextToCreate(m, id, rows[rows.length - 1].rowNo, CREATE_CHUNK);
        const [next, followingTexts] = await Promise.all([
          this.imports.createNext(m, id, after, CREATE_CHUNK, texts, updatedLater, user),
          searchTextsOf(following),
        ]);
        createdIds.push(...next.ids);
        after = next.last;
        // Progress is written outside the transaction, so the page can show it.
        await this.imports.setProgress(id, createdIds.length);
        rows = following;
        texts = followingTexts;
      }
      await this.imports.settleUpdateTargets(m, id);
      const updatedIds = await this.imports.updateAll(m, id, user);
      await this.customers.publishEach(m, 'customer.created', createdIds);
      await this.customers.publishEach(m, 'customer.updated', updatedIds);
      const skipped = await this.imports.countLeftOut(m, id);
      const [created, updated] = [createdIds.length, updatedIds.length];
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

/**
 * The search texts of rows about to be created (customer-keys.ts: pinyin, the costly part of a
 * name), a slice at a time, giving way between slices so the statement already sent is not held up.
 */
async function searchTextsOf(
  rows: { rowNo: number; name: string }[],
): Promise<{ rowNos: number[]; texts: string[] }> {
  const texts: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    texts.push(searchText(rows[i].name));
  }
  return { rowNos: rows.map((r) => r.rowNo), texts };
}

/** The user's choices for unknown values (`value[v3]=C`), by field: the texts and the options they map to. */
function valueMapping(
  unknown: UnknownValue[],
  chosen: Record<number, string>,
): Map<string, { texts: string[]; options: string[] }> {
  const byField = new Map<string, { texts: string[]; options: string[] }>();
  unknown.forEach((u, i) => {
    const option = chosen[i];
    if (!option || !isOption(u.field, option)) return;
    const pairs = byField.get(u.field) ?? { texts: [], options: [] };
    pairs.texts.push(u.text);
    pairs.options.push(option);
    byField.set(u.field, pairs);
  });
  return byField;
}

/** Option fields and where their labels live, for showing a row's values as the user reads them. */
const LABELLED: Record<string, string> = {
  kind: 'customer.kind.',
  tier: 'customer.tier.',
  status: 'customer.status.',
  source: 'customer.source.',
  size: 'customer.size.',
  industry: 'customer.industry.',
};

/** A field's value as the preview shows it: an option by its label, anything else as written. */
function shownValue(locale: Locale, field: string, value: string | null): string {
  if (value === null || value === '') return '—';
  return LABELLED[field] ? translate(locale, `${LABELLED[field]}${value}`) : value;
}

/** The values of a row to create that the preview's table shows. */
function shownValues(locale: Locale, v: RowValues) {
  const text = (field: string) => (typeof v[field] === 'string' ? (v[field] as string) : null);
  return {
    name: text('name') ?? '',
    contact: [text('contactName'), text('contactMobile'), text('contactPhone')].filter(Boolean).join(' · '),
    tier: shownValue(locale, 'tier', text('tier') ?? 'C'),
    industry: shownValue(locale, 'industry', text('industry')),
  };
}
