import { usccCheckChar } from '../customers/uscc.js';
import * as N from './names.js';

/** A small deterministic random source, so the demo company looks the same on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export interface GeneratedCustomer {
  kind: 'company' | 'person';
  name: string;
  uscc: string | null;
  industry: string | null;
  size: string | null;
  province: string;
  city: string;
  district: string;
  address: string;
  tier: 'A' | 'B' | 'C';
  vip: boolean;
  source: string;
  status: 'lead' | 'prospect' | 'active' | 'churned';
  ownerId: number | null;
  tags: string[];
  notes: string | null;
  contacts: {
    name: string;
    title: string | null;
    mobile: string;
    email: string | null;
    wechat: string | null;
    primary: boolean;
  }[];
  followUps: {
    daysAgo: number;
    method: string;
    summary: string;
    promises: string | null;
    nextAction: string | null;
    nextInDays: number | null;
    authorId: number;
    contact: number | null;
  }[];
}

/**
 * Customer `index` of a generated book of business. Names are unique by index (a trailing number
 * once the word lists run out), USCCs are valid and unique, owners cycle through `ownerIds`
 * with about one customer in eight left in the public pool.
 */
export function generateCustomer(
  index: number,
  ownerIds: number[],
  authorFallback: number,
  r: () => number,
): GeneratedCustomer {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)];
  const region = pick(N.REGIONS);
  const place = pick(region.cities);
  const district = pick(place.districts);
  const round = Math.floor(index / (N.BRANDS.length * N.TRADES.length));
  const brand = N.BRANDS[index % N.BRANDS.length];
  const trade = N.TRADES[Math.floor(index / N.BRANDS.length) % N.TRADES.length];
  const english = index % 10 === 7;
  const person = index % 10 === 9;
  let name: string;
  if (person) {
    // Every tenth index is a person: walk surname × given name so no two share a name.
    const k = Math.floor(index / 10);
    const combos = N.SURNAMES.length * N.GIVEN.length;
    name =
      N.SURNAMES[k % N.SURNAMES.length] +
      N.GIVEN[Math.floor(k / N.SURNAMES.length) % N.GIVEN.length] +
      (k >= combos ? String(Math.floor(k / combos)) : '');
  } else if (english)
    name = `${N.ENGLISH_COMPANIES[index % N.ENGLISH_COMPANIES.length]}${round || index >= 12 ? ` ${index}` : ''} ${pick(N.ENGLISH_FORMS)}`;
  else {
    const prefix = N.CITY_PREFIX[place.city] ?? '';
    const form = pick(N.FORMS);
    name =
      index % 3 === 0 ? `${brand}${trade.word}（${prefix}）${form}` : `${prefix}${brand}${trade.word}${form}`;
    if (round) name = name.replace(form, `${round}号${form}`);
  }
  const owner = index % 8 === 5 ? null : ownerIds[index % ownerIds.length];
  const status = owner === null ? 'lead' : pick(['lead', 'prospect', 'active', 'active', 'churned'] as const);
  const contactCount = person ? 1 : 1 + Math.floor(r() * 3);
  const contacts = Array.from({ length: contactCount }, (_, i) => {
    const cn = !english || i > 0;
    const contactName = cn ? pick(N.SURNAMES) + pick(N.GIVEN) : pick(N.ENGLISH_PEOPLE);
    return {
      name: person && i === 0 ? name : contactName,
      title: person ? null : pick(N.TITLES),
      mobile: `1${pick(['38', '39', '50', '58', '86', '88', '36', '77'])}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
      email: r() < 0.6 ? `contact${index}.${i}@example.cn` : null,
      wechat: r() < 0.5 ? `wx_${index}_${i}` : null,
      primary: i === 0,
    };
  });
  const followCount = Math.floor(r() * 5);
  // Follow-ups speak the customer's language, and each text describes its own method.
  const texts = N.FOLLOW_UP_TEXTS[english ? 'en' : 'zh'];
  const followUps = Array.from({ length: followCount }, (_, i) => {
    const latest = i === followCount - 1;
    // Drawn in the same order as ever, so the demo's other random choices stay what they were.
    const daysAgo = Math.floor((followCount - i) * 15 * r()) + (latest ? 0 : 1);
    const method = pick(['phone', 'visit', 'email', 'wechat', 'meeting'] as const);
    return {
      daysAgo,
      method,
      summary: pick(texts.summaries[method]),
      promises: r() < 0.25 ? pick(texts.promises) : null,
      nextAction: latest ? pick(texts.nextActions) : null,
      nextInDays: latest ? Math.floor(r() * 14) - 5 : null,
      authorId: owner ?? authorFallback,
      contact: r() < 0.7 ? 0 : null,
    };
  });
  let uscc: string | null = null;
  if (!person && r() < 0.75) {
    let body = '91' + ['110105', '310115', '440106', '440305', '330106', '320106', '510107'][index % 7];
    let n = index;
    for (let i = 0; i < 9; i++) {
      body += USCC_ALPHABET[n % 31];
      n = Math.floor(n / 31);
    }
    uscc = body + usccCheckChar(body);
  }
  return {
    kind: person ? 'person' : 'company',
    name,
    uscc,
    industry: person ? null : trade.industry,
    size: person ? null : pick(['1-9', '10-49', '50-199', '200-999', '1000+']),
    province: region.province,
    city: place.city,
    district,
    address: `${pick(['中山路', '人民路', '建设路', '科技园路', '解放大道'])}${1 + Math.floor(r() * 300)}号`,
    tier: pick(['A', 'B', 'B', 'C', 'C', 'C'] as const),
    vip: r() < 0.08,
    source: pick(['referral', 'exhibition', 'website', 'cold_call', 'wechat', 'other']),
    status,
    ownerId: owner,
    tags: r() < 0.3 ? [pick(['重点客户', '老客户', 'key account', '展会', '待激活'])] : [],
    // Every sixth customer has notes; chosen by its number, so the demo's random draws stay as they were.
    notes:
      index % 6 === 1
        ? N.NOTES[english ? 'en' : 'zh'][Math.floor(index / 6) % N.NOTES[english ? 'en' : 'zh'].length]
        : null,
    contacts,
    followUps,
  };
}
