import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser } from '../decorators.js';
import { IdPipe } from '../ids.js';
import type { SessionUser } from '../session-user.js';
import { contentDisposition } from './attachment-files.js';
import { AttachmentsService } from './attachments.service.js';

/** GET /attachments/:id: the file, to those the owning record's policy lets see it. */
@Controller('attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /**
   * Always a download (never shown inline, where an HTML or SVG file could run as Kehu's page), typed
   * as sniffed, kept by no cache but the user's own view of it.
   */
  @Get(':id')
  async download(
    @CurrentUser() user: SessionUser,
    @Param('id', IdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const file = await this.attachments.open(user, id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    return new StreamableFile(file.bytes, {
      type: file.contentType,
      length: file.size,
      disposition: contentDisposition(file.fileName),
    });
  }
}
