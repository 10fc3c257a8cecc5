import { Body, Controller, Get, Post, Query, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { CurrentUser, FormView, Public } from '../common/decorators.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import type { SessionUser } from '../common/session-user.js';
import { startSessionLifetime } from '../common/sessions/session-lifetime.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import { LocaleDto } from './locale.dto.js';
import { LoginDto } from './login.dto.js';

/** The login form; shown again after a failed attempt, it keeps its narrow layout. */
const loginModel = () => ({ title: 'auth.sign_in', layout: 'bare' });

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Get('login')
  @Render('auth/login')
  loginForm(@Query('returnTo') returnTo: string | undefined) {
    return { ...loginModel(), form: { values: { returnTo: safeReturnTo(returnTo) }, errors: {} } };
  }

  /** Signs in through passport-local; passport regenerates the session id, so a planted one is useless. */
  @Public()
  @Post('login')
  @FormView('auth/login', loginModel)
  @Redirect()
  async login(@Body() dto: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const user = await new Promise<SessionUser>((resolve, reject) => {
      passport.authenticate('local', { session: false }, (err: unknown, u: SessionUser | false) =>
        err ? reject(err) : u ? resolve(u) : reject(new Error('login: no user')),
      )(req, res, reject);
    });
    await new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
    startSessionLifetime(req);
    return seeOther(safeReturnTo(dto.returnTo));
  }

  @Post('logout')
  @Redirect()
  async logout(@CurrentUser() user: SessionUser, @Req() req: Request) {
    await new Promise<void>((resolve, reject) => req.logOut((err) => (err ? reject(err) : resolve())));
    await this.auth.logout(user);
    flash(req, 'auth.signed_out', {}, 'info');
    return seeOther('/login');
  }

  /** The language switcher: saved on the user when signed in, else on the session. */
  @Public()
  @Post('locale')
  @Redirect()
  async setLocale(@Body() dto: LocaleDto, @Req() req: Request) {
    if (req.user) await this.users.setLocale(req.user, dto.locale);
    req.session.locale = dto.locale;
    return seeOther(safeReturnTo(dto.returnTo));
  }
}
