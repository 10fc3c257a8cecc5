import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { RecordScope } from '../auth/record-scope.js';
import type { SessionUser } from '../common/session-user.js';
import { Contact } from './contact.entity.js';
import type { User } from '../users/user.entity.js';
import { Customer } from './customer.entity.js';
import { isChinesePair, PAIR_MARK } from './customer-keys.js';
import { normalizeMobile } from './phone.js';
import type { CustomerFilterDto, CustomerSort } from './dto/customer-filter.dto.js';

export const PAGE_SIZE = 25;
export const COUNT_CAP = 1000;

/** How each sort orders rows, and the keyset condition that continues after a row. */
const SORTS: Record<CustomerSort, { key: string; dir: 'ASC' | 'DESC'; cast: string }> = {
  updated: { key: 'c.updated_at', dir: 'DESC', cast: 'timestamptz' },
  name: { key: 'c.name', dir: 'ASC', cast: 'text' },
  idle: { key: "coalesce(c.last_interaction_at, '-infinity')", dir: 'ASC', cast: 'timestamptz' },
};

/** What a row of the customer list shows. */
export type CustomerListRow = Pick<
  Customer,
  'id' | 'name' | 'kind' | 'tier' | 'vip' | 'status' | 'city' | 'lastInteractionAt'
> & { owner: Pick<User, 'id' | 'name'> | null };

export interface DuplicateCandidate {
  id: number;
  name: string;
  ownerId: number | null;
  ownerName: string | null;
  sameName: boolean;
  sameContact: boolean;
}

export interface DuplicateProbe {
  nameKey: string;
  mobiles: string[];
  phones: string[];
  emails: string[];
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function encodeCursor(value: unknown, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string, cast: string): [string, number] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isInteger(parsed[1])) return null;
    const value = String(parsed[0]);
    // A time must read as one, or the database would refuse the page.
    if (cast === 'timestamptz' && value !== '-infinity' && Number.isNaN(Date.parse(value))) return null;
    return [value, Number(parsed[1])];
  } catch {
    return null; // a mangled cursor starts from the first page
  }
}

/** Words of a search beyond this many are ignored. */
const MAX_SEARCH_WORDS = 5;

/**
 * The ids of customers one search word finds: one indexed lookup per way of matching, joined by
 * UNION so each uses its own index — trigrams for names and pinyin; b-trees for USCC, phone, e-mail,
 * the whole mobile and its last digits (尾号). Parameters are named after `key`.
 */
function searchLookup(word: string, key: string): [string, Record<string, string>] {
  const digits = normalizeMobile(word) ?? word.replace(/[\s-]/g, '');
  const contact = [
    Array.from(word).length >= 3 ? `name ILIKE :${key}contactLike` : `name = :${key}`,
    `phone = :${key}`,
    `lower(email) = :${key}`,
  ];
  if (/^\+?\d{5,}$/.test(digits)) contact.push(`mobile = :${key}digits`);
  if (/^\d{4,10}$/.test(digits)) contact.push(`reverse(mobile) LIKE :${key}tail`);
  const lookups = [
    `SELECT id FROM customer WHERE search_text LIKE :${key}like AND deleted_at IS NULL`,
    `SELECT customer_id FROM contact WHERE deleted_at IS NULL AND (${contact.join(' OR ')})`,
  ];
  if (/^[0-9a-z]{18}$/.test(word))
    lookups.push(`SELECT id FROM customer WHERE uscc = upper(:${key}) AND deleted_at IS NULL`);
  return [
    lookups.join(' UNION '),
    {
      [key]: word,
      [`${key}like`]: isChinesePair(word) ? `%${word}${PAIR_MARK}%` : `%${likeEscape(word)}%`,
      [`${key}contactLike`]: `%${likeEscape(word)}%`,
      [`${key}digits`]: digits,
      [`${key}tail`]: `${[...digits].reverse().join('')}%`,
    },
  ];
}

