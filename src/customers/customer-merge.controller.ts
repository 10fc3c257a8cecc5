import { Body, Controller, Get, Param, ParseIntPipe, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView, Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { CustomersService } from './customers.service.js';
import { MergeDto } from './dto/merge.dto.js';

/** /customers/:id/merge: managers and admins fold a duplicate into this customer. */
@Controller('customers/:id/merge')
@Roles('manager')
export class CustomerMergeController implements HasFormLocals {
  constructor(private readonly customers: CustomersService) {}

  /** This customer, and the candidates matching the search (or the one chosen). */
  async formLocals(req: Request) {
    const user = req.user!;
    const customer = await this.customers.get(user, Number(req.params.id));
    const q = typeof req.query.q === 'string' ? req.query.q : undefined;
    const otherId = Number(req.query.with ?? (req.body as { otherId?: string } | undefined)?.otherId);
    const other =
      Number.isInteger(otherId) && otherId > 0 ? await this.customers.get(user, otherId) : undefined;
    const candidates = q
      ? (await this.customers.list(user, { q })).rows.filter((c) => c.id !== customer.id)
      : [];
    return { titleText: customer.name, customer, other, candidates, q };
  }

  @Get()
  @Render('customers/merge')
  async form(@Req() req: Request) {
    return { ...(await this.formLocals(req)), form: { values: {}, errors: {} } };
  }

  @Post()
  @FormView('customers/merge')
  @Redirect()
  async merge(
    @CurrentUser() user: SessionUser,
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: MergeDto,
    @Req() req: Request,
  ) {
    await this.customers.merge(user, id, dto.otherId);
    flash(req, 'merge.done');
    return seeOther(`/customers/${id}`);
  }
}
