import { Body, Controller, Get, HttpCode, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm, Roles } from '../../common/decorators.js';
import { flash, seeOther } from '../../common/flash.js';
import { IdPipe } from '../../common/ids.js';
import type { SessionUser } from '../../common/session-user.js';
import { ApiTokensService } from './api-tokens.service.js';
import { ApiTokenDto, TOKEN_LIFETIMES } from './dto/api-token.dto.js';

/**
 * My account → API tokens (/account/tokens): the user's personal tokens for /api/v1, made, listed and
 * revoked. A new token is shown on the answer to the form itself, never stored or sent again: unlike
 * other forms there is no redirect, since the page after one would have nothing to show it from.
 */
@Controller('account/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  async tokensModel(user: SessionUser) {
    return {
      title: 'api_token.title',
      tokens: await this.tokens.listOwn(user),
      lifetimes: TOKEN_LIFETIMES.map((days) => ({ value: String(days), days })),
      values: {},
    };
  }

  @Get()
  @Render('account/tokens')
  async index(@CurrentUser() user: SessionUser) {
    return freshForm(await this.tokensModel(user));
  }

  @Post()
  @HttpCode(201)
  @FormView<ApiTokensController>('account/tokens', (c, { user }) => c.tokensModel(user))
  @Render('account/tokens')
  async create(@CurrentUser() user: SessionUser, @Body() dto: ApiTokenDto) {
    const created = await this.tokens.create(user, dto);
    return { ...freshForm(await this.tokensModel(user)), created: { name: dto.name, token: created.token } };
  }

  @Post(':id/revoke')
  @Redirect()
  async revoke(@CurrentUser() user: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const name = await this.tokens.revokeOwn(user, id);
    flash(req, 'api_token.revoked', { name });
    return seeOther('/account/tokens');
  }
}

/** /admin/api-tokens: every user's live API tokens, which an admin may revoke. */
@Controller('admin/api-tokens')
@Roles('admin')
export class AdminApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @Render('admin/api-tokens')
  async index() {
    return { title: 'api_token.admin_title', tokens: await this.tokens.listAll() };
  }

  @Post(':id/revoke')
  @Redirect()
  async revoke(@CurrentUser() admin: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    const name = await this.tokens.revokeAny(admin, id);
    flash(req, 'api_token.revoked', { name });
    return seeOther('/admin/api-tokens');
  }
}
