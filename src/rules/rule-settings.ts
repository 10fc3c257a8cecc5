import type { Locale } from '../common/roles.js';

/**
 * The automation rules' settings on /admin/settings: the thresholds and waiting times, and the
 * greeting templates in both languages. A template holds text and placeholders only (see
 * fillGreeting): nothing in it runs, and the mail escapes what it gives.
 */
export interface RuleSettings {
  /** A VIP customer with no interaction for this many days gets a care task and its owner an alert. */
  vipIdleDays: number;
  /** A survey's satisfaction score below this (1–5) makes a care task and mails the owner's manager. */
  lowCsatBelow: number;
  /** Days after a contract's completion its satisfaction survey goes out. */
  contractSurveyDays: number;
  /** The quarterly NPS survey skips contacts sent a survey in the last this many days. */
  npsSkipDays: number;
  /** Complaint rate alert: above this percentage of active customers. */
  complaintRateAbove: number;
  /** SLA attainment alert: below this percentage. */
  slaAttainmentBelow: number;
  /**
   * The complaint rate rising by this many percent of itself against the same days of the month before
   * also alerts (2% → 3% is a rise of 50%; 0: never), while still under its level.
   */
  jumpPercent: number;
  /**
   * SLA attainment falling by this many percentage points against the same days of the month before
   * also alerts (98% → 92% is 6 points; 0: never). In points, not in percent of itself: a fall of half
   * (the complaint rate's jump) takes 98% to 49%, far past the level, so it could never alert on its own.
   * Less than 100 − the level, a fall from a good month alerts before the level does.
   */
  slaDropPoints: number;
  /**
   * A threshold alert judges a figure only on at least this many tickets in the period (resolved ones
   * for SLA attainment, received ones for the complaint rate), and a jump only when the period compared
   * with had as many: one late ticket on the 1st is no SLA drop.
   */
  alertMinTickets: number;
  /** Greetings and surveys to contacts go out in this language. */
  contactLocale: Locale;
  birthdayZh: string;
  birthdayEn: string;
  holidayZh: string;
  holidayEn: string;
}

export const RULE_SETTINGS_KEY = 'automation_rules';

export const RULE_DEFAULTS: RuleSettings = {
  vipIdleDays: 90,
  lowCsatBelow: 3,
  contractSurveyDays: 7,
  npsSkipDays: 60,
  complaintRateAbove: 5,
  slaAttainmentBelow: 90,
  jumpPercent: 50,
  slaDropPoints: 5,
  alertMinTickets: 20,
  contactLocale: 'zh-CN',
  birthdayZh:
    '尊敬的{{contact.name}}：\n\n值此生日之际，{{company.name}}全体同仁祝您生日快乐，身体健康，万事如意！\n感谢{{customer.name}}一直以来的信任与支持。',
  birthdayEn:
    'Dear {{contact.name}},\n\nEveryone at {{company.name}} wishes you a very happy birthday!\nThank you for the trust {{customer.name}} has placed in us.',
  holidayZh:
    '尊敬的{{contact.name}}：\n\n{{holiday}}将至，{{company.name}}祝您和家人节日快乐，阖家幸福！\n感谢{{customer.name}}一直以来的信任与支持。',
  holidayEn:
    'Dear {{contact.name}},\n\nWith {{holiday}} coming, everyone at {{company.name}} wishes you and your family a happy holiday.\nThank you for the trust {{customer.name}} has placed in us.',
};

/** The placeholders a greeting template may use; anything else in braces stays as typed. */
export const GREETING_PLACEHOLDERS = ['contact.name', 'customer.name', 'company.name', 'holiday'] as const;
export type GreetingValues = Record<(typeof GREETING_PLACEHOLDERS)[number], string>;

/** A greeting's text: the template with its placeholders filled (plain text; the mail escapes it). */
export function fillGreeting(template: string, values: GreetingValues): string {
  return template.replace(/\{\{\s*([a-z.]+)\s*\}\}/g, (whole, name: string) =>
    (GREETING_PLACEHOLDERS as readonly string[]).includes(name)
      ? values[name as keyof GreetingValues]
      : whole,
  );
}

/** The greeting template of a kind in a language. */
export function greetingTemplate(s: RuleSettings, kind: 'birthday' | 'holiday', locale: Locale): string {
  if (kind === 'birthday') return locale === 'en' ? s.birthdayEn : s.birthdayZh;
  return locale === 'en' ? s.holidayEn : s.holidayZh;
}

/**
 * The holidays greeted (Spring Festival, Mid-Autumn, National Day), by day, for 2025–2027: the lunar
 * ones fixed from the published calendar. The greeting goes out on the day itself.
 */
export const HOLIDAYS: { day: string; key: 'spring_festival' | 'mid_autumn' | 'national_day' }[] = [
  { day: '2025-01-29', key: 'spring_festival' },
  { day: '2025-10-01', key: 'national_day' },
  { day: '2025-10-06', key: 'mid_autumn' },
  { day: '2026-02-17', key: 'spring_festival' },
  { day: '2026-09-25', key: 'mid_autumn' },
  { day: '2026-10-01', key: 'national_day' },
  { day: '2027-02-06', key: 'spring_festival' },
  { day: '2027-09-15', key: 'mid_autumn' },
  { day: '2027-10-01', key: 'national_day' },
];
