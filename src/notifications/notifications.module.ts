import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailService } from './mail.service.js';
import { Notification } from './notification.entity.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';
import { OutboxMail } from './outbox-mail.entity.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';
import { RobotMessage } from './robots/robot-message.entity.js';
import { RobotsRepository } from './robots/robots.repository.js';
import { RobotsService } from './robots/robots.service.js';
import { WebhookDelivery } from './webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from './webhooks/webhook-endpoint.entity.js';
import { WebhookEvent } from './webhooks/webhook-event.entity.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { WebhooksRepository } from './webhooks/webhooks.repository.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Notification,
      OutboxMail,
      WebhookEndpoint,
      WebhookEvent,
      WebhookDelivery,
      RobotMessage,
    ]),
  ],
  controllers: [NotificationsController, OutboxController, WebhooksController],
  providers: [
    NotificationsService,
    NotificationsRepository,
    MailService,
    OutboxService,
    OutboxRepository,
    WebhooksService,
    WebhooksRepository,
    RobotsService,
    RobotsRepository,
  ],
  exports: [NotificationsService, MailService, WebhooksService],
})
export class NotificationsModule {}
