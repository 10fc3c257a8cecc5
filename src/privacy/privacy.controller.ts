import { Body, Controller, Get, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser, FormView, freshForm, Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { EraseDto } from './dto/erase.dto.js';
import { PrivacyService, subjectOf } from './privacy.service.js';

/**
 * /admin/privacy/contacts/:id and /admin/privacy/customers/:id (a person-customer): a person's
 * request under 个人信息保护法 — what Kehu holds on them, its export as a file, and their erasure.
 */
@Controller('admin/privacy')
@Roles('admin')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Get(':kind/:id')
  @Render('privacy/show')
  async show(@CurrentUser() user: SessionUser, @Param('kind') kind: string, @Param('id', IdPipe) id: number) {
    return freshForm(await this.privacy.page(user, subjectOf(kind, id)));
  }

  @Get(':kind/:id/export')
  async export(
    @CurrentUser() user: SessionUser,
    @Param('kind') kind: string,
    @Param('id', IdPipe) id: number,
    @Res() res: Response,
  ) {
    const file = await this.privacy.exportFile(user, subjectOf(kind, id));
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    res.send(file.body);
  }

  @Post(':kind/:id/erase')
  @FormView<PrivacyController>('privacy/show', (c, { user, ids, params }) =>
    c.privacy.page(user, subjectOf(params.kind, ids.id)),
  )
  @Redirect()
  async erase(
    @CurrentUser() user: SessionUser,
    @Param('kind') kind: string,
    @Param('id', IdPipe) id: number,
    @Body() dto: EraseDto,
    @Req() req: Request,
  ) {
    const next = await this.privacy.erase(user, subjectOf(kind, id), dto.confirmName);
    flash(req, 'privacy.erased');
    return seeOther(next);
  }
}
