export const ROLES = ['admin', 'manager', 'sales', 'service'] as const;
export type Role = (typeof ROLES)[number];

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
