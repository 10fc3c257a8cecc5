import {
  BadRequestException,
  Controller,
  Get,
  Injectable,
  type NestMiddleware,
  PayloadTooLargeException,
  Post,
  Redirect,
  Render,
  Req,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { CurrentUser, FormView, Roles } from '../decorators.js';
import { NotAllowed, SessionEnded, ValidationFailed } from '../errors.js';
import { flash, seeOther } from '../flash.js';
import type { SessionUser } from '../session-user.js';
import { CompanySettings } from './company.js';

/** A logo is an image of at most this size. */
export const LOGO_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Reads the logo form's multipart body (`file`, kept in memory, at most LOGO_MAX_BYTES, and `_csrf`)
 * before the guards, which then check the token as for any form. Only an admin's upload is read.
 */
@Injectable()
export class CompanyLogoUpload implements NestMiddleware {
  private readonly upload = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 5 },
  }).single('file');

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!req.user) throw new SessionEnded();
    if (req.user.role !== 'admin') throw new NotAllowed();
    await new Promise<void>((resolve, reject) =>
      this.upload(req, res, (err: unknown) => {
        if (!err) resolve();
        else if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE')
          reject(new PayloadTooLargeException());
        else if (err instanceof multer.MulterError) reject(new BadRequestException());
        else reject(err instanceof Error ? err : new Error('upload failed'));
      }),
    );
    next();
  }
}

/** /admin/settings/company/logo: the letterhead's logo, stored through the shared attachments. */
@Controller('admin/settings/company/logo')
@Roles('admin')
export class CompanyLogoController {
  constructor(private readonly company: CompanySettings) {}

  @Get()
  @Render('admin/company-logo')
  async form() {
    const profile = await this.company.profile();
    return {
      title: 'company.logo_title',
      section: 'admin/settings',
      logoAttachmentId: profile.logoAttachmentId,
      form: { values: {}, errors: {} },
    };
  }

  @Post()
  @FormView<CompanyLogoController>('admin/company-logo', (c) => c.form())
  @Redirect()
  async save(@CurrentUser() user: SessionUser, @Req() req: Request) {
    const file = req.file;
    if (!file) throw ValidationFailed.field('file', 'validation.required');
    await this.company.setLogo(user, {
      fileName: file.originalname.replaceAll('\0', ''),
      bytes: file.buffer,
    });
    flash(req, 'company.logo_saved');
    return seeOther('/admin/settings');
  }
}
