import type { Role } from '../common/roles.js';

/**
 * Who may export customers: a right an admin gives per role at /admin/settings (DESIGN.md, "Who sees
 * what"). A rep given it exports only their own customers.
 */
export type ExportRights = Record<Role, boolean>;

export const EXPORT_KEY = 'customer_export';
export const EXPORT_DEFAULTS: ExportRights = { admin: true, manager: true, sales: false, service: false };
