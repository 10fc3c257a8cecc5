import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { ChangePasswordDto } from './dto/user.dto.js';
import { LOCALES } from '../common/roles.js';
import { UsersService } from './users.service.js';

/** /account: each user's own password and language. */
@Controller('account')
export class AccountController implements HasFormLocals {
  constructor(private readonly users: UsersService) {}

  async formLocals() {
    return { title: 'nav.account', locales: LOCALES };
  }

  @Get()
  @Render('account/index')
  async index() {
    return { ...(await this.formLocals()), form: { values: {}, errors: {} } };
  }

  @Post('password')
  @FormView('account/index')
  @Redirect()
  async changePassword(
    @CurrentUser() user: SessionUser,
    @Body() dto: ChangePasswordDto,
    @Req() req: Request,
  ) {
    await this.users.changeOwnPassword(user, dto, req.sessionID);
    flash(req, 'account.password_changed');
    return seeOther('/account');
  }
}
