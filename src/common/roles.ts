export const ROLES = ['admin', 'manager', 'sales', 'service'] as const;
export type Role = (typeof ROLES)[number];

export { LOCALES, type Locale } from '../i18n/locales.js';
