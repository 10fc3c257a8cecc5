import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { CustomerMergeService } from './customer-merge.service.js';
import { CustomersService } from './customers.service.js';
import { MergeDto, MergeQueryDto } from './dto/merge.dto.js';

/** /customers/:id/merge: managers and admins fold a duplicate into this customer. */
@Controller('customers/:id/merge')
export class CustomerMergeController {
  constructor(
    private readonly customers: CustomersService,
    private readonly merges: CustomerMergeService,
  ) {}

  /** This customer, and the candidates matching the search (or the one chosen). */
  async mergeForm(user: SessionUser, id: number, query: MergeQueryDto = {}) {
    const customer = await this.customers.getFor(user, id, 'merge');
    const other = query.with ? await this.customers.get(user, query.with) : undefined;
    const candidates = query.q
      ? (await this.customers.list(user, { q: query.q })).rows.filter((c) => c.id !== customer.id)
      : [];
    return { titleText: customer.name, customer, other, candidates, q: query.q };
  }

  @Get()
  @Render('customers/merge')
  async form(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Query() query: MergeQueryDto,
  ) {
    return freshForm(await this.mergeForm(user, id, query));
  }

  @Post()
  @FormView<CustomerMergeController>('customers/merge', (c, { user, ids }) => c.mergeForm(user, ids.id))
  @Redirect()
  async merge(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: MergeDto,
    @Req() req: Request,
  ) {
    await this.merges.merge(user, id, dto.otherId);
    flash(req, 'merge.done');
    return seeOther(`/customers/${id}`);
  }
}
