/**
 * Whose records a dashboard figure counts. `userIds` null: everyone's (the admin unfiltered).
 * Sales records count by their owner (a follow-up by its author); tickets by their assignee, their
 * team (`teamIds`) or the owner of their customer; survey answers by their ticket or their customer.
 */
export interface DashboardScope {
  userIds: number[] | null;
  teamIds: number[];
}

/** Which parts of the dashboard a user has: a service agent has no sales of their own. */
export interface DashboardSections {
  sales: boolean;
  service: boolean;
  customers: boolean;
}

export type { Period, PeriodKind } from './period.js';
export type { KpiKey, KpiValues } from './kpis.js';
