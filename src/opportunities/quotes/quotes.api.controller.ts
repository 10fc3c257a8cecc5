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
import { ApiErrorBody } from '../../common/api/api-error.js';
import { JsonBody, patched } from '../../common/api/api-input.js';
import { API_PAGE_DEFAULT } from '../../common/api/api-page.js';
import { StaleShowsCurrent } from '../../common/api/stale-version.interceptor.js';
import { CurrentUser } from '../../common/decorators.js';
import { IdPipe } from '../../common/ids.js';
import type { SessionUser } from '../../common/session-user.js';
import { validateStrictly } from '../../common/validation.js';
import { QuoteApiQuery } from './dto/quote-api.dto.js';
import { QuoteActionDto, QuoteDto, QuoteEditDto } from './dto/quote.dto.js';
import { QuotePage, QuoteResource } from './quote.resource.js';
import { QuotesService } from './quotes.service.js';

/**
 * /api/v1/quotes: the quotes on the deals the token's user sees, made and edited with their lines by
 * the same rules as the pages; `submit` sends one for approval past the discount threshold, else marks
 * it sent.
 */
@ApiTags('quotes')
@ApiBearerAuth()
@Controller('api/v1/quotes')
export class QuotesApiController {
  constructor(private readonly quotes: QuotesService) {}

  @Get()
  @ApiOkResponse({ type: QuotePage })
  list(@CurrentUser() user: SessionUser, @Query() query: QuoteApiQuery): Promise<QuotePage> {
    return this.quotes.page(user, query, query.limit ?? API_PAGE_DEFAULT);
  }

  @Get(':id')
  @ApiOkResponse({ type: QuoteResource })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<QuoteResource> {
    return this.quotes.resource(user, id);
  }

  @Post()
  @ApiBody({ type: QuoteDto })
  @ApiCreatedResponse({ type: QuoteResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  async create(@CurrentUser() user: SessionUser, @JsonBody() body: unknown): Promise<QuoteResource> {
    const dto = await validateStrictly(QuoteDto, body);
    return this.quotes.resource(user, await this.quotes.createOnDeal(user, dto));
  }

  @Patch(':id')
  @ApiBody({
    type: QuoteEditDto,
    description: 'The fields to change (`lines` replaces them all), and `version` (required).',
  })
  @ApiOkResponse({ type: QuoteResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version` (`current` holds the quote as it now stands), or the quote’s status does not allow this now (`wrong_status`).',
  })
  @StaleShowsCurrent<QuotesApiController>((c, { user, ids }) => c.quotes.resource(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<QuoteResource> {
    const dto = await patched(QuoteEditDto, await this.quotes.storedFields(user, id), body);
    await this.quotes.update(user, id, dto);
    return this.quotes.resource(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed (a draft or rejected quote; its number stays taken).' })
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<void> {
    await this.quotes.remove(user, id);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiBody({ type: QuoteActionDto })
  @ApiOkResponse({
    type: QuoteResource,
    description: '`status` is `pending_approval` past the discount threshold, else `sent`.',
  })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Stale `version`, or the quote’s status does not allow this now (`wrong_status`).',
  })
  @StaleShowsCurrent<QuotesApiController>((c, { user, ids }) => c.quotes.resource(user, ids.id))
  async submit(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<QuoteResource> {
    await this.quotes.submit(user, id, await validateStrictly(QuoteActionDto, body));
    return this.quotes.resource(user, id);
  }
}
