import { Body, Controller, Get, Param, ParseIntPipe, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionUser } from '../common/session-user.js';
import { CurrentUser, FormView, Roles } from '../common/decorators.js';
import { PROVINCES } from '../common/regions.js';
import { flash, seeOther } from '../common/flash.js';
import type { HasFormLocals } from '../common/form-view.interceptor.js';
import { DeactivateDto } from './dto/deactivate.dto.js';
import { PasswordResetDto, UserDto } from './dto/user.dto.js';
import { LOCALES, ROLES } from '../common/roles.js';
import { UsersService } from './users.service.js';

/** /admin/users: create, edit, deactivate users and reset their passwords. */
@Controller('admin/users')
@Roles('admin')
export class AdminUsersController implements HasFormLocals {
  constructor(private readonly users: UsersService) {}

  /** What the user form shows besides the typed values: option lists and, when editing, the stored user. */
  async formLocals(req: Request) {
    // Not `user`: that name is the signed-in user, whom the layout shows.
    const editedUser = req.params.id ? await this.users.get(Number(req.params.id)) : undefined;
    const values = editedUser ?? { locale: 'zh-CN', role: 'sales' };
    const holdings = editedUser ? await this.users.holdings(editedUser.id) : [];
    const handOverTargets = editedUser ? await this.users.handOverTargets(editedUser.id) : [];
    return {
      title: 'nav.users',
      roles: ROLES,
      locales: LOCALES,
      teams: await this.users.listTeams(),
      provinces: PROVINCES,
      editedUser,
      holdings,
      owns: holdings.some((h) => h.count > 0),
      handOverTargets,
      values,
    };
  }

  @Get()
  @Render('admin/users')
  async index() {
    return { title: 'nav.users', users: await this.users.list() };
  }

  @Get('new')
  @Render('admin/user-form')
  async newForm(@Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post('new')
  @FormView('admin/user-form')
  @Redirect()
  async create(@Body() dto: UserDto, @Req() req: Request) {
    const user = await this.users.create(dto);
    flash(req, 'user.created', { name: user.name });
    return seeOther('/admin/users');
  }

  @Get(':id/edit')
  @Render('admin/user-form')
  async editForm(@Param('id', ParseIntPipe) _id: number, @Req() req: Request) {
    const locals = await this.formLocals(req);
    return { ...locals, form: { values: locals.values, errors: {} } };
  }

  @Post(':id/edit')
  @FormView('admin/user-form')
  @Redirect()
  async update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UserDto,
    @CurrentUser() actor: SessionUser,
    @Req() req: Request,
  ) {
    await this.users.update(actor, id, dto);
    flash(req, 'user.updated', { name: dto.name });
    return seeOther('/admin/users');
  }

  @Post(':id/deactivate')
  @FormView('admin/user-form')
  @Redirect()
  async deactivate(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: DeactivateDto,
    @CurrentUser() actor: SessionUser,
    @Req() req: Request,
  ) {
    await this.users.deactivate(actor, id, dto.handOverTo);
    flash(req, 'user.deactivated');
    return seeOther('/admin/users');
  }

  @Post(':id/activate')
  @Redirect()
  async activate(
    @Param('id', ParseIntPipe) id: number,
    @CurrentUser() actor: SessionUser,
    @Req() req: Request,
  ) {
    await this.users.activate(actor, id);
    flash(req, 'user.activated');
    return seeOther('/admin/users');
  }

  @Post(':id/password')
  @FormView('admin/user-form')
  @Redirect()
  async resetPassword(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: PasswordResetDto,
    @Req() req: Request,
  ) {
    await this.users.resetPassword(id, dto.password);
    flash(req, 'user.password_reset');
    return seeOther(`/admin/users/${id}/edit`);
  }
}
