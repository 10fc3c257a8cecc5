import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView, Roles } from '../common/decorators.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { toLocalInput } from '../common/time.js';
import { CustomersService } from '../customers/customers.service.js';
import { FollowUpDto } from './dto/follow-up.dto.js';
import { FOLLOW_UP_METHODS } from './follow-up.entity.js';
import { FollowUpsService } from './follow-ups.service.js';

/** Logging follow-ups: /follow-ups/new (from the customer page or, on a phone, from my day). */
@Controller('follow-ups')
@Roles('sales', 'manager')
export class FollowUpsController implements HasFormLocals {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly customers: CustomersService,
  ) {}

  /** The customer being logged for and its contacts; without one, the user's matching customers to pick from. */
  async formLocals(req: Request) {
    const user = req.user!;
    const id = Number(req.query.customer ?? (req.body as { customerId?: string } | undefined)?.customerId);
    const customer = Number.isInteger(id) && id > 0 ? await this.customers.get(user, id) : undefined;
    const q = typeof req.query.q === 'string' ? req.query.q : undefined;
    const choices = customer
      ? null
      : (
          await this.customers.list(user, {
            q,
            owner: user.role === 'sales' ? 'me' : undefined,
            sort: 'idle',
          })
        ).rows;
    const returnTo = safeReturnTo(
      req.query.returnTo ?? (req.body as { returnTo?: string } | undefined)?.returnTo,
      customer ? `/customers/${customer.id}` : '/',
    );
    const values = {
      customerId: customer?.id,
      // Most follow-ups are with the primary contact.
      contactId: customer?.contacts.find((c) => c.primary)?.id,
      method: 'visit',
      happenedAt: toLocalInput(new Date(), user.timezone),
      returnTo,
    };
    return { title: 'follow_up.log', customer, choices, q, methods: FOLLOW_UP_METHODS, values };
  }

  @Get('new')
  @Render('follow-ups/form')
  async newForm(@Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post()
  @FormView('follow-ups/form')
  @Redirect()
  async log(@CurrentUser() user: SessionUser, @Body() dto: FollowUpDto, @Req() req: Request) {
    await this.followUps.log(user, dto);
    flash(req, 'follow_up.logged');
    return seeOther(safeReturnTo(dto.returnTo, `/customers/${dto.customerId}`));
  }
}
