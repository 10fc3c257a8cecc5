import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, RefusalGoesTo } from '../common/decorators.js';
import { flash, safeReturnTo, seeOther } from '../common/flash.js';
import { IdPipe } from '../common/ids.js';
import type { SessionUser } from '../common/session-user.js';
import { ApprovalsService } from './approvals.service.js';
import { DecideDto } from './dto/decide.dto.js';

/** /approvals: what waits for my decision and what I decided; the decision form's POST. */
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @Render('approvals/index')
  async index(@CurrentUser() user: SessionUser) {
    return { title: 'approval.inbox', ...(await this.approvals.inbox(user)) };
  }

  /**
   * A decision from the record's page. Refused (a rejection without its reason, decided already, moved
   * on), back on that page at the decision form, told why beside it, the comment as typed.
   */
  @Post(':roundId/decide')
  @RefusalGoesTo('/approvals', { name: 'approval', keep: ['comment'] })
  @Redirect()
  async decide(
    @CurrentUser() user: SessionUser,
    @Param('roundId', IdPipe) roundId: number,
    @Body() dto: DecideDto,
    @Req() req: Request,
  ) {
    const effect = await this.approvals.decideRound(user, roundId, dto.decision, dto.comment, dto.stepId);
    flash(req, `approval.flash.${effect}`);
    return seeOther(safeReturnTo(dto.returnTo, '/approvals'));
  }
}
