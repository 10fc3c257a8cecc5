import { Body, Controller, Get, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionUser } from '../../common/session-user.js';
import { CurrentUser, FormView, Roles } from '../../common/decorators.js';
import { flash, seeOther } from '../../common/flash.js';
import type { HasFormLocals } from '../../common/form-view.interceptor.js';
import { CustomerImportService } from './customer-import.service.js';
import { ImportMappingDto, ImportRunDto } from './import-choices.dto.js';
import { IMPORT_FIELDS } from './import-rules.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** /customers/import: upload, match columns, preview, run, and the rows that did not make it. */
@Controller('customers/import')
@Roles('sales', 'manager')
export class CustomerImportController implements HasFormLocals {
  constructor(private readonly imports: CustomerImportService) {}

  async formLocals(req: Request) {
    const user = req.user!;
    if (!req.params.id) return { title: 'import.title', imports: await this.imports.listMine(user) };
    return this.importLocals(user, String(req.params.id));
  }

  private async importLocals(user: SessionUser, id: string) {
    const job = await this.imports.get(user, id);
    const preview = job.status === 'checked' ? await this.imports.previewRows(user, id) : undefined;
    const samples = job.status === 'mapping' ? await this.imports.samples(job) : [];
    const columns = job.headers.map((header, i) => ({
      index: i,
      header,
      field: job.mapping[i] ?? '',
      samples: samples[i] ?? [],
    }));
    const running = job.status === 'checking' || job.status === 'importing';
    return {
      title: 'import.title',
      job,
      columns,
      fields: IMPORT_FIELDS,
      preview,
      running,
      percent: job.total ? Math.floor((100 * job.progress) / job.total) : null,
    };
  }

  @Get()
  @Render('customers/import')
  async index(@Req() req: Request) {
    return { ...(await this.formLocals(req)), form: { values: {}, errors: {} } };
  }

  @Post()
  @FormView('customers/import')
  @Redirect()
  async upload(@CurrentUser() user: SessionUser, @Req() req: Request) {
    const id = await this.imports.upload(user, req.file);
    return seeOther(`/customers/import/${id}`);
  }

  @Get(':id')
  @Render('customers/import-job')
  async show(@CurrentUser() user: SessionUser, @Param('id') id: string) {
    return { ...(await this.importLocals(user, id)), form: { values: {}, errors: {} } };
  }

  @Post(':id/mapping')
  @FormView('customers/import-job')
  @Redirect()
  async map(@CurrentUser() user: SessionUser, @Param('id') id: string, @Body() dto: ImportMappingDto) {
    await this.imports.setMapping(user, id, dto.mapping);
    return seeOther(`/customers/import/${id}`);
  }

  @Post(':id/run')
  @FormView('customers/import-job')
  @Redirect()
  async run(
    @CurrentUser() user: SessionUser,
    @Param('id') id: string,
    @Body() dto: ImportRunDto,
    @Req() req: Request,
  ) {
    // Keys are `r<row number>`: plain numbers would make the body parser build a (compacted) list.
    const perRow = Object.fromEntries(
      Object.entries(dto.row ?? {})
        .filter(([k]) => /^r\d{1,9}$/.test(k))
        .map(([k, v]) => [Number(k.slice(1)), v]),
    );
    await this.imports.start(user, id, dto.duplicates, perRow);
    flash(req, 'import.started', {}, 'info');
    return seeOther(`/customers/import/${id}`);
  }

  @Post(':id/discard')
  @Redirect()
  async discard(@CurrentUser() user: SessionUser, @Param('id') id: string, @Req() req: Request) {
    await this.imports.discard(user, id);
    flash(req, 'import.discarded', {}, 'info');
    return seeOther('/customers/import');
  }

  @Get(':id/rejected.xlsx')
  async rejected(@CurrentUser() user: SessionUser, @Param('id') id: string, @Res() res: Response) {
    // Found and the user's, before the headers say a workbook follows (an error page is no workbook).
    await this.imports.get(user, id);
    res.setHeader('Content-Type', XLSX_TYPE);
    res.setHeader('Content-Disposition', `attachment; filename="rejected-rows.xlsx"`);
    await this.imports.writeRejected(user, id, res);
  }
}
