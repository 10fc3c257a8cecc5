import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { FormView, Public } from '../common/decorators.js';
import { NotFound } from '../common/errors.js';
import { seeOther } from '../common/flash.js';
import { isLocale } from '../i18n/i18n.js';
import { SurveyAnswerDto } from './dto/survey.dto.js';
import { guestToken } from '../common/csrf.guard.js';
import { TicketsService } from './tickets.service.js';

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const scale = (n: number) => Array.from({ length: n }, (_, i) => ({ value: i + 1 }));

/**
 * A survey (/survey/:token), no login: after a resolved ticket, satisfaction in 1–5 stars, the effort
 * it took (1–7) and a comment; after a completed contract, the stars and a comment; the quarterly NPS
 * question, 0–10 and a comment. It speaks the language the invitation was written in unless the visitor
 * switched; an answered or expired link says so plainly.
 */
@Public()
@Controller('survey')
export class SurveyController {
  constructor(private readonly tickets: TicketsService) {}

  async surveyModel(token: string) {
    const survey = TOKEN.test(token) ? await this.tickets.surveyByToken(token) : null;
    if (!survey) throw new NotFound();
    return {
      title: 'survey.title',
      layout: 'bare',
      survey,
      token,
      csatScale: scale(5),
      cesScale: scale(7),
      npsScale: Array.from({ length: 11 }, (_, i) => ({ value: i })),
      isNps: survey.kind === 'nps',
      isContract: survey.kind === 'contract',
      values: {},
    };
  }

  @Get(':token')
  @Render('survey/show')
  async show(@Param('token') token: string, @Req() req: Request) {
    const model = await this.surveyModel(token);
    // The invitation's language, unless the visitor chose one with the switcher.
    const locale = isLocale(req.session?.locale) ? req.session.locale : model.survey.locale;
    return { ...model, locale, csrfToken: guestToken(req), form: { values: {}, errors: {} } };
  }

  @Post(':token')
  @FormView<SurveyController>('survey/show', (c, { params }) => c.surveyModel(params.token))
  @Redirect()
  async answer(@Param('token') token: string, @Body() dto: SurveyAnswerDto) {
    if (!TOKEN.test(token)) throw new NotFound();
    await this.tickets.answerSurvey(token, {
      csat: dto.csat ?? null,
      ces: dto.ces ?? null,
      nps: dto.nps ?? null,
      comment: dto.comment,
    });
    return seeOther(`/survey/${token}/thanks`);
  }

  /** The thanks, in the survey's language like its page. */
  @Get(':token/thanks')
  @Render('survey/thanks')
  async thanks(@Param('token') token: string, @Req() req: Request) {
    const { survey } = await this.surveyModel(token);
    const locale = isLocale(req.session?.locale) ? req.session.locale : survey.locale;
    return { title: 'survey.thanks_title', layout: 'bare', locale, csrfToken: guestToken(req) };
  }
}
