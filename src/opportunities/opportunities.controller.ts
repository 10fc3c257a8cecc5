import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm, RefusalGoesTo } from '../common/decorators.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import { IdPipe, parseId } from '../common/ids.js';
import { OnceOnly } from '../common/once-only.js';
import type { SessionUser } from '../common/session-user.js';
import { CustomersService } from '../customers/customers.service.js';
import { OpportunityFilterDto, OpportunityFormQueryDto } from './dto/opportunity-filter.dto.js';
import {
  LostDto,
  OpportunityDto,
  OpportunityEditDto,
  ReopenDto,
  StageChangeDto,
} from './dto/opportunity.dto.js';
import {
  LOST_REASONS,
  OPEN_STAGES,
  OPPORTUNITY_SORTS,
  OPPORTUNITY_SOURCES,
  OPPORTUNITY_STAGES,
  STAGE_PROBABILITY,
} from './opportunity.options.js';
import { OpportunitiesService } from './opportunities.service.js';
import { QuotesService } from './quotes/quotes.service.js';

const OPTIONS = { OPPORTUNITY_STAGES, OPEN_STAGES, OPPORTUNITY_SOURCES, LOST_REASONS, OPPORTUNITY_SORTS };

/**
 * The pipeline's pages: /opportunities (the board by stage; `?view=list` the list), the forecast, a
 * deal's record page, its forms, and the stage moves the board's and the record page's buttons post.
 */
@Controller('opportunities')
export class OpportunitiesController {
  constructor(
    private readonly opportunities: OpportunitiesService,
    private readonly customers: CustomersService,
    private readonly quotes: QuotesService,
  ) {}

  /** The deal form: new on a customer the user may work on, or an open deal they may edit. */
  async dealForm(user: SessionUser, customerId: number | undefined, id?: number, q?: string) {
    const deal = id === undefined ? undefined : await this.opportunities.getFor(user, id, 'edit');
    const customer = deal
      ? { id: deal.customerId, name: deal.customerName }
      : customerId
        ? await this.customers.getFor(user, customerId, 'log_follow_up')
        : undefined;
    if (!deal) this.opportunities.assertMayCreate(user);
    const owners =
      deal?.can.assign === false
        ? null
        : await this.opportunities.ownerChoices(user, deal?.ownerId ?? user.id);
    return {
      title: deal ? 'opportunity.edit' : 'opportunity.new',
      titleText: deal?.title,
      deal,
      customer,
      // Without a customer, the page is the choice of one: a search, or the user's own longest idle.
      choosing: !customer,
      q,
      choices: customer
        ? null
        : (await this.customers.list(user, q ? { q } : { owner: 'me', sort: 'idle' })).rows,
      owners,
      options: OPTIONS,
      probabilities: STAGE_PROBABILITY,
      values: deal ? deal.values : { customerId: customer?.id, stage: 'initial_contact', ownerId: user.id },
    };
  }

  /** The lost form: a reason from the list and a note. */
  async lostForm(user: SessionUser, id: number) {
    const deal = await this.opportunities.getFor(user, id, 'move');
    return {
      title: 'opportunity.mark_lost',
      titleText: deal.title,
      deal,
      options: OPTIONS,
      values: { stage: 'lost', version: deal.version },
    };
  }

  @Get()
  @Render('opportunities/index')
  async index(@CurrentUser() user: SessionUser, @Query() filter: OpportunityFilterDto) {
    const list = filter.view === 'list';
    return {
      title: 'nav.opportunities',
      filter,
      list: list ? await this.opportunities.list(user, filter) : null,
      board: list ? null : await this.opportunities.board(user, filter),
      owners: await this.opportunities.ownerChoices(user, null),
      customerFilter: await this.opportunities.customerFilter(user, filter.customer),
      options: OPTIONS,
      canCreate: this.opportunities.mayCreate(user),
    };
  }

  @Get('forecast')
  @Render('opportunities/forecast')
  async forecast(@CurrentUser() user: SessionUser) {
    return { title: 'opportunity.forecast', forecast: await this.opportunities.forecast(user) };
  }

  @Get('new')
  @Render('opportunities/form')
  async newForm(@CurrentUser() user: SessionUser, @Query() query: OpportunityFormQueryDto) {
    return freshForm(await this.dealForm(user, query.customer, undefined, query.q));
  }

  @Post('new')
  @FormView<OpportunitiesController>('opportunities/form', (c, { user, input }) =>
    c.dealForm(user, parseId(input.customerId) ?? undefined),
  )
  @OnceOnly()
  @Redirect()
  async create(@CurrentUser() user: SessionUser, @Body() dto: OpportunityDto, @Req() req: Request) {
    const id = await this.opportunities.create(user, dto);
    flash(req, 'opportunity.created', { title: dto.title });
    return seeOther(`/opportunities/${id}`);
  }

  @Get(':id')
  @Render('opportunities/show')
  async show(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    const shown = await this.opportunities.show(user, id);
    const quotes = await this.quotes.forDeal(user, id, shown.deal.ownerId);
    return { titleText: shown.deal.title, section: 'opportunities', ...shown, quotes, options: OPTIONS };
  }

  @Get(':id/edit')
  @Render('opportunities/form')
  async editForm(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.dealForm(user, undefined, id));
  }

  @Post(':id/edit')
  @FormView<OpportunitiesController>('opportunities/form', (c, { user, ids }) =>
    c.dealForm(user, undefined, ids.id),
  )
  @Redirect()
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: OpportunityEditDto,
    @Req() req: Request,
  ) {
    await this.opportunities.update(user, id, dto);
    flash(req, 'opportunity.updated', { title: dto.title });
    return seeOther(`/opportunities/${id}`);
  }

  /** A move between stages from the board or the record page; refused, back to the deal, told why. */
  @Post(':id/stage')
  @RefusalGoesTo('/opportunities/:id')
  @Redirect()
  async moveStage(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: StageChangeDto,
    @Req() req: Request,
  ) {
    // Losing a deal takes a reason: that is the lost form's to ask.
    if (dto.stage === 'lost' && !dto.lostReason) return seeOther(`/opportunities/${id}/lost`);
    await this.opportunities.moveStage(user, id, dto);
    flash(req, 'opportunity.moved');
    // Back on the board, at the card in its new column (on a phone, a long scroll from the top).
    const back = safeReturnTo(dto.returnTo, '').split('#')[0];
    return seeOther(back ? `${back}#deal-${id}` : `/opportunities/${id}`);
  }

  @Get(':id/lost')
  @Render('opportunities/lost')
  async lostPage(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.lostForm(user, id));
  }

  @Post(':id/lost')
  @FormView<OpportunitiesController>('opportunities/lost', (c, { user, ids }) => c.lostForm(user, ids.id))
  @Redirect()
  async markLost(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: LostDto,
    @Req() req: Request,
  ) {
    await this.opportunities.moveStage(user, id, {
      stage: 'lost',
      version: dto.version,
      lostReason: dto.lostReason,
      lostNote: dto.lostNote,
    });
    flash(req, 'opportunity.marked_lost');
    return seeOther(`/opportunities/${id}`);
  }

  @Post(':id/reopen')
  @RefusalGoesTo('/opportunities/:id')
  @Redirect()
  async reopen(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: ReopenDto,
    @Req() req: Request,
  ) {
    await this.opportunities.reopen(user, id, dto);
    flash(req, 'opportunity.reopened');
    return seeOther(`/opportunities/${id}`);
  }
}
