import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { AuditService } from '../audit/audit.service.js';
import { NotAllowed } from '../common/errors.js';
import type { SessionUser } from '../common/session-user.js';
import { localDay } from '../common/time.js';
import { translate } from '../i18n/i18n.js';
import { UsersService } from '../users/users.service.js';
import { CustomerPolicy } from './customer.policy.js';
import { CustomersRepository } from './customers.repository.js';
import type { CustomerFilterDto } from './dto/customer-filter.dto.js';
import { sheetHeaders, sheetRow } from './customer-sheet.js';

export type ExportFormat = 'xlsx' | 'csv';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const BATCH = 1000;

/** Writes the user's filtered customer list (within their scope) as XLSX or CSV, streamed in batches. */
@Injectable()
export class CustomerExportService {
  constructor(
    private readonly repo: CustomersRepository,
    private readonly policy: CustomerPolicy,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The file an export will be, after checking the user may export at all: its type and a name dated
   * in the user's zone (customers-2026-11-30.xlsx). Asked before any byte or header is sent, so a
   * refusal is an ordinary error page, not a downloaded file.
   */
  async prepare(user: SessionUser, format: ExportFormat): Promise<{ contentType: string; fileName: string }> {
    if (!(await this.policy.mayExport(user))) throw new NotAllowed();
    return {
      contentType: format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8',
      fileName: `customers-${localDay(new Date(), user.timezone)}.${format}`,
    };
  }

  async write(
    user: SessionUser,
    filter: CustomerFilterDto,
    format: ExportFormat,
    out: Writable,
  ): Promise<number> {
    if (!(await this.policy.mayExport(user))) throw new NotAllowed();
    const actor = await this.policy.actor(user);
    const headers = sheetHeaders(user.locale);
    let count = 0;
    const users = this.users;
    const rows = async function* (repo: CustomersRepository) {
      for (let afterId = 0; ;) {
        // Narrowed to what the user may export (a rep: their own customers), not only what they see.
        const batch = await repo.exportBatch(actor, filter, afterId, BATCH, 'export');
        const names = await users.namesOf(batch.flatMap((c) => (c.ownerId === null ? [] : [c.ownerId])));
        for (const c of batch) {
          const ownerName = c.ownerId === null ? null : (names.get(c.ownerId) ?? null);
          yield sheetRow(Object.assign(c, { ownerName }), c.contacts[0], user.locale);
        }
        count += batch.length;
        if (batch.length < BATCH) return;
        afterId = batch[batch.length - 1].id;
      }
    };
    if (format === 'xlsx') {
      const book = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: out,
        useStyles: false,
        useSharedStrings: false,
      });
      const sheet = book.addWorksheet(translate(user.locale, 'sheet.title'));
      sheet.addRow(headers).commit();
      for await (const row of rows(this.repo)) sheet.addRow(row.map((v) => v ?? '')).commit();
      await book.commit();
    } else {
      // A byte-order mark makes Excel and WPS read the file as UTF-8, so Chinese shows correctly.
      out.write('\ufeff');
      const csv = stringify();
      csv.pipe(out);
      csv.write(headers);
      for await (const row of rows(this.repo)) {
        if (!csv.write(row.map((v) => (v === null ? '' : String(v)))))
          await new Promise((r) => csv.once('drain', r));
      }
      await new Promise<void>((resolve, reject) => {
        out.once('finish', resolve);
        out.once('error', reject);
        csv.end();
      });
    }
    await this.audit.record({
      action: 'export',
      entity: 'customer',
      diff: { format: { to: format }, count: { to: count }, filter: { to: filter } },
    });
    return count;
  }
}
