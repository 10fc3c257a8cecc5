import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { JsonBody, patched } from '../common/api/api-input.js';
import { API_PAGE_DEFAULT, sortCursorOf } from '../common/api/api-page.js';
import { StaleShowsCurrent } from '../common/api/stale-version.interceptor.js';
import { ApiErrorBody } from '../common/api/api-error.js';
import { CurrentUser } from '../common/decorators.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { CUSTOMER_FIELDS, CustomersService } from './customers.service.js';
import {
  CustomerPage,
  CustomerResource,
  toCustomerResource,
  toCustomerSummary,
} from './customer.resource.js';
import { CustomerApiQuery } from './dto/customer-api.dto.js';
import { CustomerDto } from './dto/customer.dto.js';

/**
 * /api/v1/customers: the customer list, record, create, edit and soft delete, for a bearer token's
 * user, through the same DTOs, rules and scope as the pages (a customer outside it answers 404).
 */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/v1/customers')
export class CustomersApiController {
  constructor(private readonly customers: CustomersService) {}

  async current(user: SessionUser, id: number): Promise<CustomerResource> {
    const customer = await this.customers.get(user, id);
    return toCustomerResource(customer, customer.ownerName, customer.contacts);
  }

  @Get()
  @ApiOkResponse({ type: CustomerPage, description: 'A page of the list, with the cursor of the next.' })
  async list(@CurrentUser() user: SessionUser, @Query() query: CustomerApiQuery): Promise<CustomerPage> {
    const { cursor, limit, ...filter } = query;
    const after = sortCursorOf(cursor);
    const page = await this.customers.list(user, { ...filter, after }, limit ?? API_PAGE_DEFAULT);
    return { data: page.rows.map(toCustomerSummary), next: page.next };
  }

  @Get(':id')
  @ApiOkResponse({ type: CustomerResource })
  @ApiNotFoundResponse({
    type: ApiErrorBody,
    description: 'No such customer, or outside the token user’s scope.',
  })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<CustomerResource> {
    return this.current(user, id);
  }

  @Post()
  @ApiCreatedResponse({ type: CustomerResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Look-alike customers exist (`duplicates`, each with its owner). Send `confirmDuplicate: true` to save anyway; a manager or admin also gives `duplicateReason`. A sales rep cannot copy another rep’s customer.',
  })
  async create(@CurrentUser() user: SessionUser, @Body() dto: CustomerDto): Promise<CustomerResource> {
    return this.current(user, await this.customers.create(user, dto));
  }

  @Patch(':id')
  @ApiBody({ type: CustomerDto, description: 'The fields to change, and `version` (required).' })
  @ApiOkResponse({ type: CustomerResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version`: the answer’s `current` holds the record as it now stands. Or look-alikes (`duplicates`).',
  })
  @StaleShowsCurrent<CustomersApiController>((c, { user, ids }) => c.current(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<CustomerResource> {
    const stored = await this.customers.getEditable(user, id);
    const dto = await patched(CustomerDto, pick(stored, CUSTOMER_FIELDS), body);
    await this.customers.update(user, id, dto);
    return this.current(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Moved to the recycle bin (an admin or its owner restores it).' })
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<void> {
    await this.customers.remove(user, id);
  }
}

/** The listed fields of a record. */
function pick<T extends object>(record: T, fields: readonly string[]): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  return Object.fromEntries(fields.filter((f) => f in source).map((f) => [f, source[f]]));
}
