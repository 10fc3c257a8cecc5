import { Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
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
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { validateStrictly } from '../common/validation.js';
import { InvoiceDto, PaymentDto, PaymentPlanDto } from './dto/payment.dto.js';
import {
  InvoiceList,
  InvoiceResource,
  PaymentList,
  PaymentPlanResource,
  PaymentResource,
} from './payment.resource.js';
import { PaymentsService } from './payments.service.js';

/**
 * A contract's money through the API, by the same rules as its page: the payment plan (replaced as a
 * whole on its version), payments received (回款, allocated oldest first; only on a signed or completed
 * contract, never more than is outstanding) and invoices (开票, never more than the contract's amount).
 * A contract the token's user does not see answers 404 on every route.
 */
@ApiTags('contracts')
@ApiBearerAuth()
@Controller('api/v1/contracts')
export class PaymentsApiController {
  constructor(private readonly payments: PaymentsService) {}

  @Get(':id/plan')
  @ApiOkResponse({ type: PaymentPlanResource })
  plan(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<PaymentPlanResource> {
    return this.payments.planResource(user, id);
  }

  @Put(':id/plan')
  @ApiBody({
    type: PaymentPlanDto,
    description: 'Every installment (ids keep stored ones) and `version` (0 for a first plan).',
  })
  @ApiOkResponse({ type: PaymentPlanResource })
  @ApiConflictResponse({
    type: ApiErrorBody,
    description: 'Stale `version` (`current` holds the plan as it now stands).',
  })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorBody,
    description: 'The installments do not sum to the amount, or a paid one changed.',
  })
  @StaleShowsCurrent<PaymentsApiController>((c, { user, ids }) => c.payments.planResource(user, ids.id))
  async savePlan(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<PaymentPlanResource> {
    await this.payments.savePlan(user, id, await validateStrictly(PaymentPlanDto, body));
    return this.payments.planResource(user, id);
  }

  @Get(':id/payments')
  @ApiOkResponse({ type: PaymentList })
  list(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<PaymentList> {
    return this.payments.paymentList(user, id);
  }

  @Post(':id/payments')
  @HttpCode(201)
  @ApiBody({ type: PaymentDto })
  @ApiCreatedResponse({ type: PaymentResource })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorBody,
    description: 'More than is outstanding, a day in the future…',
  })
  async record(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<PaymentResource> {
    const paymentId = await this.payments.recordPayment(user, id, await validateStrictly(PaymentDto, body));
    return this.payments.paymentResource(user, id, paymentId);
  }

  @Get(':id/invoices')
  @ApiOkResponse({ type: InvoiceList })
  invoices(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number): Promise<InvoiceList> {
    return this.payments.invoiceList(user, id);
  }

  @Post(':id/invoices')
  @HttpCode(201)
  @ApiBody({ type: InvoiceDto })
  @ApiCreatedResponse({ type: InvoiceResource })
  @ApiUnprocessableEntityResponse({
    type: ApiErrorBody,
    description: 'Over the contract amount, a number used twice…',
  })
  async issue(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @JsonBody() body: unknown,
  ): Promise<InvoiceResource> {
    const invoiceId = await this.payments.recordInvoice(user, id, await validateStrictly(InvoiceDto, body));
    return this.payments.invoiceResource(user, id, invoiceId);
  }
}
