/** The public pool's rules, changed by an admin at /admin/settings. */
export interface PoolRules {
  /** How many customers one rep may own; claiming stops there. */
  maxOwned: number;
  /** Days without a follow-up after which a customer of each tier returns to the pool. */
  returnDaysA: number;
  returnDaysB: number;
  returnDaysC: number;
  /** How many days before that the owner is warned. */
  warnDays: number;
  /** Split the pool by region: a rep sees the pool customers of their region and those without one. */
  byRegion: boolean;
}

export const POOL_KEY = 'pool';
export const POOL_DEFAULTS: PoolRules = {
  maxOwned: 300,
  returnDaysA: 90,
  returnDaysB: 60,
  returnDaysC: 30,
  warnDays: 7,
  byRegion: false,
};
