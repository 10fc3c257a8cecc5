import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, FormView, freshForm, RefusalGoesTo } from '../common/decorators.js';
import { FormRedisplay } from '../common/errors.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import { OnceOnly } from '../common/once-only.js';
import { regionChoices } from '../common/regions.js';
import type { SessionUser } from '../common/session-user.js';
import { ContactsService } from './contacts.service.js';
import { CustomerExportService } from './customer-export.service.js';
import * as OPTIONS from './customer.options.js';
import { type BulkResult, CustomersService } from './customers.service.js';
import { BulkOwnerDto } from './dto/bulk-owner.dto.js';
import { ContactDto } from './dto/contact.dto.js';
import { CUSTOMER_SORTS, CustomerExportDto, CustomerFilterDto } from './dto/customer-filter.dto.js';
import { CustomerDto } from './dto/customer.dto.js';
import { PoolService } from './pool.service.js';
import { RecycleBinService } from './recycle-bin.service.js';

/** Customer pages: /customers, /customers/new, /customers/:id (the 360° page) and its edit forms. */
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly contacts: ContactsService,
    private readonly pool: PoolService,
    private readonly recycleBin: RecycleBinService,
    private readonly exporter: CustomerExportService,
  ) {}

  /** The customer form: new (the creator owns it where they may own customers) or an editable customer. */
  async customerForm(user: SessionUser, id?: number) {
    const customer = id === undefined ? undefined : await this.customers.getEditable(user, id);
    const owners = await this.customers.ownerChoices(user, customer?.ownerId ?? null);
    const values = customer
      ? { ...customer, tags: customer.tagsText }
      : {
          kind: 'company',
          tier: 'C',
          status: 'lead',
          ownerId: owners?.some((o) => o.id === user.id) ? user.id : null,
        };
    return {
      title: 'customer.new',
      titleText: customer?.name,
      options: OPTIONS,
      owners,
      customer,
      reasonRequired: this.customers.reasonRequired(user),
      values,
    };
  }

  /** A contact's form: new, or an existing contact of a customer the user may edit. */
  async contactForm(user: SessionUser, customerId: number, contactId?: number) {
    const customer = await this.customers.getEditable(user, customerId);
    const contact =
      contactId === undefined ? undefined : await this.contacts.getEditable(user, customerId, contactId);
    return { titleText: customer.name, customer, contact, values: contact ?? {} };
  }

  @Get()
  @Render('customers/index')
  async index(@CurrentUser() user: SessionUser, @Query() filter: CustomerFilterDto) {
    // The public pool (公海) is this list filtered to customers without an owner, with a claim button.
    const pool = filter.owner === 'pool';
    return {
      title: pool ? 'nav.pool' : 'nav.customers',
      pool,
      canClaim: pool && this.pool.mayClaim(user),
      // The panel opens for filters inside it, so a search or the pool itself keeps results in view on a phone.
      filtersOpen: Object.entries(filter).some(
        ([k, v]) =>
          !['q', 'sort', 'after', 'before'].includes(k) &&
          !(pool && k === 'owner') &&
          v !== undefined &&
          v !== null &&
          v !== '',
      ),
      list: await this.customers.list(user, filter),
      filter,
      options: OPTIONS,
      sorts: CUSTOMER_SORTS,
      owners: await this.customers.ownerChoices(user, null),
      canCreate: this.customers.mayCreate(user),
    };
  }

  /** /customers/export?format=xlsx|csv&…filters: the filtered list, within the user's scope. */
  @Get('export')
  async export(@CurrentUser() user: SessionUser, @Query() dto: CustomerExportDto, @Res() res: Response) {
    const { format, ...filter } = dto;
    const file = await this.exporter.prepare(user, format);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
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
    return { title: 'customer.recycle_bin', customers: await this.recycleBin.list(user) };
  }

  @Get('new')
  @Render('customers/form')
  async newForm(@CurrentUser() user: SessionUser) {
    // Refused before anything is typed, not after.
    this.customers.assertMayCreate(user);
    return freshForm(await this.customerForm(user));
  }

  @Post('new')
  @FormView<CustomersController>('customers/form', (c, { user }) => c.customerForm(user))
  @OnceOnly()
  @Redirect()
  async create(@CurrentUser() user: SessionUser, @Body() dto: CustomerDto, @Req() req: Request) {
    if (dto._refresh) throw new FormRedisplay();
    const id = await this.customers.create(user, dto);
    flash(req, 'customer.created', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  /** The list's bulk action: assign, transfer or release the ticked customers; a summary on the list. */
  @Post('bulk')
  @RefusalGoesTo('/customers')
  @Redirect()
  async bulk(@CurrentUser() user: SessionUser, @Body() dto: BulkOwnerDto, @Req() req: Request) {
    const result = await this.customers.bulkOwner(user, dto);
    flashBulk(req, result);
    return seeOther(safeReturnTo(dto.returnTo, '/customers'));
  }

  @Get(':id')
  async show(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const shown = await this.customers.show(user, id);
    // A customer merged into another: its old address (bookmarks, notifications) leads to the survivor.
    if (shown.mergedInto) {
      flash(req, 'merge.moved', { name: shown.mergedInto.name }, 'info');
      return res.redirect(303, `/customers/${shown.mergedInto.id}`);
    }
    const { customer, figures, timeline } = shown;
    res.render('customers/show', {
      titleText: customer.name,
      customer,
      figures,
      timeline,
      promises: timeline.filter((item) => item.promise),
      followUpCount: timeline.filter((item) => item.kind === 'follow_up').length,
    });
  }

  @Get(':id/edit')
  @Render('customers/form')
  async editForm(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.customerForm(user, id));
  }

  @Post(':id/edit')
  @FormView<CustomersController>('customers/form', (c, { user, ids }) => c.customerForm(user, ids.id))
  @Redirect()
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: CustomerDto,
    @Req() req: Request,
  ) {
    if (dto._refresh) throw new FormRedisplay();
    await this.customers.update(user, id, dto);
    flash(req, 'customer.updated', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/claim')
  // Refused (over the cap, or someone was quicker), the rep is back at the pool, told why.
  @RefusalGoesTo('/customers?owner=pool')
  @Redirect()
  async claim(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.pool.claim(user, id);
    flash(req, 'pool.claimed');
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/release')
  @Redirect()
  async release(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const name = await this.pool.release(user, id);
    // Back to the list: a rep no longer sees the customer they gave back.
    flash(req, 'pool.released_name', { name });
    return seeOther('/customers');
  }

  @Post(':id/delete')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.customers.remove(user, id);
    flash(req, 'customer.deleted');
    return seeOther('/customers');
  }

  @Post(':id/restore')
  @RefusalGoesTo('/customers/deleted')
  @Redirect()
  async restore(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const name = await this.recycleBin.restore(user, id);
    flash(req, 'customer.restored', { name });
    return seeOther(`/customers/${id}`);
  }

  @Get(':id/contacts/new')
  @Render('customers/contact-form')
  async newContactForm(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.contactForm(user, id));
  }

  @Post(':id/contacts/new')
  @FormView<CustomersController>('customers/contact-form', (c, { user, ids }) => c.contactForm(user, ids.id))
  @OnceOnly()
  @Redirect()
  async addContact(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ContactDto,
    @Req() req: Request,
  ) {
    await this.contacts.add(user, id, dto);
    flash(req, 'contact.created', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Get(':id/contacts/:contactId/edit')
  @Render('customers/contact-form')
  async editContactForm(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Param('contactId', IdPipe) contactId: number,
  ) {
    return freshForm(await this.contactForm(user, id, contactId));
  }

  @Post(':id/contacts/:contactId/edit')
  @FormView<CustomersController>('customers/contact-form', (c, { user, ids }) =>
    c.contactForm(user, ids.id, ids.contactId),
  )
  @Redirect()
  async updateContact(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Param('contactId', IdPipe) contactId: number,
    @Body() dto: ContactDto,
    @Req() req: Request,
  ) {
    await this.contacts.update(user, id, contactId, dto);
    flash(req, 'contact.updated', { name: dto.name });
    return seeOther(`/customers/${id}`);
  }

  @Post(':id/contacts/:contactId/delete')
  @Redirect()
  async removeContact(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Param('contactId', IdPipe) contactId: number,
    @Req() req: Request,
  ) {
    await this.contacts.remove(user, id, contactId);
    flash(req, 'contact.deleted');
    return seeOther(`/customers/${id}`);
  }
}

/** "12 customers released", then one line per reason some were skipped ("1 skipped: not yours"). */
function flashBulk(req: Request, r: BulkResult): void {
  if (r.action === 'release') flash(req, 'bulk.released', { count: r.done });
  else flash(req, 'bulk.assigned', { count: r.done, owner: r.ownerName ?? '' });
  for (const [why, count] of Object.entries(r.skipped)) flash(req, `bulk.skipped_${why}`, { count }, 'info');
}
