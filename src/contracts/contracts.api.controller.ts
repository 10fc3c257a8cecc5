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
import { ContractPage, ContractResource } from './contract.resource.js';
import { ContractsService } from './contracts.service.js';
import { ContractApiQuery } from './dto/contract-api.dto.js';
import { ContractDecisionDto, ContractDto, ContractEditDto, ContractVersionDto } from './dto/contract.dto.js';

/**
 * /api/v1/contracts: the contracts the token's user sees, created on customers they may work on,
 * edited while a draft or rejected, submitted for approval, approved or rejected by their approvers,
 * by the same rules as the pages. Signing needs the signed scan, so it is done on the contract's page.
 */
@ApiTags('contracts')
@ApiBearerAuth()
@Controller('api/v1/contracts')
export class ContractsApiController {
  constructor(private readonly contracts: ContractsService) {}

  @Get()
  @ApiOkResponse({ type: ContractPage })
  list(@CurrentUser() user: SessionUser, @Query() query: ContractApiQuery): Promise<ContractPage> {
    return this.contracts.page(user, query, query.limit ?? API_PAGE_DEFAULT);
  }

  @Get(':id')
  @ApiOkResponse({ type: ContractResource })
  get(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<ContractResource> {
    return this.contracts.resource(user, id);
  }

  @Post()
  @ApiBody({ type: ContractDto })
  @ApiCreatedResponse({ type: ContractResource })
  @ApiUnprocessableEntityResponse({ type: ApiErrorBody })
  async create(@CurrentUser() user: SessionUser, @JsonBody() body: unknown): Promise<ContractResource> {
    const dto = await validateStrictly(ContractDto, body);
    return this.contracts.resource(user, await this.contracts.create(user, dto));
  }

  @Patch(':id')
  @ApiBody({ type: ContractEditDto, description: 'The fields to change, and `version` (required).' })
  @ApiOkResponse({ type: ContractResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version` (`current` holds the contract as it now stands), or the contract’s status does not allow this now (`wrong_status`): a contract pending approval is not edited.',
  })
  @StaleShowsCurrent<ContractsApiController>((c, { user, ids }) => c.contracts.resource(user, ids.id))
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<ContractResource> {
    const dto = await patched(ContractEditDto, await this.contracts.storedFields(user, id), body);
    await this.contracts.update(user, id, dto);
    return this.contracts.resource(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted (a draft or a rejected contract only).' })
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<void> {
    await this.contracts.remove(user, id);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiBody({ type: ContractVersionDto })
  @ApiOkResponse({ type: ContractResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description:
      'Stale `version`, the contract’s status does not allow this now (`wrong_status`), or its payment plan no longer adds up to its amount (`plan_not_amount`).',
  })
  @StaleShowsCurrent<ContractsApiController>((c, { user, ids }) => c.contracts.resource(user, ids.id))
  async submit(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<ContractResource> {
    await this.contracts.submit(user, id, await validateStrictly(ContractVersionDto, body));
    return this.contracts.resource(user, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiBody({ type: ContractDecisionDto })
  @ApiOkResponse({ type: ContractResource })
  @ApiConflictResponse({ type: ApiErrorBody, description: 'The contract is not waiting for approval.' })
  async approve(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<ContractResource> {
    const dto = await validateStrictly(ContractDecisionDto, body ?? {});
    await this.contracts.decide(user, id, 'approve', dto.comment);
    return this.contracts.resource(user, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiBody({ type: ContractDecisionDto })
  @ApiOkResponse({ type: ContractResource })
  @ApiConflictResponse({ type: ApiErrorBody, description: 'The contract is not waiting for approval.' })
  async reject(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<ContractResource> {
    const dto = await validateStrictly(ContractDecisionDto, body ?? {});
    await this.contracts.decide(user, id, 'reject', dto.comment);
    return this.contracts.resource(user, id);
  }
}
