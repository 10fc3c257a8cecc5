import { Body, Controller, Get, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { FormView, Roles } from '../common/decorators.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { PoolRulesDto } from './dto/pool-rules.dto.js';
import { PoolService } from './pool.service.js';

/** /admin/settings: the company's rules (for now, the public pool's). */
@Controller('admin/settings')
@Roles('admin')
export class PoolSettingsController implements HasFormLocals {
  constructor(private readonly pool: PoolService) {}

  async formLocals() {
    const { value, version } = await this.pool.rules();
    return { title: 'nav.settings', values: { ...value, version } };
  }

  @Get()
  @Render('admin/settings')
  async index() {
    const locals = await this.formLocals();
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post()
  @FormView('admin/settings')
  @Redirect()
  async save(@Body() dto: PoolRulesDto, @Req() req: Request) {
    await this.pool.saveRules(dto);
    flash(req, 'settings.saved');
    return seeOther('/admin/settings');
  }
}
