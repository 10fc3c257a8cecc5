import { Body, Controller, Get, Param, Post, Query, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm, RefusalGoesTo } from '../../common/decorators.js';
import { FormRedisplay } from '../../common/errors.js';
import { flash, seeOther } from '../../common/flash.js';
import { IdPipe } from '../../common/ids.js';
import { OnceOnly } from '../../common/once-only.js';
import { LOCALES } from '../../common/roles.js';
import { isLocale } from '../../i18n/i18n.js';
import type { SessionUser } from '../../common/session-user.js';
import { CompanySettings } from '../../common/settings/company.js';
import { compactLines, QuoteActionDto, QuoteEditDto, QuoteFieldsDto } from './dto/quote.dto.js';
import { MAX_LINES } from './quote.options.js';
import { blankLine, type QuoteLineValues, QuotesService } from './quotes.service.js';

/**
 * The rows a form shows again, from what it sent: the same rows the DTO reads (blank ones dropped),
 * as text, plus an empty one to type into (two after "add line"), at most MAX_LINES.
 */
function typedLines(input: Readonly<Record<string, unknown>>): QuoteLineValues[] {
  const rows = compactLines(input.lines);
  const typed = (Array.isArray(rows) ? rows : []).slice(0, MAX_LINES).map((row) => {
    const r = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
    const line = blankLine();
    for (const k of Object.keys(line) as (keyof QuoteLineValues)[])
      line[k] = typeof r[k] === 'string' ? r[k] : '';
    return line;
  });
  if (input._addLine !== undefined || !typed.length) typed.push(blankLine());
  return typed.slice(0, MAX_LINES);
}

/** Rows numbered as printed: 1, 2, 3… */
const numbered = (lines: QuoteLineValues[]) => lines.map((l, i) => ({ ...l, position: i + 1 }));

/**
 * Quotes' pages: the form on a deal (/opportunities/:id/quotes/new) and of a quote, its record page
 * (/quotes/:id), its status moves, and the printable A4 page (/quotes/:id/print).
 */
@Controller()
export class QuotesController {
  constructor(
    private readonly quotes: QuotesService,
    private readonly company: CompanySettings,
  ) {}

  async newModel(user: SessionUser, dealId: number, input?: Readonly<Record<string, unknown>>) {
    const form = await this.quotes.newForm(user, dealId);
    return {
      title: 'quote.new',
      section: 'opportunities',
      ...form,
      lines: numbered(input ? typedLines(input) : form.lines),
    };
  }

  async editModel(user: SessionUser, id: number, input?: Readonly<Record<string, unknown>>) {
    const form = await this.quotes.editForm(user, id);
    return {
      title: 'quote.edit',
      titleText: form.quote.number,
      section: 'opportunities',
      ...form,
      lines: numbered(input ? typedLines(input) : [...form.lines, blankLine()]),
    };
  }

  @Get('opportunities/:id/quotes/new')
  @Render('quotes/form')
  async newForm(@CurrentUser() user: SessionUser, @Param('id', IdPipe) dealId: number) {
    return freshForm(await this.newModel(user, dealId));
  }

  @Post('opportunities/:id/quotes/new')
  @FormView<QuotesController>('quotes/form', (c, { user, ids, input }) => c.newModel(user, ids.id, input))
  @OnceOnly()
  @Redirect()
  async create(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) dealId: number,
    @Body() dto: QuoteFieldsDto,
    @Req() req: Request,
  ) {
    if (dto._addLine !== undefined) throw new FormRedisplay();
    const id = await this.quotes.create(user, dealId, dto);
    flash(req, 'quote.created');
    return seeOther(`/quotes/${id}`);
  }

  @Get('quotes/:id')
  @Render('quotes/show')
  async show(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    const { quote, approval } = await this.quotes.show(user, id);
    return { titleText: quote.number, section: 'opportunities', quote, approval };
  }

  @Get('quotes/:id/edit')
  @Render('quotes/form')
  async editForm(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number) {
    return freshForm(await this.editModel(user, id));
  }

  @Post('quotes/:id/edit')
  @FormView<QuotesController>('quotes/form', (c, { user, ids, input }) => c.editModel(user, ids.id, input))
  @Redirect()
  async update(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: QuoteEditDto,
    @Req() req: Request,
  ) {
    if (dto._addLine !== undefined) throw new FormRedisplay();
    await this.quotes.update(user, id, dto);
    flash(req, 'quote.updated');
    return seeOther(`/quotes/${id}`);
  }

  @Post('quotes/:id/submit')
  @RefusalGoesTo('/quotes/:id')
  @Redirect()
  async submit(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: QuoteActionDto,
    @Req() req: Request,
  ) {
    const status = await this.quotes.submit(user, id, dto);
    flash(req, status === 'pending_approval' ? 'quote.submitted' : 'quote.marked_sent');
    return seeOther(`/quotes/${id}`);
  }

  @Post('quotes/:id/send')
  @RefusalGoesTo('/quotes/:id')
  @Redirect()
  send(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: QuoteActionDto,
    @Req() req: Request,
  ) {
    return this.move(user, id, 'send', dto, req);
  }

  @Post('quotes/:id/accept')
  @RefusalGoesTo('/quotes/:id')
  @Redirect()
  accept(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: QuoteActionDto,
    @Req() req: Request,
  ) {
    return this.move(user, id, 'accept', dto, req);
  }

  @Post('quotes/:id/expire')
  @RefusalGoesTo('/quotes/:id')
  @Redirect()
  expire(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: QuoteActionDto,
    @Req() req: Request,
  ) {
    return this.move(user, id, 'expire', dto, req);
  }

  private async move(
    user: SessionUser,
    id: number,
    action: 'send' | 'accept' | 'expire',
    dto: QuoteActionDto,
    req: Request,
  ) {
    await this.quotes.move(user, id, action, dto);
    flash(req, `quote.moved_${action}`);
    return seeOther(`/quotes/${id}`);
  }

  @Post('quotes/:id/delete')
  @RefusalGoesTo('/quotes/:id')
  @Redirect()
  async remove(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const { dealId } = await this.quotes.get(user, id);
    await this.quotes.remove(user, id);
    flash(req, 'quote.deleted');
    return seeOther(`/opportunities/${dealId}`);
  }

  /** The printable A4 page, in the viewer's language or `?lang=en|zh-CN`. */
  @Get('quotes/:id/print')
  @Render('quotes/print')
  async print(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Query('lang') lang?: string,
  ) {
    const locale = lang && isLocale(lang) ? lang : user.locale;
    const quote = await this.quotes.get(user, id);
    return {
      layout: 'print',
      locale,
      locales: LOCALES,
      titleText: quote.number,
      quote,
      // Printed before its discount is approved (or after a refusal), the sheet says it is not to be sent.
      awaitingApproval:
        quote.status === 'pending_approval' ||
        quote.status === 'rejected' ||
        (quote.status === 'draft' && quote.needsApproval),
      company: await this.company.letterhead(locale),
    };
  }
}
