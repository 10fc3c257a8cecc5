import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
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
import { CONTACT_FIELDS, ContactsService } from './contacts.service.js';
import { ContactResource } from './customer.resource.js';
import { ContactApiDto, ContactApiQuery } from './dto/customer-api.dto.js';
import { ContactDto } from './dto/contact.dto.js';

class ContactPage {
  @ApiProperty({ type: [ContactResource] }) data: ContactResource[];
  @ApiProperty({ type: 'string', nullable: true, example: 'MzE' }) next: string | null;
}

/**
 * /api/v1/contacts: the people at the customers a token's user sees; adding, correcting and removing
 * them needs the right to edit their customer, as on the pages.
 */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/v1/contacts')
export class ContactsApiController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @ApiOkResponse({ type: ContactPage })
  list(@CurrentUser() user: SessionUser, @Query() query: ContactApiQuery): Promise<ContactPage> {
    return this.contacts.page(user, query, query.limit ?? API_PAGE_DEFAULT);
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactResource })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<ContactResource> {
    return this.contacts.resource(user, id);
  }

  @Post()
  @ApiCreatedResponse({ type: ContactResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  async create(@CurrentUser() user: SessionUser, @Body() dto: ContactApiDto): Promise<ContactResource> {
    const { customerId, ...contact } = dto;
    const id = await this.contacts.add(user, customerId, Object.assign(new ContactDto(), contact));
    return this.contacts.resource(user, id);
  }

  @Patch(':id')
  @ApiBody({ type: ContactDto, description: 'The fields to change, and `version` (required).' })
  @ApiOkResponse({ type: ContactResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Stale `version`: `current` holds the contact as it now stands.',
  })
  @StaleShowsCurrent<ContactsApiController>((c, { user, ids }) => c.contacts.resource(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<ContactResource> {
    const stored = await this.contacts.resource(user, id);
    const kept = Object.fromEntries(
      CONTACT_FIELDS.map((f) => [f, (stored as unknown as Record<string, unknown>)[f]]),
    );
    await this.contacts.update(user, stored.customerId, id, await patched(ContactDto, kept, body));
    return this.contacts.resource(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<void> {
    await this.contacts.remove(user, await this.contacts.customerOf(id), id);
  }
}
