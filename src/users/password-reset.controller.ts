import { Body, Controller, Get, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { guestToken } from '../common/csrf.guard.js';
import { FormView, Public } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { ForgotPasswordDto, NewPasswordDto } from './dto/password-reset.dto.js';
import { LINK_MINUTES, PasswordResetService } from './password-reset.service.js';

/**
 * "Forgot your password?", no login: /password/forgot asks for the address and always answers alike;
 * /password/reset/:token, the link in the mail, sets a new password once. A link that no longer
 * works answers 410 with a page saying so and where to ask for a new one, on GET and POST alike.
 */
@Public()
@Controller('password')
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  forgotModel() {
    return { title: 'password_reset.forgot_title', layout: 'bare' };
  }

  /** The reset form, or (`linkInvalid`) the page saying the link no longer works. */
  async resetModel(token: string) {
    return {
      title: 'password_reset.reset_title',
      layout: 'bare',
      token,
      linkInvalid: !(await this.resets.linkIsUsable(token)),
    };
  }

  @Get('forgot')
  @Render('password/forgot')
  forgotForm(@Req() req: Request) {
    return { ...this.forgotModel(), csrfToken: guestToken(req), form: { values: {}, errors: {} } };
  }

  @Post('forgot')
  @FormView<PasswordResetController>('password/forgot', (c) => c.forgotModel())
  @Redirect()
  async requestLink(@Body() dto: ForgotPasswordDto, @Req() req: Request) {
    await this.resets.requestLink(dto.email, req.ip ?? 'unknown');
    return seeOther('/password/forgot/sent');
  }

  /** The same answer for every address. */
  @Get('forgot/sent')
  @Render('password/sent')
  sent() {
    return { title: 'password_reset.forgot_title', layout: 'bare', minutes: LINK_MINUTES };
  }

  @Get('reset/:token')
  @Render('password/reset')
  async resetForm(
    @Param('token') token: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const model = await this.resetModel(token);
    if (model.linkInvalid) res.status(410);
    return { ...model, csrfToken: guestToken(req), form: { values: {}, errors: {} } };
  }

  /**
   * Sets the new password and sends the browser to sign in with it: a session this browser held
   * (the same user's already ended with the others) ends here too.
   */
  @Post('reset/:token')
  @FormView<PasswordResetController>('password/reset', (c, { params }) => c.resetModel(params.token))
  @Redirect()
  async reset(@Param('token') token: string, @Body() dto: NewPasswordDto, @Req() req: Request) {
    await this.resets.reset(token, dto);
    if (req.user)
      await new Promise<void>((resolve, reject) => req.logOut((e) => (e ? reject(e) : resolve())));
    flash(req, 'password_reset.done');
    return seeOther('/login');
  }
}
