import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import { OnceOnly } from '../common/once-only.js';
import type { SessionUser } from '../common/session-user.js';
import { ContractsService } from './contracts.service.js';
import {
  InvoiceDto,
  PaymentDto,
  PaymentPlanDto,
  PaymentPlanQueryDto,
  ReversalDto,
} from './dto/payment.dto.js';
import type { InstallmentInput } from './payment-plan.js';
import { PaymentsService } from './payments.service.js';

/** The installments a refused plan form sent, as text (the typed values shown again), or null. */
function typedInstallments(input: unknown): InstallmentInput[] | null {
  if (input === null || typeof input !== 'object') return null;
  const rows = Array.isArray(input)
    ? input
    : Object.entries(input as Record<string, unknown>)
        .filter(([k]) => /^\d+$/.test(k))
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, v]) => v);
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return rows
    .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object')
    .filter((r) => Object.values(r).some((v) => typeof v === 'string' && v.trim() !== ''))
    .map((r) => ({ id: text(r.id), dueOn: text(r.dueOn), amount: text(r.amount), note: text(r.note) }));
}

/**
 * The money of contracts on pages: the payment plan's form (with the equal split), recording payments
 * and invoices and reversing a payment from the contract's page, and /contracts/receivables, the
 * money outstanding and overdue by owner. Registered before the contracts' own pages, so that
 * /contracts/receivables is not read as a contract's id.
 */
@Controller('contracts')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly contracts: ContractsService,
  ) {}

  /** The contract page again, with the form that was refused (`activeForm`) showing its errors. */
  /**
   * The contract's page, with `activeForm` shown again (a refused payment, invoice or reversal):
   * `reversalOf` names the payment or invoice (`invoiceReversalOf`) whose reversal was refused.
   */
  async showModel(
    user: SessionUser,
    id: number,
    activeForm: string | null = null,
    reversalOf: number | null = null,
    invoiceReversalOf: number | null = null,
  ) {
    const shown = await this.contracts.show(user, id);
    return {
      titleText: `${shown.contract.number} ${shown.contract.title}`,
      section: 'contracts',
      ...shown,
      activeForm,
      reversalOf,
      invoiceReversalOf,
      values: { version: shown.contract.version },
    };
  }

  private async planModel(user: SessionUser, id: number, split?: number, typed?: InstallmentInput[] | null) {
    const plan = await this.payments.planForm(user, id, split, typed);
    return {
      title: 'payment.plan_title',
      titleText: `${plan.contract.number} ${plan.contract.title}`,
      section: 'contracts',
      ...plan,
    };
  }

  @Get('receivables')
  @Render('contracts/receivables')
  async receivables(@CurrentUser() user: SessionUser) {
    return {
      title: 'payment.receivables_title',
      section: 'contracts',
      ...(await this.payments.receivables(user)),
    };
  }

  @Get(':id/plan')
  @Render('contracts/plan')
  async planForm(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Query() query: PaymentPlanQueryDto,
  ) {
    return freshForm(await this.planModel(user, id, query.split));
  }

  @Post(':id/plan')
  @FormView<PaymentsController>('contracts/plan', (c, { user, ids, input }) =>
    c.planModel(user, ids.id, undefined, typedInstallments(input.installments) ?? []),
  )
  @Redirect()
  async savePlan(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: PaymentPlanDto,
    @Req() req: Request,
  ) {
    await this.payments.savePlan(user, id, dto);
    flash(req, 'payment.plan_saved');
    return seeOther(`/contracts/${id}#money`);
  }

  @Post(':id/payments')
  @FormView<PaymentsController>('contracts/show', (c, { user, ids }) => c.showModel(user, ids.id, 'payment'))
  // The same payment form sent twice (a double tap, Back and Save) records the money once.
  @OnceOnly()
  @Redirect()
  async recordPayment(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: PaymentDto,
    @Req() req: Request,
  ) {
    await this.payments.recordPayment(user, id, dto);
    flash(req, 'payment.recorded');
    return seeOther(`/contracts/${id}#money`);
  }

  @Post(':id/payments/:paymentId/reverse')
  @FormView<PaymentsController>('contracts/show', (c, { user, ids }) =>
    c.showModel(user, ids.id, 'reversal', ids.paymentId),
  )
  @Redirect()
  async reversePayment(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Param('paymentId', IdPipe) paymentId: number,
    @Body() dto: ReversalDto,
    @Req() req: Request,
  ) {
    await this.payments.reversePayment(user, id, paymentId, dto);
    flash(req, 'payment.reversed');
    return seeOther(`/contracts/${id}#money`);
  }

  @Post(':id/invoices/:invoiceId/reverse')
  @FormView<PaymentsController>('contracts/show', (c, { user, ids }) =>
    c.showModel(user, ids.id, 'invoice-reversal', null, ids.invoiceId),
  )
  @Redirect()
  async reverseInvoice(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Param('invoiceId', IdPipe) invoiceId: number,
    @Body() dto: ReversalDto,
    @Req() req: Request,
  ) {
    await this.payments.reverseInvoice(user, id, invoiceId, dto);
    flash(req, 'invoice.reversed');
    return seeOther(`/contracts/${id}#money`);
  }

  @Post(':id/invoices')
  @FormView<PaymentsController>('contracts/show', (c, { user, ids }) => c.showModel(user, ids.id, 'invoice'))
  // As a payment: sent twice, the invoice is recorded once (not refused as a repeated number).
  @OnceOnly()
  @Redirect()
  async recordInvoice(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: InvoiceDto,
    @Req() req: Request,
  ) {
    await this.payments.recordInvoice(user, id, dto);
    flash(req, 'invoice.recorded');
    return seeOther(`/contracts/${id}#money`);
  }
}