/** All TypeORM for customers and their contacts. Every read for a user is narrowed by RecordScope. */
@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One page of the list after the cursor, the cursor of the next page, and how many match in all. */
  async findPage(
    user: SessionUser,
    f: CustomerFilterDto,
  ): Promise<{ rows: CustomerListRow[]; next: string | null; total: number; totalCapped: boolean }> {
    const sort = SORTS[f.sort ?? 'updated'];
    // Only the columns the list shows: hydrating whole customers and owners cost more than the query.
    const qb = this.filtered(user, f)
      .select(['c.id', 'c.name', 'c.kind', 'c.tier', 'c.vip', 'c.status', 'c.city', 'c.lastInteractionAt'])
      .leftJoin('c.owner', 'owner')
      .addSelect(['owner.id', 'owner.name']);
    const cursor = f.after ? decodeCursor(f.after, sort.cast) : null;
    if (cursor) {
      const op = sort.dir === 'ASC' ? '>' : '<';
      qb.andWhere(`(${sort.key}, c.id) ${op} (CAST(:cursorValue AS ${sort.cast}), :cursorId)`, {
        cursorValue: cursor[0],
        cursorId: cursor[1],
      });
    }
    // The cursor value is read as text from PostgreSQL: a JS Date would drop the microseconds.
    qb.addSelect(`(${sort.key})::text`, 'cursor_value');
    const { entities, raw } = await qb
      .orderBy(sort.key, sort.dir)
      .addOrderBy('c.id', sort.dir)
      .limit(PAGE_SIZE + 1)
      .getRawAndEntities<{ c_id: number; cursor_value: string }>();
    const rows = entities.slice(0, PAGE_SIZE);
    const last = rows.at(-1);
    const lastValue = last && raw.find((r) => r.c_id === last.id)?.cursor_value;
    const next =
      entities.length > PAGE_SIZE && last && lastValue !== undefined
        ? encodeCursor(lastValue, last.id)
        : null;
    // A first page with room to spare holds every match: no need to count them again.
    const n = !cursor && entities.length <= PAGE_SIZE ? entities.length : await this.countUpToCap(user, f);
    return { rows, next, total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
  }

  /** How many customers the filtered list holds; counting stops at COUNT_CAP + 1. */
  private async countUpToCap(user: SessionUser, f: CustomerFilterDto): Promise<number> {
    // "1000+" is as useful as an exact figure and costs no full scan.
    const [sql, params] = this.filtered(user, f)
      .select('1')
      .limit(COUNT_CAP + 1)
      .getQueryAndParameters();
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (${sql}) s`,
      params,
    );
    return n;
  }

  /** The next `size` customers after `afterId` (by id) of the filtered list, with owner and primary contact. */
  exportBatch(user: SessionUser, f: CustomerFilterDto, afterId: number, size: number): Promise<Customer[]> {
    return this.filtered(user, f)
      .leftJoinAndSelect('c.owner', 'owner')
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL AND contact.primary')
      .andWhere('c.id > :afterId', { afterId })
      .orderBy('c.id', 'ASC')
      .limit(size)
      .getMany();
  }

  /** The filtered, scoped query behind the list and the export. */
  filtered(user: SessionUser, f: CustomerFilterDto): SelectQueryBuilder<Customer> {
    const qb = this.dataSource.getRepository(Customer).createQueryBuilder('c');
    RecordScope.customers(qb, user, 'c');
    if (f.q) {
      // Each word must match (北京 华信, beijing huaxin), in any of the ways searchLookup knows; a
      // number written in groups (138 1111 2222, 010-1234 5678) is one word.
      const q = f.q.normalize('NFKC').toLowerCase().trim();
      const words = /^\+?[\d\s-]+$/.test(q) ? [q] : q.split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
      words.forEach((word, i) => {
        const [sql, params] = searchLookup(word, `q${i}`);
        qb.andWhere(`c.id IN (${sql})`, params);
      });
    }
    if (f.owner === 'me') qb.andWhere('c.owner_id = :me', { me: user.id });
    else if (f.owner === 'pool') qb.andWhere('c.owner_id IS NULL');
    else if (f.owner) qb.andWhere('c.owner_id = :ownerId', { ownerId: Number(f.owner) });
    if (f.tier) qb.andWhere('c.tier = :tier', { tier: f.tier });
    if (f.vip) qb.andWhere('c.vip');
    if (f.status) qb.andWhere('c.status = :status', { status: f.status });
    if (f.industry) qb.andWhere('c.industry = :industry', { industry: f.industry });
    if (f.province) qb.andWhere('c.province = :province', { province: f.province });
    if (f.city) qb.andWhere('c.city = :city', { city: f.city });
    if (f.tag) qb.andWhere(':tag = ANY(c.tags)', { tag: f.tag });
    if (f.idle) {
      qb.andWhere(`coalesce(c.last_interaction_at, '-infinity') < now() - make_interval(days => :idle)`, {
        idle: f.idle,
      });
    }
    return qb;
  }

  /** A customer the user may see, with owner and live contacts; null otherwise. */
  findVisible(
    user: SessionUser,
    id: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Customer | null> {
    const qb = m
      .getRepository(Customer)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.owner', 'owner')
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL')
      .where('c.id = :id', { id })
      .orderBy('contact.primary', 'DESC')
      .addOrderBy('contact.id', 'ASC');
    return RecordScope.customers(qb, user, 'c').getOne();
  }

  /**
   * A customer the user may see, with its owner, locked for a change in the caller's transaction.
   * Scope and lock are one statement, so the customer cannot leave the scope in between.
   */
  lockVisible(m: EntityManager, user: SessionUser, id: number): Promise<Customer | null> {
    const qb = m
      .getRepository(Customer)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.owner', 'owner')
      .where('c.id = :id', { id })
      .setLock('pessimistic_write', undefined, ['c']);
    return RecordScope.customers(qb, user, 'c').getOne();
  }

  findContact(m: EntityManager, customerId: number, contactId: number): Promise<Contact | null> {
    return m.findOne(Contact, { where: { id: contactId, customerId }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Live customers that look like the probe, whoever owns them: the same duplicate key, a similar
   * one (trigram similarity ≥ 0.6), or a contact with the same mobile, phone or e-mail.
   */
  async findDuplicates(
    m: EntityManager,
    p: DuplicateProbe,
    exceptId: number | null,
  ): Promise<DuplicateCandidate[]> {
    // `%` then means "similar enough" at the rule's 0.6, so the trigram index returns only real candidates.
    await m.query('SET LOCAL pg_trgm.similarity_threshold = 0.6');
    const rows = await m.query<
      {
        id: number;
        name: string;
        owner_id: number | null;
        owner_name: string | null;
        same_name: boolean;
        same_contact: boolean;
      }[]
    >(
      `WITH by_contact AS (
         SELECT DISTINCT customer_id FROM contact
          WHERE deleted_at IS NULL AND (mobile = ANY($2) OR phone = ANY($3) OR lower(email) = ANY($4)))
       SELECT c.id, c.name, c.owner_id, u.name AS owner_name, c.name_key = $1 AS same_name,
              c.id IN (SELECT customer_id FROM by_contact) AS same_contact
         FROM customer c LEFT JOIN app_user u ON u.id = c.owner_id
        WHERE c.deleted_at IS NULL AND c.id <> $5
          AND (c.name_key = $1 OR (c.name_key % $1 AND similarity(c.name_key, $1) >= 0.6)
               OR c.id IN (SELECT customer_id FROM by_contact))
        ORDER BY c.name_key = $1 DESC, similarity(c.name_key, $1) DESC, c.id
        LIMIT 10`,
      [p.nameKey, p.mobiles, p.phones, p.emails, exceptId ?? -1],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      ownerId: r.owner_id,
      ownerName: r.owner_name,
      sameName: r.same_name,
      sameContact: r.same_contact,
    }));
  }
}
