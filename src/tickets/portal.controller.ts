import { Body, Controller, Get, Param, Post, Redirect, Render, Req, UploadedFiles } from '@nestjs/common';
import type { Request } from 'express';
import { CustomersService } from '../customers/customers.service.js';
import { guestToken } from '../common/csrf.guard.js';
import { FormView, Public } from '../common/decorators.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { flash, seeOther } from '../common/flash.js';
import { PortalReplyDto, PortalTicketDto } from './dto/portal.dto.js';
import { PortalRateLimit, portalKeys } from './portal-rate-limit.js';
import { uploads } from './ticket-upload.middleware.js';
import { TICKET_TYPES } from './ticket.options.js';
import { TicketsService } from './tickets.service.js';

declare module 'express-session' {
  interface SessionData {
    /** The ticket the portal form just opened, for the page after it (post/redirect/get). */
    portalSent?: { number: string; token: string };
  }
}

/** A tracking token as links carry it: anything else is simply not found. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The customer's side of tickets, with no login, phone-first, in the visitor's language: the request
 * form (/portal/tickets/new) and the tracking page of one ticket (/portal/tickets/:token), where the
 * customer reads the public replies and answers them.
 */
@Public()
@Controller('portal/tickets')
export class PortalController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly customers: CustomersService,
    private readonly limit: PortalRateLimit,
  ) {}

  /** The request form; shown again after a POST, the session already holds its token. */
  newModel() {
    return { title: 'portal.new_title', layout: 'bare', types: TICKET_TYPES };
  }

  async trackingModel(token: string) {
    const ticket = TOKEN.test(token) ? await this.tickets.byTrackingToken(token) : null;
    if (!ticket) throw new NotFound();
    return {
      titleText: ticket.number,
      layout: 'bare',
      ticket,
      token,
      values: {},
    };
  }

  @Get('new')
  @Render('portal/new')
  newForm(@Req() req: Request) {
    return { ...this.newModel(), csrfToken: guestToken(req), form: { values: {}, errors: {} } };
  }

  /**
   * A request from the form. A filled-in honeypot is a bot: it is told "received" and nothing is kept.
   * Past the hourly bound for its IP address or its e-mail or mobile, the form says when to try again.
   */
  @Post('new')
  @FormView<PortalController>('portal/new', (c) => c.newModel())
  @Redirect()
  async create(
    @Body() dto: PortalTicketDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Req() req: Request,
  ) {
    if (dto.website) return seeOther('/portal/tickets/sent');
    // A number agents could not call back (seven digits, a wrong prefix) is refused as their form does.
    const mobileProblem = dto.mobile ? this.customers.mobileProblem(dto.mobile) : null;
    if (mobileProblem) throw ValidationFailed.field('mobile', mobileProblem);
    await this.limit.take(portalKeys(req.ip, dto.email, dto.mobile));
    const opened = await this.tickets.open(
      {
        channel: 'portal',
        type: dto.type,
        subject: dto.subject,
        body: dto.description,
        requester: { name: dto.name, company: dto.company, email: dto.email, mobile: dto.mobile },
        attachments: uploads(files),
        locale: req.locale,
      },
      null,
    );
    req.session.portalSent = { number: opened.number, token: opened.trackingToken };
    return seeOther('/portal/tickets/sent');
  }

  /**
   * After the form: the ticket's number and its tracking link, again on a reload (a customer who gave
   * no e-mail has no other way back to it), until this browser sends another request.
   */
  @Get('sent')
  @Render('portal/sent')
  sent(@Req() req: Request) {
    const sent = req.session.portalSent;
    return {
      title: 'portal.sent_title',
      layout: 'bare',
      csrfToken: guestToken(req),
      number: sent?.number,
      trackingPath: sent ? `/portal/tickets/${sent.token}` : null,
    };
  }

  @Get(':token')
  @Render('portal/show')
  async show(@Param('token') token: string, @Req() req: Request) {
    const model = await this.trackingModel(token);
    return { ...model, csrfToken: guestToken(req), form: { values: {}, errors: {} } };
  }

  @Post(':token/reply')
  @FormView<PortalController>('portal/show', (c, { params }) => c.trackingModel(params.token))
  @Redirect()
  async reply(
    @Param('token') token: string,
    @Body() dto: PortalReplyDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Req() req: Request,
  ) {
    if (!TOKEN.test(token)) throw new NotFound();
    // A conversation is not a flood: twenty replies an hour per ticket.
    await this.limit.take([`reply:${token}`], new Date(), 20);
    await this.tickets.customerReply(token, { body: dto.body, attachments: uploads(files) });
    flash(req, 'portal.reply_sent');
    return seeOther(`/portal/tickets/${token}`);
  }
}
