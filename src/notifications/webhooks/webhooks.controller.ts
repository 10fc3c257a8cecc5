import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CurrentUser, FormView, freshForm, Roles } from '../../common/decorators.js';
import { flash, seeOther } from '../../common/flash.js';
import { IdPipe } from '../../common/ids.js';
import type { SessionUser } from '../../common/session-user.js';
import { WebhookEndpointDto } from './dto/webhook-endpoint.dto.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * /admin/webhooks: the endpoints Kehu tells of events, each with its delivery log, a redeliver button
 * per delivery and a test event.
 */
@Controller('admin/webhooks')
@Roles('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  async listModel() {
    return {
      title: 'nav.webhooks',
      endpoints: await this.webhooks.list(),
      eventChoices: this.webhooks.eventTypes().map((type) => ({ type, checked: false })),
      values: { active: true },
    };
  }

  async endpointModel(id: number) {
    const { endpoint, deliveries } = await this.webhooks.get(id);
    return {
      title: 'nav.webhooks',
      titleText: endpoint.url,
      endpoint,
      deliveries,
      eventChoices: this.webhooks
        .eventTypes()
        .map((type) => ({ type, checked: endpoint.events.includes(type) })),
      values: {
        url: endpoint.url,
        description: endpoint.description,
        internal: endpoint.internal,
        active: endpoint.active,
        version: endpoint.version,
        secret: '',
      },
    };
  }

  @Get()
  @Render('admin/webhooks')
  async index() {
    return freshForm(await this.listModel());
  }

  @Post()
  @FormView<WebhooksController>('admin/webhooks', (c) => c.listModel())
  @Redirect()
  async create(@CurrentUser() admin: SessionUser, @Body() dto: WebhookEndpointDto, @Req() req: Request) {
    const id = await this.webhooks.create(admin, dto);
    flash(req, 'webhook.created');
    return seeOther(`/admin/webhooks/${id}`);
  }

  @Get(':id')
  @Render('admin/webhook')
  async show(@Param('id', IdPipe) id: number) {
    return freshForm(await this.endpointModel(id));
  }

  @Post(':id')
  @FormView<WebhooksController>('admin/webhook', (c, { ids }) => c.endpointModel(ids.id))
  @Redirect()
  async update(
    @CurrentUser() admin: SessionUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: WebhookEndpointDto,
    @Req() req: Request,
  ) {
    await this.webhooks.update(admin, id, dto);
    flash(req, 'webhook.updated');
    return seeOther(`/admin/webhooks/${id}`);
  }

  @Post(':id/test')
  @Redirect()
  async test(@Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.webhooks.sendTest(id);
    flash(req, 'webhook.test_sent');
    return seeOther(`/admin/webhooks/${id}`);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @Redirect()
  async redeliver(
    @Param('id', IdPipe) id: number,
    @Param('deliveryId', IdPipe) deliveryId: number,
    @Req() req: Request,
  ) {
    await this.webhooks.redeliver(id, deliveryId);
    flash(req, 'webhook.redelivering');
    return seeOther(`/admin/webhooks/${id}`);
  }

  @Post(':id/delete')
  @Redirect()
  async remove(@CurrentUser() admin: SessionUser, @Param('id', IdPipe) id: number, @Req() req: Request) {
    await this.webhooks.remove(admin, id);
    flash(req, 'webhook.deleted');
    return seeOther('/admin/webhooks');
  }
}
