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
} from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../auth/session-user.js';
import { CurrentUser, FormView } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { pageParam } from '../common/pagination.js';
import { UsersService } from '../users/users.service.js';
import * as OPTIONS from './customer.options.js';
import { CustomersService } from './customers.service.js';
import { ContactDto } from './dto/contact.dto.js';
import { CustomerDto } from './dto/customer.dto.js';

/** Customer pages: /customers, /customers/new, /customers/:id (the 360° page) and its edit forms. */
@Controller('customers')
export class CustomersController implements HasFormLocals {
  constructor(
    private readonly customers: CustomersService,
    private readonly users: UsersService,
  ) {}

  /** Option lists, and the stored customer or contact when editing. */
  async formLocals(req: Request) {
    const user = req.user!;
    const customer = req.params.id ? await this.customers.get(user, Number(req.params.id)) : undefined;
    const contact =
      customer && req.params.contactId
        ? await this.customers.getContact(user, customer.id, Number(req.params.contactId))
        : undefined;
    const owners =
      user.role === 'admin' || user.role === 'manager' ? await this.users.listAssignable() : null;
    const values =
      contact ??
      (customer ? { ...customer, tags: customer.tagsText } : { kind: 'company', tier: 'C', status: 'lead' });
    return {
      title: 'customer.new',
      titleText: customer?.name,
      options: OPTIONS,
      owners,
      customer,
      contact,
      values,
    };
  }

  @Get()
  @Render('customers/index')
  async index(@CurrentUser() user: SessionUser, @Query() q: Record<string, string | undefined>) {
    const page = await this.customers.list(user, {
      q: q.q?.trim() || undefined,
      status: q.status || undefined,
      tier: q.tier || undefined,
      page: pageParam(q.page),
      perPage: 25,
    });
    return { title: 'nav.customers', page, filter: q, options: OPTIONS, canCreate: user.role !== 'service' };
  }

  @Get('new')
  @Render('customers/form')
  async newForm(@Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post('new')
  @FormView('customers/form')
  @Redirect()
  async create(@CurrentUser() user: SessionUser, @Body() dto: CustomerDto, @Req() req: Request) {
    const id = await this.customers.create(user, dto);
    flash(req, 'customer.created', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Get(':id')
  @Render('customers/show')
  async show(@CurrentUser() user: SessionUser, @Param('id', ParseIntPipe) id: number) {
    const customer = await this.customers.get(user, id);
    return { titleText: customer.name, customer, timeline: await this.customers.timeline(user, id) };
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
    await this.customers.update(user, id, dto);
    flash(req, 'customer.updated', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/delete')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', ParseIntPipe) id: number, @Req() req: Request) {
    await this.customers.remove(user, id);
    flash(req, 'customer.deleted');
    return seeOther('/customers');
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
