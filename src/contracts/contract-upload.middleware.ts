import {
  BadRequestException,
  Injectable,
  type NestMiddleware,
  PayloadTooLargeException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ATTACHMENT_MAX_BYTES } from '../common/attachments/attachment-files.js';
import { SessionEnded } from '../common/errors.js';

/**
 * Receives the one file of a contract's upload forms (`file`: the signed scan, an attachment) into
 * memory, up to the attachments' size limit; the attachments storage checks its type. It runs before
 * the guards, so the form's `_csrf` field is read like any other form's; the service checks the rest.
 */
@Injectable()
export class ContractUploadMiddleware implements NestMiddleware {
  private readonly upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send file names in UTF-8 (合同扫描件.pdf); multer would read them as Latin-1.
    defParamCharset: 'utf8',
    // One byte over the limit lets the storage refuse it with its own message, in the user's language.
    limits: { fileSize: ATTACHMENT_MAX_BYTES + 1, files: 1, fields: 20 },
  }).single('file');

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!req.user) throw new SessionEnded();
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
    if (req.file) req.file.originalname = req.file.originalname.replaceAll('\0', '');
    next();
  }
}
