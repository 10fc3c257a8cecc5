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

/** The stages a generated deal stands in, as a small company's pipeline looks: more early than late. */
const DEAL_STAGES = [
  ['initial_contact', 30],
  ['needs_analysis', 22],
  ['proposal', 14],
  ['negotiation', 8],
  ['won', 15],
  ['lost', 11],
] as const;
const OPEN_PATH = ['initial_contact', 'needs_analysis', 'proposal', 'negotiation'] as const;
type DealStage = (typeof DEAL_STAGES)[number][0];
const DEAL_PROBABILITY: Record<DealStage, number> = {
  initial_contact: 10,
  needs_analysis: 25,
  proposal: 50,
  negotiation: 75,
  won: 100,
  lost: 0,
};
const PROJECTS = [
  'ERP 升级项目',
  '年度维保合同',
  'CRM 实施',
  '数据中心扩容',
  '办公网络改造',
  '视频会议系统',
  '仓储管理系统',
  '财务共享平台',
  '安全等保咨询',
  '移动办公平台',
  '生产线 MES 改造',
  '门店收银系统',
] as const;
const NEXT_STEPS = ['安排技术交流', '发送方案书', '约采购部谈价格', '确认预算审批进度', '安排现场演示'];
const LOST_REASONS = ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'requirements'] as const;
const LOST_NOTES = ['客户最终选择了其他供应商', '预算被砍，项目延后到明年', '报价高出对方约 15%', null];

export interface GeneratedDeal {
  title: string;
  stage: DealStage;
  /** Whole yuan. */
  amount: number;
  probability: number;
  /** Days from today (negative: past), as a whole number. */
  expectedCloseInDays: number;
  competitors: string | null;
  nextStep: string | null;
  source: string;
  lostReason: string | null;
  lostNote: string | null;
  /** Days ago the deal was opened. */
  createdDaysAgo: number;
  /** The moves that led to the stage (from null: created there), each with how many days ago it was. */
  history: { from: DealStage | null; to: DealStage; daysAgo: number }[];
  /** Days ago of its last activity (its last move, or a later follow-up); closed deals: when they closed. */
  lastActivityDaysAgo: number;
}

/**
 * A deal on a generated customer: stages weighted toward the early ones, amounts from ¥20,000 to
 * about ¥2,000,000 (most of them small), open deals closing over the coming half year (a few overdue),
 * closed ones won or lost within the past year, the moves that led there a few days to weeks apart,
 * and about one open deal in six idle for a month or more (stale).
 */
export function generateDeal(customerName: string, r: () => number): GeneratedDeal {
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)];
  let roll = r() * 100;
  const stage = DEAL_STAGES.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? 'initial_contact';
  const open = stage !== 'won' && stage !== 'lost';
  // Log-uniform from ¥20,000 to ¥2,000,000, to the thousand.
  const amount = Math.round(20 * Math.pow(100, r() * r())) * 1000;
  // The moves: through the open stages up to the current one. A deal is won from a proposal or
  // negotiation, and lost from any open stage.
  const reached = open
    ? OPEN_PATH.indexOf(stage)
    : stage === 'won'
      ? 2 + Math.floor(r() * 2)
      : Math.floor(r() * OPEN_PATH.length);
  const path: DealStage[] = [...OPEN_PATH.slice(0, reached + 1), ...(open ? [] : [stage])];
  const lastActivityDaysAgo = open
    ? r() < 0.16
      ? 30 + Math.floor(r() * 60)
      : Math.floor(r() * 21)
    : 1 + Math.floor(r() * 365);
  const gaps = path.map((_, k) => (k === 0 ? 0 : 2 + Math.floor(r() * 20)));
  const span = gaps.reduce((s, g) => s + g, 0);
  const createdDaysAgo = lastActivityDaysAgo + span;
  let at = createdDaysAgo;
  const history = path.map((to, k) => {
    at -= gaps[k];
    return { from: k === 0 ? null : path[k - 1], to, daysAgo: at };
  });
  const short = customerName
    .replace(/(股份)?有限(责任)?公司$/, '')
    .replace(/ (Co\., Ltd\.|Ltd\.|Inc\.|Group)$/, '');
  return {
    title: `${short} ${pick(PROJECTS)}`,
    stage,
    amount,
    probability: DEAL_PROBABILITY[stage],
    expectedCloseInDays: open
      ? r() < 0.1
        ? -Math.floor(r() * 30)
        : 7 + Math.floor(r() * 180)
      : -lastActivityDaysAgo + Math.floor(r() * 15) - 7,
    competitors: pick([null, null, '用友', '金蝶', '浪潮', '华为云', 'SAP', '鼎捷']),
    nextStep: open ? pick(NEXT_STEPS) : null,
    source: pick([
      'referral',
      'existing_customer',
      'exhibition',
      'website',
      'cold_call',
      'partner',
      'tender',
    ]),
    lostReason: stage === 'lost' ? pick(LOST_REASONS) : null,
    lostNote: stage === 'lost' ? pick(LOST_NOTES) : null,
    createdDaysAgo,
    history,
    lastActivityDaysAgo,
  };
}
