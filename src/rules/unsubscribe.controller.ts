import { Controller, Get, HttpCode, Param, Post, Render, Req } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { Public } from '../common/decorators.js';
import { NotFound } from '../common/errors.js';
import { CustomerCareService } from '../customers/customer-care.service.js';

/**
 * /unsubscribe/:token, no login: the link at the foot of every rule mail to a customer's contact
 * (greetings, surveys). The page asks to confirm (a mail scanner following links unsubscribes no one);
 * the confirmation keeps the contact's choice, which every rule honours and the contact form shows.
 */
@Public()
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(private readonly care: CustomerCareService) {}

  @Get(':token')
  @Render('rules/unsubscribe')
  async show(@Param('token') token: string, @Req() req: Request) {
    const contact = await this.care.unsubscribeTarget(token);
    if (!contact) throw new NotFound();
    // A guest's form needs the session's CSRF token, minted here (the site mints it only for sign-in).
    req.session.csrfToken ??= randomBytes(24).toString('base64url');
    return {
      title: 'rules.unsubscribe.title',
      layout: 'bare',
      token,
      done: contact.mailOptOut,
      csrfToken: req.session.csrfToken,
    };
  }

  @Post(':token')
  @HttpCode(200)
  @Render('rules/unsubscribe')
  async confirm(@Param('token') token: string) {
    if (!(await this.care.unsubscribe(token))) throw new NotFound();
    return { title: 'rules.unsubscribe.title', layout: 'bare', token, done: true };
  }
}
