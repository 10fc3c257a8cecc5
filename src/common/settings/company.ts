import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Locale } from '../../i18n/locales.js';
import { AttachmentOwners } from '../attachments/attachment-owners.js';
import { AttachmentsService } from '../attachments/attachments.service.js';
import { ValidationFailed } from '../errors.js';
import type { SessionUser } from '../session-user.js';
import { IntOrNull, keyed, Trimmed } from '../validation.js';
import { SettingsSections } from './settings-sections.js';
import { SettingsService } from './settings.service.js';

/**
 * The company's own details, as its printed documents head them (quotes now, contracts too): its name
 * in Chinese and English, address, phone, bank account, and a logo. Set by the admin in the `company`
 * section of /admin/settings; read by any module through CompanySettings.letterhead().
 */
export interface CompanyProfile {
  nameZh: string;
  nameEn: string;
  addressZh: string;
  addressEn: string;
  phone: string;
  /** 开户行 and account number, printed when set. */
  bankName: string;
  bankAccount: string;
  /** The logo: an attachment (owner kind `company`), shown at /attachments/:id; null for none. */
  logoAttachmentId: number | null;
}

export const COMPANY_KEY = 'company';
/** The logo is attached to the company itself: owner kind `company`, one owner. */
const LOGO_OWNER = { kind: 'company', id: 1 };
export const COMPANY_DEFAULTS: CompanyProfile = {
  nameZh: '',
  nameEn: '',
  addressZh: '',
  addressEn: '',
  phone: '',
  bankName: '',
  bankAccount: '',
  logoAttachmentId: null,
};

const max = (n: number) => MaxLength(n, { message: keyed('validation.maxLength', 'max') });

export class CompanyProfileDto implements CompanyProfile {
  @Trimmed() @IsOptional() @IsString() @max(200) nameZh: string = '';
  @Trimmed() @IsOptional() @IsString() @max(200) nameEn: string = '';
  @Trimmed() @IsOptional() @IsString() @max(500) addressZh: string = '';
  @Trimmed() @IsOptional() @IsString() @max(500) addressEn: string = '';
  @Trimmed() @IsOptional() @IsString() @max(50) phone: string = '';
  @Trimmed() @IsOptional() @IsString() @max(200) bankName: string = '';
  @Trimmed() @IsOptional() @IsString() @max(50) bankAccount: string = '';

  /** Kept as uploaded: the form carries it back unchanged. */
  @IntOrNull() @IsOptional() @IsInt() logoAttachmentId: number | null = null;

  @IntOrNull() @IsInt() version: number;
}

/** The letterhead a printed document shows, in one language (falling back to the other). */
export interface Letterhead {
  name: string;
  /** The name in the other language, printed smaller beneath. */
  otherName: string;
  address: string;
  phone: string;
  bankName: string;
  bankAccount: string;
  logoUrl: string | null;
}

@Injectable()
export class CompanySettings implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly sections: SettingsSections,
    private readonly attachments: AttachmentsService,
    private readonly owners: AttachmentOwners,
  ) {}

  onModuleInit(): void {
    this.sections.register({
      key: COMPANY_KEY,
      titleKey: 'company.settings_title',
      helpKey: 'company.settings_help',
      partial: 'settings-company',
      defaults: COMPANY_DEFAULTS,
      dto: CompanyProfileDto,
    });
    // The logo heads documents every signed-in user prints.
    this.owners.register(LOGO_OWNER.kind, () => Promise.resolve(true));
  }

  /**
   * Stores a new logo (an image, type told from its bytes) and makes it the letterhead's: the file
   * first, then the setting on the version just read (a concurrent save of the section refuses it).
   */
  async setLogo(user: SessionUser, file: { fileName: string; bytes: Buffer }): Promise<void> {
    const { value, version } = await this.settings.get(COMPANY_KEY, COMPANY_DEFAULTS);
    const stored = await this.dataSource.transaction((m) =>
      this.attachments.store(m, LOGO_OWNER, { ...file, uploadedById: user.id }),
    );
    if (!/^image\/(png|jpeg|gif|webp)$/.test(stored.contentType)) {
      await this.dataSource.transaction((m) => this.attachments.remove(m, LOGO_OWNER, stored.id));
      throw ValidationFailed.field('file', 'company.logo_image_only');
    }
    await this.settings.set(
      COMPANY_KEY,
      { ...value, logoAttachmentId: stored.id },
      version,
      COMPANY_DEFAULTS,
    );
  }

  async profile(): Promise<CompanyProfile> {
    return (await this.settings.get(COMPANY_KEY, COMPANY_DEFAULTS)).value;
  }

  async letterhead(locale: Locale): Promise<Letterhead> {
    const p = await this.profile();
    const zh = locale === 'zh-CN';
    const name = (zh ? p.nameZh : p.nameEn) || p.nameZh || p.nameEn;
    const other = zh ? p.nameEn : p.nameZh;
    return {
      name,
      otherName: other && other !== name ? other : '',
      address: (zh ? p.addressZh : p.addressEn) || p.addressZh || p.addressEn,
      phone: p.phone,
      bankName: p.bankName,
      bankAccount: p.bankAccount,
      logoUrl: p.logoAttachmentId ? `/attachments/${p.logoAttachmentId}` : null,
    };
  }
}
