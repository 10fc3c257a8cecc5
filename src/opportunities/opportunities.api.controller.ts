import { Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiErrorBody } from '../common/api/api-error.js';
import { JsonBody, patched } from '../common/api/api-input.js';
import { API_PAGE_DEFAULT } from '../common/api/api-page.js';
import { StaleShowsCurrent } from '../common/api/stale-version.interceptor.js';
import { CurrentUser } from '../common/decorators.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { validateStrictly } from '../common/validation.js';
import { OpportunityApiQuery } from './dto/opportunity-api.dto.js';
import { OpportunityDto, OpportunityEditDto, ReopenDto, StageChangeDto } from './dto/opportunity.dto.js';
import { OpportunityPage, OpportunityResource } from './opportunity.resource.js';
import { OpportunitiesService } from './opportunities.service.js';

/**
 * /api/v1/opportunities: the deals the token's user sees (their own, their team's, or all), created on
 * customers they may work on, edited and moved between stages by the same rules as the pages.
 */
@ApiTags('opportunities')
@ApiBearerAuth()
@Controller('api/v1/opportunities')
export class OpportunitiesApiController {
  constructor(private readonly opportunities: OpportunitiesService) {}

  @Get()
  @ApiOkResponse({ type: OpportunityPage })
  list(@CurrentUser() user: SessionUser, @Query() query: OpportunityApiQuery): Promise<OpportunityPage> {
    return this.opportunities.page(user, query, query.limit ?? API_PAGE_DEFAULT);
  }

  @Get(':id')
  @ApiOkResponse({ type: OpportunityResource })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<OpportunityResource> {
    return this.opportunities.resource(user, id);
  }

  @Post()
  @ApiBody({ type: OpportunityDto })
  @ApiCreatedResponse({ type: OpportunityResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  async create(@CurrentUser() user: SessionUser, @JsonBody() body: unknown): Promise<OpportunityResource> {
    const dto = await validateStrictly(OpportunityDto, body);
    return this.opportunities.resource(user, await this.opportunities.create(user, dto));
  }

  @Patch(':id')
  @ApiBody({ type: OpportunityEditDto, description: 'The fields to change, and `version` (required).' })
  @ApiOkResponse({ type: OpportunityResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version` (`current` holds the deal as it now stands), or the deal is won or lost (`closed`) or, to reopen, still open (`still_open`).',
  })
  @StaleShowsCurrent<OpportunitiesApiController>((c, { user, ids }) => c.opportunities.resource(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<OpportunityResource> {
    const dto = await patched(OpportunityEditDto, await this.opportunities.storedFields(user, id), body);
    await this.opportunities.update(user, id, dto);
    return this.opportunities.resource(user, id);
  }

  @Post(':id/stage')
  @HttpCode(200)
  @ApiBody({ type: StageChangeDto })
  @ApiOkResponse({ type: OpportunityResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version` (`current` holds the deal as it now stands), or the deal is won or lost (`closed`) or, to reopen, still open (`still_open`).',
  })
  @StaleShowsCurrent<OpportunitiesApiController>((c, { user, ids }) => c.opportunities.resource(user, ids.id))
  async moveStage(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<OpportunityResource> {
    const dto = await validateStrictly(StageChangeDto, body);
    await this.opportunities.moveStage(user, id, dto);
    return this.opportunities.resource(user, id);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiBody({ type: ReopenDto })
  @ApiOkResponse({ type: OpportunityResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version`, or the deal is won or lost (`closed`) or, to reopen, still open (`still_open`).',
  })
  @StaleShowsCurrent<OpportunitiesApiController>((c, { user, ids }) => c.opportunities.resource(user, ids.id))
  async reopen(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<OpportunityResource> {
    await this.opportunities.reopen(user, id, await validateStrictly(ReopenDto, body));
    return this.opportunities.resource(user, id);
  }
}
