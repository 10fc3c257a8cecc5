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
import { JsonBody } from '../common/api/api-input.js';
import { StaleShowsCurrent } from '../common/api/stale-version.interceptor.js';
import { CurrentUser } from '../common/decorators.js';
import { ValidationFailed } from '../common/errors.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { validateStrictly } from '../common/validation.js';
import {
  TicketApiCreateDto,
  TicketApiEditDto,
  TicketApiMessageDto,
  TicketApiQuery,
  TicketApiVersionDto,
} from './dto/api-ticket.dto.js';
import { TicketMessageList, TicketPage, TicketResource } from './ticket.resource.js';
import { TicketResources } from './ticket-resources.service.js';
import { TicketsService } from './tickets.service.js';

/** An ISO 8601 time that says its offset: the instant is then unambiguous. */
const WITH_OFFSET = /T.*(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * /api/v1/tickets: the queues, a ticket and its conversation, as the token's user sees them (a
 * service agent their team's tickets, a sales rep those of their customers, read only); an agent
 * logs a request that came in by phone, WeChat, a visit or at the counter, changes, answers, resolves
 * and reopens tickets by the same rules as the pages. Every change names the ticket's version.
 */
@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api/v1/tickets')
export class TicketsApiController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly resources: TicketResources,
  ) {}

  @Get()
  @ApiOkResponse({ type: TicketPage })
  list(@CurrentUser() user: SessionUser, @Query() query: TicketApiQuery): Promise<TicketPage> {
    return this.resources.page(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: TicketResource })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<TicketResource> {
    return this.resources.one(user, id);
  }

  @Post()
  @ApiBody({ type: TicketApiCreateDto })
  @ApiCreatedResponse({ type: TicketResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  async create(@CurrentUser() user: SessionUser, @JsonBody() body: unknown): Promise<TicketResource> {
    const dto = await validateStrictly(TicketApiCreateDto, body);
    if (dto.receivedAt !== null && !WITH_OFFSET.test(dto.receivedAt))
      throw ValidationFailed.field('receivedAt', 'validation.isDateTime');
    const opened = await this.tickets.open(
      {
        channel: dto.channel,
        type: dto.type,
        priority: dto.priority ?? undefined,
        subject: dto.subject,
        body: dto.body,
        requester: dto.requester ?? (await this.tickets.knownRequester(user, dto.customerId!, dto.contactId)),
        customerId: dto.customerId,
        contactId: dto.contactId,
        receivedAt: dto.receivedAt === null ? null : new Date(dto.receivedAt),
        locale: user.locale,
      },
      user,
    );
    return this.resources.one(user, opened.id);
  }

  @Patch(':id')
  @ApiBody({
    type: TicketApiEditDto,
    description: 'The fields to change (status, priority, type, assignee), and `version` (required).',
  })
  @ApiOkResponse({ type: TicketResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version` (`current` holds the ticket as it now stands), or the ticket’s status does not allow this now (`wrong_status`).',
  })
  @StaleShowsCurrent<TicketsApiController>((c, { user, ids }) => c.resources.one(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<TicketResource> {
    await this.tickets.change(id, user, await validateStrictly(TicketApiEditDto, body));
    return this.resources.one(user, id);
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: TicketMessageList })
  messages(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<TicketMessageList> {
    return this.resources.messages(user, id);
  }

  @Post(':id/messages')
  @ApiBody({ type: TicketApiMessageDto })
  @ApiCreatedResponse({
    type: TicketResource,
    description: 'The ticket after the message (its new `version`); the message is in `GET …/messages`.',
  })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Stale `version`, or the ticket’s status does not allow this now (`wrong_status`).',
  })
  @StaleShowsCurrent<TicketsApiController>((c, { user, ids }) => c.resources.one(user, ids.id))
  async addMessage(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<TicketResource> {
    await this.tickets.reply(id, user, await validateStrictly(TicketApiMessageDto, body));
    return this.resources.one(user, id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiBody({ type: TicketApiVersionDto })
  @ApiOkResponse({ type: TicketResource, description: 'Resolved: the customer is sent the survey.' })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Stale `version`, or the ticket’s status does not allow this now (`wrong_status`).',
  })
  @StaleShowsCurrent<TicketsApiController>((c, { user, ids }) => c.resources.one(user, ids.id))
  async resolve(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<TicketResource> {
    await this.tickets.resolve(id, user, await validateStrictly(TicketApiVersionDto, body));
    return this.resources.one(user, id);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @ApiBody({ type: TicketApiVersionDto })
  @ApiOkResponse({
    type: TicketResource,
    description: 'A resolved ticket back to work: its clock runs again.',
  })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Stale `version`, or the ticket’s status does not allow this now (`wrong_status`).',
  })
  @StaleShowsCurrent<TicketsApiController>((c, { user, ids }) => c.resources.one(user, ids.id))
  async reopen(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<TicketResource> {
    await this.tickets.reopen(id, user, await validateStrictly(TicketApiVersionDto, body));
    return this.resources.one(user, id);
  }
}
