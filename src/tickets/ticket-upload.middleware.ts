import {
  BadRequestException,
  Injectable,
  type NestMiddleware,
  PayloadTooLargeException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ATTACHMENT_MAX_BYTES } from '../common/attachments/attachment-files.js';

/** Files one ticket form may carry at once. */
export const TICKET_FILES_MAX = 5;

/**
 * Receives the files of a ticket form (`files`: the new ticket's, a reply's, the portal's) into
 * memory, each up to the attachments' size limit; the attachments storage checks their type. It runs
 * before the guards, so a multipart form's `_csrf` is read like any other form's. The portal's forms
 * have no signed-in user: whether the sender may write is the service's to say.
 */
@Injectable()
export class TicketUploadMiddleware implements NestMiddleware {
  private readonly upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send file names in UTF-8 (截图.png); multer would read them as Latin-1.
    defParamCharset: 'utf8',
    // One byte over the limit lets the storage refuse it with its own message, in the sender's language.
    limits: { fileSize: ATTACHMENT_MAX_BYTES + 1, files: TICKET_FILES_MAX, fields: 40 },
  }).array('files', TICKET_FILES_MAX);

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!req.is('multipart/form-data')) return next();
    await new Promise<void>((resolve, reject) =>
      this.upload(req, res, (err: unknown) => {
        if (!err) resolve();
        else if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE')
          reject(new PayloadTooLargeException());
        else if (err instanceof multer.MulterError) reject(new BadRequestException());
        else reject(err instanceof Error ? err : new Error('upload failed'));
      }),
    );
    const files = Array.isArray(req.files) ? req.files : [];
    for (const f of files) f.originalname = f.originalname.replaceAll('\0', '');
    next();
  }
}

/** The files of a form as the tickets service takes them; empty file inputs send nothing. */
export const uploads = (files: Express.Multer.File[] | undefined) =>
  (files ?? [])
    .filter((f) => f.size > 0 || f.originalname !== '')
    .map((f) => ({ fileName: f.originalname, bytes: f.buffer }));
