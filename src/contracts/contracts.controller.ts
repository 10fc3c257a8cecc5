import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Redirect,
  Render,
  Req,
  UploadedFile,
} from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm, RefusalGoesTo } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { FormRedisplay } from '../common/errors.js';
import { IdPipe } from '../common/ids.js';
import { OnceOnly } from '../common/once-only.js';
import type { SessionUser } from '../common/session-user.js';
import { formRows, type LineInput, typedLines } from './contract-lines.js';
import { CONTRACT_STATUSES } from './contract.options.js';
import { type ContractUpload, ContractsService } from './contracts.service.js';
import { ContractFilterDto } from './dto/contract-filter.dto.js';
import {
  ContractDto,
  ContractEditDto,
  ContractFormQueryDto,
  ContractPrintQueryDto,
  ContractSignDto,
  ContractTerminateDto,
  ContractVersionDto,
} from './dto/contract.dto.js';

const OPTIONS = { CONTRACT_STATUSES };

/** The uploaded file of a form, as the service takes it. */
const uploaded = (file: Express.Multer.File | undefined): ContractUpload | null =>
  file ? { fileName: file.originalname, bytes: file.buffer } : null;

/** The form's rows with their numbers as shown (1, 2, 3 …). */
const numbered = (rows: LineInput[]) => rows.map((r, i) => ({ ...r, n: i + 1 }));

/** The source of a new contract, as the form carries it back. */
const sourceOf = (input: Readonly<Record<string, unknown>>) => {
  const id = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
  return { customer: id(input.customerId), opportunity: id(input.opportunityId), quote: id(input.quoteId) };
};

/**
 * Contracts' pages: /contracts (the list), a new contract (directly, from a won deal or an accepted
 * quote), a contract's record page with its status actions and files, its edit form, its A4 print.
 */
