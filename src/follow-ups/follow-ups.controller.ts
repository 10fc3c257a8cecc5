import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm, RefusalGoesTo } from '../common/decorators.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import { IdPipe, parseId } from '../common/ids.js';
import { OnceOnly } from '../common/once-only.js';
import type { SessionUser } from '../common/session-user.js';
import { toLocalInput } from '../common/time.js';
import { CustomersService } from '../customers/customers.service.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { FollowUpFormQueryDto } from './dto/follow-up-form.dto.js';
import { FollowUpDto, FollowUpEditDto } from './dto/follow-up.dto.js';
import { FOLLOW_UP_METHODS } from './follow-up.entity.js';
import { FollowUpsService } from './follow-ups.service.js';

/**
 * Logging follow-ups: /follow-ups/new (from the customer page or, on a phone, from my day); and their
 * author's corrections within a day, from the customer's timeline: /follow-ups/:id/edit and /delete.
 */
@Controller('follow-ups')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly customers: CustomersService,
    private readonly opportunities: OpportunitiesService,
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
    // A new follow-up may be logged against one of the customer's open deals.
    const deals = customer
      ? (await this.opportunities.openChoices(user, customer.id)).map((d) => ({
          value: d.id,
          label: d.title,
        }))
      : [];
    const values = {
      customerId: customer?.id,
      opportunityId: deals.some((d) => d.value === query.opportunity) ? query.opportunity : undefined,
      // Most follow-ups are with the primary contact.
      contactId: customer?.contacts.find((c) => c.primary)?.id,
      method: 'visit',
      happenedAt: toLocalInput(new Date(), user.timezone),
      returnTo: safeReturnTo(query.returnTo, customer ? `/customers/${customer.id}` : '/'),
    };
    return {
      title: 'follow_up.log',
      customer,
      choices,
      deals,
      q: query.q,
      methods: FOLLOW_UP_METHODS,
      values,
    };
  }

  /** The edit form of a follow-up; `check: false` when it is shown again after a refused save. */
  async editForm(user: SessionUser, id: number, check = true) {
    const { followUp, customer } = await this.followUps.editForm(user, id, check);
    return {
      title: 'follow_up.edit',
      followUp,
      customer,
      methods: FOLLOW_UP_METHODS,
      values: { ...followUp.values, returnTo: `/customers/${customer.id}` },
    };
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
      opportunity: parseId(input.opportunityId) ?? undefined,
      returnTo: typeof input.returnTo === 'string' ? input.returnTo : undefined,
    }),
  )
  @OnceOnly()
  @Redirect()
  async log(@CurrentUser() user: SessionUser, @Body() dto: FollowUpDto, @Req() req: Request) {
    await this.followUps.log(user, dto);
    flash(req, 'follow_up.logged');
    return seeOther(safeReturnTo(dto.returnTo, `/customers/${dto.customerId}`));
  }

  /** A follow-up's own address leads to it on its customer's timeline. */
  @Get(':id')
  @Redirect()
  async show(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return seeOther(`/customers/${await this.followUps.customerOf(user, id)}`);
  }

  @Get(':id/edit')
  @Render('follow-ups/form')
  async edit(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.editForm(user, id));
  }

  @Post(':id/edit')
  @FormView<FollowUpsController>('follow-ups/form', (c, { user, ids }) => c.editForm(user, ids.id, false))
  @Redirect()
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: FollowUpEditDto,
    @Req() req: Request,
  ) {
    const customerId = await this.followUps.update(user, id, dto);
    flash(req, 'follow_up.updated');
    return seeOther(`/customers/${customerId}`);
  }

  @Post(':id/delete')
  // Refused (the day is over), the author is back on the timeline, told why.
  @RefusalGoesTo('/follow-ups/:id')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const customerId = await this.followUps.remove(user, id);
    flash(req, 'follow_up.deleted');
    return seeOther(`/customers/${customerId}`);
  }
}
