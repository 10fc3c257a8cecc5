import {
  Body,
  Controller,
  Get,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Redirect,
  Render,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { FormRedisplay, NotAllowed } from '../common/errors.js';
import * as OPTIONS from './customer.options.js';
import { CustomersService, RestoreBlocked } from './customers.service.js';
import { PoolCapReached, PoolService } from './pool.service.js';
import { ContactDto } from './dto/contact.dto.js';
import { CUSTOMER_SORTS, CustomerExportDto, CustomerFilterDto } from './dto/customer-filter.dto.js';
import { CustomerExportService } from './customer-export.service.js';
import { CustomerDto } from './dto/customer.dto.js';
import { regionChoices } from '../common/regions.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The form's "update lists" button (no JavaScript): show the form again with the new choices, save nothing. */
const isRefresh = (req: Request) => (req.body as Record<string, unknown> | undefined)?._refresh === '1';

/** Customer pages: /customers, /customers/new, /customers/:id (the 360° page) and its edit forms. */
@Controller('customers')
export class CustomersController implements HasFormLocals {
  constructor(
    private readonly customers: CustomersService,
    private readonly pool: PoolService,
    private readonly exporter: CustomerExportService,
  ) {}

  /** Option lists, and the stored customer or contact when editing (only for users who may change it). */
  async formLocals(req: Request) {
    const user = req.user!;
    const customer = req.params.id ? await this.customers.get(user, Number(req.params.id)) : undefined;
    if (customer && !customer.canEdit) throw new NotAllowed();
    const contact =
      customer && req.params.contactId
        ? await this.customers.getContact(user, customer.id, Number(req.params.contactId))
        : undefined;
    const owners = await this.customers.ownerChoices(user, customer?.ownerId ?? null);
    // A new customer is the creator's when they may own customers; the pool is a choice, not a default.
    const newValues = {
      kind: 'company',
      tier: 'C',
      status: 'lead',
      ownerId: owners?.some((o) => o.id === user.id) ? user.id : null,
    };
    const values = contact ?? (customer ? { ...customer, tags: customer.tagsText } : newValues);
    return {
      title: 'customer.new',
      titleText: customer?.name,
      options: OPTIONS,
      regions: regionChoices(req.body?.province ?? customer?.province, req.body?.city ?? customer?.city),
      owners,
      customer,
      contact,
      values,
    };
  }

  @Get()
  @Render('customers/index')
  async index(@CurrentUser() user: SessionUser, @Query() filter: CustomerFilterDto) {
    // The public pool (公海) is this list filtered to customers without an owner, with a claim button.
    const pool = filter.owner === 'pool';
    return {
      title: pool ? 'nav.pool' : 'nav.customers',
      pool,
      canClaim: pool && (user.role === 'sales' || user.role === 'manager'),
      // The panel opens for filters inside it, so a search or the pool itself keeps results in view on a phone.
      filtersOpen: Object.entries(filter).some(
        ([k, v]) =>
          !['q', 'sort', 'after'].includes(k) &&
          !(pool && k === 'owner') &&
          v !== undefined &&
          v !== null &&
          v !== '',
      ),
      list: await this.customers.list(user, filter),
      filter,
      options: OPTIONS,
      sorts: CUSTOMER_SORTS,
      regions: regionChoices(filter.province, undefined),
      owners: await this.customers.ownerChoices(user, null),
      canCreate: this.customers.canCreate(user),
    };
  }

  /** /customers/export?format=xlsx|csv&…filters: the filtered list, within the user's scope. */
  @Get('export')
  async export(@CurrentUser() user: SessionUser, @Query() dto: CustomerExportDto, @Res() res: Response) {
    const { format, ...filter } = dto;
    const stamp = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="customers-${stamp}.${format}"`);
    await this.exporter.write(user, filter, format, res);
  }

  /** Cities and districts for the cascading selects (public/js/app.js). */
  @Get('regions')
  regions(@Query('province') province: unknown, @Query('city') city: unknown) {
    return regionChoices(province, city);
  }

  /** The recycle bin: deleted customers the user could edit, to restore. */
  @Get('deleted')
  @Render('customers/deleted')
  async deleted(@CurrentUser() user: SessionUser) {
    return { title: 'customer.recycle_bin', customers: await this.customers.deletedCustomers(user) };
  }

  @Get('new')
  @Render('customers/form')
  async newForm(@Req() req: Request) {
    // Refused before anything is typed, not after.
    if (!this.customers.canCreate(req.user!)) throw new NotAllowed();
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post('new')
  @FormView('customers/form')
  @Redirect()
  async create(@CurrentUser() user: SessionUser, @Body() dto: CustomerDto, @Req() req: Request) {
    if (isRefresh(req)) throw new FormRedisplay();
    const id = await this.customers.create(user, dto);
    flash(req, 'customer.created', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Get(':id')
  @Render('customers/show')
  async show(@CurrentUser() user: SessionUser, @Param('id', ParseIntPipe) id: number) {
    const { customer, timeline } = await this.customers.show(user, id);
    return {
      titleText: customer.name,
      customer,
      timeline,
      promises: timeline.filter((item) => item.promise),
      canLog: user.role !== 'service',
      canClaim: customer.ownerId === null && (user.role === 'sales' || user.role === 'manager'),
      canRelease: customer.ownerId !== null && customer.canEdit,
    };
  }

  @Get(':id/edit')
  @Render('customers/form')
  async editForm(@Param('id', ParseIntPipe) _id: number, @Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post(':id/edit')
  @FormView('customers/form')
  @Redirect()
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: CustomerDto,
    @Req() req: Request,
  ) {
    if (isRefresh(req)) throw new FormRedisplay();
    await this.customers.update(user, id, dto);
    flash(req, 'customer.updated', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/claim')
  @Redirect()
  async claim(@CurrentUser() user: SessionUser, @Param('id', ParseIntPipe) id: number, @Req() req: Request) {
    try {
      await this.pool.claim(user, id);
      flash(req, 'pool.claimed');
    } catch (e) {
      // At the cap the rep stays on the customer's page, told why.
      if (!(e instanceof PoolCapReached)) throw e;
      flash(req, e.key, e.params, 'error');
    }
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/release')
  @Redirect()
  async release(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
  ) {
    await this.pool.release(user, id);
    flash(req, 'pool.released');
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/delete')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', ParseIntPipe) id: number, @Req() req: Request) {
    await this.customers.remove(user, id);
    flash(req, 'customer.deleted');
    return seeOther('/customers');
  }

  @Post(':id/restore')
  @Redirect()
  async restore(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
  ) {
    try {
      const name = await this.customers.restore(user, id);
      flash(req, 'customer.restored', { name });
      return seeOther(`/customers/${id}`);
    } catch (e) {
      if (!(e instanceof RestoreBlocked)) throw e;
      flash(req, e.key, e.params, 'error');
      return seeOther('/customers/deleted');
    }
  }

  @Get(':id/contacts/new')
  @Render('customers/contact-form')
  async newContactForm(@Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, values: {}, form: { values: {}, errors: {} } };
  }

  @Post(':id/contacts/new')
  @FormView('customers/contact-form')
  @Redirect()
  async addContact(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: ContactDto,
    @Req() req: Request,
  ) {
    await this.customers.addContact(user, id, dto);
    flash(req, 'contact.created', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Get(':id/contacts/:contactId/edit')
  @Render('customers/contact-form')
  async editContactForm(@Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post(':id/contacts/:contactId/edit')
  @FormView('customers/contact-form')
  @Redirect()
  async updateContact(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Param('contactId', ParseIntPipe) contactId: number,
    @Body() dto: ContactDto,
    @Req() req: Request,
  ) {
    await this.customers.updateContact(user, id, contactId, dto);
    flash(req, 'contact.updated', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/contacts/:contactId/delete')
  @Redirect()
  async removeContact(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Param('contactId', ParseIntPipe) contactId: number,
    @Req() req: Request,
  ) {
    await this.customers.removeContact(user, id, contactId);
    flash(req, 'contact.deleted');
    return seeOther(`/customers/${id}`);
  }
}
