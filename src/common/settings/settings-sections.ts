import { Injectable } from '@nestjs/common';

/**
 * One part of /admin/settings, contributed by the module whose rules it holds (the public pool's
 * rules now; quote discounts, approval thresholds, the company's letterhead later). The section's
 * form is the partial `views/partials/<partial>.hbs`, which shows its fields from `values`; what it
 * posts is checked against `dto` and stored under `key`.
 */
export interface SettingsSection<T extends object = object> {
  key: string;
  /** Locale keys of the section's heading and help text. */
  titleKey: string;
  helpKey?: string;
  partial: string;
  defaults: T;
  /** What the partial offers beyond the values (a list of users to choose from), given the values shown. */
  choices?: (values: T) => Promise<object>;
  /**
   * Fields holding a secret (a key, a token): the page shows them masked beside an empty field
   * (`<field>Masked`, from `masked`), an empty field keeps the saved value and `-` removes it, and the
   * audit log says only that they changed.
   */
  secrets?: readonly (keyof T & string)[];
  masked?: (field: keyof T & string, value: string) => string;
  /**
   * Checks what the DTO alone cannot (the users chosen are ones who may be chosen), given the values
   * posted and those stored: throws ValidationFailed naming the field.
   */
  check?: (values: T, stored: T) => Promise<void>;
  /** The class-validator DTO of the section's form: its fields, plus `version`. */
  dto: new () => T & { version?: number };
}

/** The sections of the settings page, in the order modules register them. */
@Injectable()
export class SettingsSections {
  private readonly sections: SettingsSection[] = [];

  register<T extends object>(section: SettingsSection<T>): void {
    if (this.sections.some((s) => s.key === section.key))
      throw new Error(`settings section ${section.key} registered twice`);
    this.sections.push(section as unknown as SettingsSection);
  }

  all(): readonly SettingsSection[] {
    return this.sections;
  }

  find(key: string): SettingsSection | undefined {
    return this.sections.find((s) => s.key === key);
  }
}
