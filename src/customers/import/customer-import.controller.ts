import {
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Post,
  Redirect,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, FormView, Roles } from '../../common/decorators.js';
import { NotFound } from '../../common/errors.js';
import { flash, seeOther } from '../../common/flash.js';
import type { SessionUser } from '../../common/session-user.js';
import { CustomerImportService } from './customer-import.service.js';
import { ImportHeaderDto, ImportMappingDto, ImportRunDto } from './import-choices.dto.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * An import's id (a UUID) from the address: a malformed one names no import, so it answers 404 like
 * an import that does not exist. (IdPipe is for the integer ids of other records.)
 */
const ImportId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFound() }));

/** /customers/import: upload, match columns, preview, run, and the rows that did not make it. */
@Controller('customers/import')
@Roles('sales', 'manager')
export class CustomerImportController {
  constructor(private readonly imports: CustomerImportService) {}

  @Get()
  @Render('customers/import')
  async index(@CurrentUser() user: SessionUser) {
    return { ...(await this.imports.listPage(user)), form: { values: {}, errors: {} } };
  }

  /** The file itself is read by UploadMiddleware (a multipart body), which leaves it as `req.file`. */
  @Post()
  @FormView<CustomerImportController>('customers/import', (c, { user }) => c.imports.listPage(user))
  @Redirect()
  async upload(@CurrentUser() user: SessionUser, @Req() req: Request) {
    const id = await this.imports.upload(user, req.file);
    return seeOther(`/customers/import/${id}`);
  }

  @Get(':id')
  @Render('customers/import-job')
  async show(@CurrentUser() user: SessionUser, @ImportId() id: string) {
    return { ...(await this.imports.page(user, id)), form: { values: {}, errors: {} } };
  }

  @Post(':id/mapping')
  @FormView<CustomerImportController>('customers/import-job', (c, { user, params }) =>
    c.imports.page(user, params.id),
  )
  @Redirect()
  async map(@CurrentUser() user: SessionUser, @ImportId() id: string, @Body() dto: ImportMappingDto) {
    await this.imports.setMapping(user, id, dto.mapping);
    return seeOther(`/customers/import/${id}`);
  }

  /** The mapping step's "the headers are in row N": the columns are matched again from that row. */
  @Post(':id/header')
  @FormView<CustomerImportController>('customers/import-job', (c, { user, params }) =>
    c.imports.page(user, params.id),
  )
  @Redirect()
  async header(@CurrentUser() user: SessionUser, @ImportId() id: string, @Body() dto: ImportHeaderDto) {
    await this.imports.setHeaderRow(user, id, dto.headerRow);
    return seeOther(`/customers/import/${id}`);
  }

  @Post(':id/run')
  @FormView<CustomerImportController>('customers/import-job', (c, { user, params }) =>
    c.imports.page(user, params.id),
  )
  @Redirect()
  async run(
    @CurrentUser() user: SessionUser,
    @ImportId() id: string,
    @Body() dto: ImportRunDto,
    @Req() req: Request,
  ) {
    await this.imports.start(user, id, dto);
    flash(req, 'import.started', {}, 'info');
    return seeOther(`/customers/import/${id}`);
  }

  @Post(':id/discard')
  @Redirect()
  async discard(@CurrentUser() user: SessionUser, @ImportId() id: string, @Req() req: Request) {
    await this.imports.discard(user, id);
    flash(req, 'import.discarded', {}, 'info');
    return seeOther('/customers/import');
  }

  @Get(':id/rejected.xlsx')
  async rejected(@CurrentUser() user: SessionUser, @ImportId() id: string, @Res() res: Response) {
    // Found and the user's before the headers say a workbook follows (an error page is no workbook).
    const write = await this.imports.rejectedWorkbook(user, id);
    res.setHeader('Content-Type', XLSX_TYPE);
    res.setHeader('Content-Disposition', `attachment; filename="rejected-rows.xlsx"`);
    await write(res);
  }
}
