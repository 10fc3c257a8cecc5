import { Body, Controller, Get, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm } from '../common/decorators.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import { parseId } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { toLocalInput } from '../common/time.js';
import { CustomersService } from '../customers/customers.service.js';
import { FollowUpFormQueryDto } from './dto/follow-up-form.dto.js';
import { FollowUpDto } from './dto/follow-up.dto.js';
import { FOLLOW_UP_METHODS } from './follow-up.entity.js';
import { FollowUpsService } from './follow-ups.service.js';

/** Logging follow-ups: /follow-ups/new (from the customer page or, on a phone, from my day). */
@Controller('follow-ups')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly customers: CustomersService,
  ) {}

  /** The customer being logged for and its contacts; without one, the user's customers matching `q` to pick from. */
  async logForm(user: SessionUser, query: FollowUpFormQueryDto) {
    this.followUps.assertMayLog(user);
    const customer = query.customer
      ? await this.customers.getFor(user, query.customer, 'log_follow_up')
      : undefined;
    const choices = customer
      ? null
      : (await this.customers.list(user, { q: query.q, owner: query.q ? undefined : 'me', sort: 'idle' }))
          .rows;
    const values = {
      customerId: customer?.id,
      // Most follow-ups are with the primary contact.
      contactId: customer?.contacts.find((c) => c.primary)?.id,
      method: 'visit',
      happenedAt: toLocalInput(new Date(), user.timezone),
      returnTo: safeReturnTo(query.returnTo, customer ? `/customers/${customer.id}` : '/'),
    };
    return { title: 'follow_up.log', customer, choices, q: query.q, methods: FOLLOW_UP_METHODS, values };
  }

  @Get('new')
  @Render('follow-ups/form')
  async newForm(@CurrentUser() user: SessionUser, @Query() query: FollowUpFormQueryDto) {
    return freshForm(await this.logForm(user, query));
  }

  @Post()
  @FormView<FollowUpsController>('follow-ups/form', (c, { user, input }) =>
    c.logForm(user, {
      customer: parseId(input.customerId) ?? undefined,
      returnTo: typeof input.returnTo === 'string' ? input.returnTo : undefined,
    }),
  )
  @Redirect()
  async log(@CurrentUser() user: SessionUser, @Body() dto: FollowUpDto, @Req() req: Request) {
    await this.followUps.log(user, dto);
    flash(req, 'follow_up.logged');
    return seeOther(safeReturnTo(dto.returnTo, `/customers/${dto.customerId}`));
  }
}
