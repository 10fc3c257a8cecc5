import { describe, expect, it } from 'vitest';
import { fillGreeting, greetingTemplate, HOLIDAYS, RULE_DEFAULTS } from './rule-settings.js';

const values = {
  'contact.name': '<b>王</b>',
  'customer.name': '华信科技',
  'company.name': 'Kehu',
  holiday: '中秋节',
};

describe('the threshold alerts’ defaults', () => {
  it('let each alert fire on its own: a fall or a rise large enough to alert can stay short of the level', () => {
    const d = RULE_DEFAULTS;
    // SLA attainment from a perfect month falls by the drop's points and is still at or above its level.
    expect(100 - d.slaDropPoints).toBeGreaterThanOrEqual(d.slaAttainmentBelow);
    expect(d.slaDropPoints).toBeGreaterThan(0);
    // The complaint rate's rise is a share of itself: any rise from under the level's share can alert.
    expect(d.jumpPercent).toBeGreaterThan(0);
  });
});

describe('fillGreeting', () => {
  it('fills the known placeholders, spaces inside the braces allowed, and leaves others as typed', () => {
    expect(
      fillGreeting('{{contact.name}} / {{ customer.name }} / {{holiday}} / {{ company.name}}', values),
    ).toBe('<b>王</b> / 华信科技 / 中秋节 / Kehu');
    expect(fillGreeting('{{constructor}} {{contact.__proto__}} {{#each x}}', values)).toBe(
      '{{constructor}} {{contact.__proto__}} {{#each x}}',
    );
  });

  it('gives each kind its template in the contact language', () => {
    expect(greetingTemplate(RULE_DEFAULTS, 'birthday', 'en')).toBe(RULE_DEFAULTS.birthdayEn);
    expect(greetingTemplate(RULE_DEFAULTS, 'holiday', 'zh-CN')).toBe(RULE_DEFAULTS.holidayZh);
  });

  it('knows the three holidays of each year 2025–2027, in order', () => {
    for (const year of ['2025', '2026', '2027'])
      expect(
        HOLIDAYS.filter((h) => h.day.startsWith(year))
          .map((h) => h.key)
          .sort(),
      ).toEqual(['mid_autumn', 'national_day', 'spring_festival']);
    expect([...HOLIDAYS].sort((a, b) => a.day.localeCompare(b.day))).toEqual(HOLIDAYS);
  });
});
