import { Body, Controller, Get, Param, Post, Redirect, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { FormView, freshForm, Roles } from '../decorators.js';
import { NotFound } from '../errors.js';
import { flash, seeOther } from '../flash.js';
import { validateInput } from '../validation.js';
import { type SettingsSection, SettingsSections } from './settings-sections.js';
import { SettingsService } from './settings.service.js';

/** A section's values as its form shows them: each secret emptied, its masked form beside it. */
function shown(s: SettingsSection, value: object): Record<string, unknown> {
  const v: Record<string, unknown> = { ...value };
  for (const f of s.secrets ?? []) {
    const secret = typeof v[f] === 'string' ? (v[f] as string) : '';
    v[`${f}Masked`] = secret ? (s.masked ? s.masked(f, secret) : '…') : '';
    v[f] = '';
  }
  return v;
}

/** /admin/settings: the company's rules, one form per section, each saved on its own. */
@Controller('admin/settings')
@Roles('admin')
export class SettingsController {
  constructor(
    private readonly sections: SettingsSections,
    private readonly settings: SettingsService,
  ) {}

  /** Every section with its stored values; `posted` is the section a rejected form came from. */
  async settingsPage(posted?: string) {
    const sections = await Promise.all(
      this.sections.all().map(async (s) => {
        const { value, version } = await this.settings.get(s.key, s.defaults);
        return {
          key: s.key,
          titleKey: s.titleKey,
          helpKey: s.helpKey,
          partial: s.partial,
          values: { ...shown(s, value), version },
          choices: s.choices ? await s.choices(value) : {},
          posted: s.key === posted,
        };
      }),
    );
    // A rejected form's stored values are the ones the typed values are laid over.
    return { title: 'nav.settings', sections, values: sections.find((s) => s.posted)?.values ?? {} };
  }

  @Get()
  @Render('admin/settings')
  async index() {
    return freshForm({ ...(await this.settingsPage()), values: {} });
  }

  @Post(':section')
  @FormView<SettingsController>('admin/settings', (c, { params }) => c.settingsPage(params.section))
  @Redirect()
  async save(@Param('section') key: string, @Body() body: Record<string, unknown>, @Req() req: Request) {
    const section = this.sections.find(key);
    if (!section) throw new NotFound();
    const { version, ...posted } = await validateInput(section.dto, body);
    const value = await this.keptSecrets(section, posted);
    if (section.check)
      await section.check(value, (await this.settings.get(section.key, section.defaults)).value);
    await this.settings.set(section.key, value, version, section.defaults);
    flash(req, 'settings.saved');
    return seeOther('/admin/settings');
  }

  /** A secret left empty keeps the saved one; `-` removes it. */
  private async keptSecrets(section: SettingsSection, posted: object): Promise<object> {
    if (!section.secrets?.length) return posted;
    const { value: saved } = await this.settings.get(section.key, section.defaults);
    const v: Record<string, unknown> = { ...posted };
    for (const f of section.secrets) {
      if (v[f] === '-') v[f] = '';
      else if (v[f] === '' || v[f] === null || v[f] === undefined)
        v[f] = (saved as Record<string, unknown>)[f] ?? '';
    }
    return v;
  }
}
