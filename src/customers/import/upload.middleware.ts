import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  BadRequestException,
  Inject,
  Injectable,
  type NestMiddleware,
  PayloadTooLargeException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { NotAllowed, SessionEnded } from '../../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { CustomerPolicy } from '../customer.policy.js';

/**
 * Receives the spreadsheet of an import (`file`) onto disk under DATA_DIR/imports, streaming, up to
 * IMPORT_MAX_MB. It runs before the guards (so the form's `_csrf` field is read like any other form's),
 * so it checks first that a user who may import is signed in, and it deletes the file again whenever
 * the request does not end with the import created.
 */
@Injectable()
export class UploadMiddleware implements NestMiddleware {
  private readonly upload: ReturnType<multer.Multer['single']>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly policy: CustomerPolicy,
  ) {
    const dir = join(config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    this.upload = multer({
      dest: dir,
      // Browsers send file names in UTF-8 (客户.csv); multer would read them as Latin-1.
      defParamCharset: 'utf8',
      limits: { fileSize: config.importMaxBytes, files: 1, fields: 20 },
    }).single('file');
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // As the access guard says it for every other form.
    if (!req.user) throw new SessionEnded();
    if (!this.policy.mayCreate(req.user)) throw new NotAllowed();
    // Kept only when the import was created (a redirect to it); any refusal removes the file.
    res.on('finish', () => {
      if (req.file && res.statusCode !== 303) rmSync(req.file.path, { force: true });
    });
    await new Promise<void>((resolve, reject) =>
      this.upload(req, res, (err: unknown) => {
        if (!err) resolve();
        else if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE')
          reject(new PayloadTooLargeException());
        else if (err instanceof multer.MulterError) reject(new BadRequestException());
        else reject(err instanceof Error ? err : new Error('upload failed'));
      }),
    );
    // A file name is stored and shown: a NUL in it (no browser sends one) cannot be stored as text.
    if (req.file) req.file.originalname = req.file.originalname.replaceAll('\0', '');
    next();
  }
}
