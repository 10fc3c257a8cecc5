import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
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
import { FollowUpApiQuery, followUpTimesAsLocal } from './dto/follow-up-api.dto.js';
import { FollowUpDto, FollowUpEditDto } from './dto/follow-up.dto.js';
import { FollowUpPage, FollowUpResource } from './follow-up.resource.js';
import { FollowUpsService } from './follow-ups.service.js';

/**
 * /api/v1/follow-ups: visits, calls and chats logged on customers the token's user sees; logged where
 * they may work on the customer, corrected or removed by their author within a day, as on the pages.
 */
@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('api/v1/follow-ups')
export class FollowUpsApiController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Get()
  @ApiOkResponse({ type: FollowUpPage })
  list(@CurrentUser() user: SessionUser, @Query() query: FollowUpApiQuery): Promise<FollowUpPage> {
    return this.followUps.page(user, query, query.limit ?? API_PAGE_DEFAULT);
  }

  @Get(':id')
  @ApiOkResponse({ type: FollowUpResource })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<FollowUpResource> {
    return this.followUps.resource(user, id);
  }

  @Post()
  @ApiBody({ type: FollowUpDto })
  @ApiCreatedResponse({ type: FollowUpResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  async create(@CurrentUser() user: SessionUser, @JsonBody() body: unknown): Promise<FollowUpResource> {
    const dto = await validateStrictly(FollowUpDto, followUpTimesAsLocal(body, user.timezone));
    return this.followUps.resource(user, await this.followUps.log(user, dto));
  }

  @Patch(':id')
  @ApiBody({ type: FollowUpEditDto, description: 'The fields to change, and `version` (required).' })
  @ApiOkResponse({ type: FollowUpResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version` (`current` holds the follow-up as it now stands), or the day for corrections is over.',
  })
  @StaleShowsCurrent<FollowUpsApiController>((c, { user, ids }) => c.followUps.resource(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<FollowUpResource> {
    const { customerId: _customer, ...stored } = (await this.followUps.editForm(user, id)).followUp.values;
    const dto = await patched(FollowUpEditDto, stored, followUpTimesAsLocal(body, user.timezone));
    await this.followUps.update(user, id, dto);
    return this.followUps.resource(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<void> {
    await this.followUps.remove(user, id);
  }
}
