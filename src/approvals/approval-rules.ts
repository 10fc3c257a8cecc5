import type { ApprovalMode } from './approvals.types.js';

/** The approval rules an admin sets in the `approvals` section of /admin/settings. */
export interface ApprovalRules {
  /** Exact amount in CNY ("100000.00"): a contract above it goes on to the general managers. */
  threshold: string;
  generalManagerIds: number[];
  /** 会签 (all) by default. */
  generalManagerMode: ApprovalMode;
}

export const APPROVALS_KEY = 'approvals';
export const APPROVALS_DEFAULTS: ApprovalRules = {
  threshold: '100000.00',
  generalManagerIds: [],
  generalManagerMode: 'all',
};
