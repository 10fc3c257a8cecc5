import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, type NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

/**
 * Receives the spreadsheet of an import (`file`) onto disk under DATA_DIR/imports, streaming, up to
 * IMPORT_MAX_MB. It runs before the guards, so the form's `_csrf` field is read like any other form's.
 */
@Injectable()
export class UploadMiddleware implements NestMiddleware {
  private readonly upload: ReturnType<multer.Multer['single']>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const dir = join(config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    this.upload = multer({
      dest: dir,
      // Browsers send file names in UTF-8 (客户.csv); multer would read them as Latin-1.
      defParamCharset: 'utf8',
      limits: { fileSize: config.importMaxBytes, files: 1, fields: 20 },
    }).single('file');
  }

  use(req: Request, res: Response, next: NextFunction): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.upload(req, res, (err: unknown) => {
        if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE')
          reject(new PayloadTooLargeException());
        else if (err) reject(err instanceof Error ? err : new Error('upload failed'));
        else resolve();
      }),
    ).then(() => next());
  }
}
