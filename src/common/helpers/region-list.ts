import { citiesOf, districtsOf, PROVINCES } from '../regions.js';

const LEVELS = ['provinces', 'cities', 'districts'] as const;

/**
 * (regionList "cities" province city): the options of one level of the province → city → district
 * selects, given what the form holds so far, typed or stored.
 */
export function regionList(level: unknown, province: unknown, city: unknown): string[] {
  if (!LEVELS.includes(level as (typeof LEVELS)[number]))
    throw new Error(`regionList takes one of ${LEVELS.join(', ')}`);
  const p = typeof province === 'string' ? province : null;
  const c = typeof city === 'string' ? city : null;
  if (level === 'provinces') return PROVINCES;
  return level === 'cities' ? citiesOf(p) : districtsOf(p, c);
}
