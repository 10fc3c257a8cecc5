import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Attachment } from './attachment.entity.js';
import { AttachmentOwners } from './attachment-owners.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { AttachmentsService } from './attachments.service.js';

/**
 * Files attached to records and GET /attachments/:id. A module that attaches files imports this and
 * registers its owner kind with AttachmentOwners; Nest shares one instance, so one registry.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Attachment])],
  controllers: [AttachmentsController],
  providers: [AttachmentsService, AttachmentsRepository, AttachmentOwners],
  exports: [AttachmentsService, AttachmentOwners],
})
export class AttachmentsModule {}
