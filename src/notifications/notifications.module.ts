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

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Notification, OutboxMail])],
  controllers: [NotificationsController, OutboxController],
  providers: [NotificationsService, NotificationsRepository, MailService, OutboxService, OutboxRepository],
  exports: [NotificationsService, MailService],
})
export class NotificationsModule {}
