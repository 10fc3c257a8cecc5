import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView, freshForm } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { ChangePasswordDto } from './dto/user.dto.js';
import { LOCALES } from '../common/roles.js';
import { PasswordsService } from './passwords.service.js';

/** The account page: the signed-in user (the layout's `user`), their language and password. */
const accountModel = () => ({ title: 'nav.account', locales: LOCALES, values: {} });

/** /account: each user's own password and language. */
@Controller('account')
export class AccountController {
  constructor(private readonly passwords: PasswordsService) {}

  @Get()
  @Render('account/index')
  index() {
    return freshForm(accountModel());
  }

  @Post('password')
  @FormView('account/index', accountModel)
  @Redirect()
  async changePassword(
    @CurrentUser() user: SessionUser,
    @Body() dto: ChangePasswordDto,
    @Req() req: Request,
  ) {
    await this.passwords.changeOwn(user, dto, req.sessionID);
    flash(req, 'account.password_changed');
    return seeOther('/account');
  }
}
