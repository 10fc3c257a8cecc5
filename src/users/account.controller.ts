import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView, freshForm } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { ChangePasswordDto } from './dto/user.dto.js';
import { LOCALES } from '../common/roles.js';
import { PasswordsService } from './passwords.service.js';
import { UsersService } from './users.service.js';
import { DigestChoiceDto } from './dto/digest.dto.js';

/**
 * The account page: the signed-in user (the layout's `user`), their language and password, and for
 * managers whether the weekly KPI digest comes to them.
 */
const accountModel = async (c: AccountController, { user }: { user: SessionUser }) => ({
  title: 'nav.account',
  locales: LOCALES,
  values: {},
  digest: { offered: user.role === 'manager', on: !(await c.users.digestOptOut(user.id)) },
});

/** /account: each user's own password and language. */
@Controller('account')
export class AccountController {
  constructor(
    private readonly passwords: PasswordsService,
    readonly users: UsersService,
  ) {}

  @Get()
  @Render('account/index')
  async index(@CurrentUser() user: SessionUser) {
    return freshForm(await accountModel(this, { user }));
  }

  @Post('digest')
  @Redirect()
  async digest(@CurrentUser() user: SessionUser, @Body() dto: DigestChoiceDto, @Req() req: Request) {
    await this.users.setDigestOptOut(user, !dto.weeklyDigest);
    flash(req, 'account.digest_saved');
    return seeOther('/account');
  }

  @Post('password')
  @FormView<AccountController>('account/index', accountModel)
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