@Controller('contracts')
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  /** The contract form: new (on a customer, or the customer list to choose one) or an edit. */
  async contractForm(
    user: SessionUser,
    source: { customer?: number; opportunity?: number; quote?: number; q?: string },
    id?: number,
    typed?: LineInput[] | null,
  ) {
    if (id !== undefined) {
      const contract = await this.contracts.get(user, id);
      return {
        title: 'contract.edit',
        titleText: `${contract.number} ${contract.title}`,
        section: 'contracts',
        contract,
        customer: { id: contract.customerId, name: contract.customerName },
        owners: await this.contracts.ownerChoices(user, contract.ownerId),
        values: contract.values,
        rows: numbered(formRows(typed ?? (contract.values.lines as LineInput[]))),
      };
    }
    const draft = await this.contracts.draftFrom(user, source);
    const customer = draft.customerId ? await this.contracts.customerFor(user, draft.customerId) : undefined;
    return {
      title: 'contract.new',
      section: 'contracts',
      customer,
      // Without a customer, the page is the choice of one: a search, or the user's own longest idle.
      choosing: !customer,
      q: source.q,
      choices: customer ? null : await this.contracts.customerChoices(user, source.q),
      owners: await this.contracts.ownerChoices(user, user.id),
      values: draft.values,
      rows: numbered(formRows(typed ?? (draft.values.lines as LineInput[]))),
    };
  }

  /** The record page's model (also shown again when one of its forms is refused). */
  async showModel(user: SessionUser, id: number) {
    const shown = await this.contracts.show(user, id);
    return {
      titleText: `${shown.contract.number} ${shown.contract.title}`,
      section: 'contracts',
      ...shown,
      values: { version: shown.contract.version },
    };
  }

  @Get()
  @Render('contracts/index')
  async index(@CurrentUser() user: SessionUser, @Query() filter: ContractFilterDto) {
    return {
      title: 'contract.nav',
      section: 'contracts',
      filter,
      list: await this.contracts.list(user, filter),
      owners: await this.contracts.ownerChoices(user, null),
      customerFilter: await this.contracts.customerFilter(user, filter.customer),
      options: OPTIONS,
      canCreate: this.contracts.mayCreate(user),
    };
  }

  @Get('new')
  @Render('contracts/form')
  async newForm(@CurrentUser() user: SessionUser, @Query() query: ContractFormQueryDto) {
    return freshForm(await this.contractForm(user, query));
  }

  @Post('new')
  @FormView<ContractsController>('contracts/form', (c, { user, input }) =>
    c.contractForm(user, sourceOf(input), undefined, typedLines(input.lines)),
  )
  @OnceOnly()
  @Redirect()
  async create(@CurrentUser() user: SessionUser, @Body() dto: ContractDto, @Req() req: Request) {
    if (dto._addLine !== undefined) throw new FormRedisplay();
    const id = await this.contracts.create(user, dto);
    flash(req, 'contract.created', { title: dto.title });
    return seeOther(`/contracts/${id}`);
  }

  @Get(':id')
  @Render('contracts/show')
  async show(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.showModel(user, id));
  }

  @Get(':id/print')
  @Render('contracts/print')
  async print(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Query() query: ContractPrintQueryDto,
  ) {
    const printed = await this.contracts.print(user, id, query.lang ?? user.locale);
    return { titleText: printed.contract.number, layout: 'print', ...printed };
  }

  @Get(':id/edit')
  @Render('contracts/form')
  async editForm(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    await this.contracts.getFor(user, id, 'edit');
    return freshForm(await this.contractForm(user, {}, id));
  }

  @Post(':id/edit')
  @FormView<ContractsController>('contracts/form', (c, { user, ids, input }) =>
    c.contractForm(user, {}, ids.id, typedLines(input.lines)),
  )
  @Redirect()
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ContractEditDto,
    @Req() req: Request,
  ) {
    if (dto._addLine !== undefined) throw new FormRedisplay();
    await this.contracts.update(user, id, dto);
    flash(req, 'contract.updated', { title: dto.title });
    return seeOther(`/contracts/${id}`);
  }

  @Post(':id/delete')
  @RefusalGoesTo('/contracts/:id')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.contracts.remove(user, id);
    flash(req, 'contract.deleted');
    return seeOther('/contracts');
  }

  @Post(':id/submit')
  @RefusalGoesTo('/contracts/:id')
  @Redirect()
  async submit(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ContractVersionDto,
    @Req() req: Request,
  ) {
    await this.contracts.submit(user, id, dto);
    flash(req, 'contract.submitted');
    return seeOther(`/contracts/${id}`);
  }

  /** Signing: the date and the signed scan (multipart); refused, the record page again with the errors. */
  @Post(':id/sign')
  @FormView<ContractsController>('contracts/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async sign(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ContractSignDto,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ) {
    await this.contracts.sign(user, id, dto, uploaded(file));
    flash(req, 'contract.signed');
    return seeOther(`/contracts/${id}`);
  }

  @Post(':id/attachments')
  @FormView<ContractsController>('contracts/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async attach(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ) {
    await this.contracts.attach(user, id, uploaded(file));
    flash(req, 'contract.attached');
    return seeOther(`/contracts/${id}`);
  }

  @Post(':id/complete')
  @RefusalGoesTo('/contracts/:id')
  @Redirect()
  async complete(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ContractVersionDto,
    @Req() req: Request,
  ) {
    await this.contracts.complete(user, id, dto);
    flash(req, 'contract.completed');
    return seeOther(`/contracts/${id}`);
  }

  @Post(':id/terminate')
  @FormView<ContractsController>('contracts/show', (c, { user, ids }) => c.showModel(user, ids.id))
  @Redirect()
  async terminate(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ContractTerminateDto,
    @Req() req: Request,
  ) {
    await this.contracts.terminate(user, id, dto);
    flash(req, 'contract.terminated');
    return seeOther(`/contracts/${id}`);
  }
}
