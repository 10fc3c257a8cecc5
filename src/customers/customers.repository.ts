import { decodeCursor, pageOf } from '../common/list-cursor.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type EntityManager, type WhereExpressionBuilder } from 'typeorm';
import type { Contact } from './contact.entity.js';
import { Customer } from './customer.entity.js';
import {
  type CustomerAction,
  type CustomerActor,
  conditionFor,
  type OwnerScope,
  ownerScope,
  poolCondition,
} from './customer.policy.js';
import { poolOf, prepared } from '../common/sql.js';
import { SIMILAR_NAME_THRESHOLD } from './duplicates.js';
import { searchCondition, searchWords } from './customer-search.js';
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
  'id' | 'name' | 'kind' | 'tier' | 'vip' | 'status' | 'city' | 'lastInteractionAt' | 'ownerId' | 'updatedAt'
>;

/** A live customer that looks like one being saved, and who owns it (as the form names them). */
export type DuplicateCandidate = DuplicateMatch & { ownerName: string | null };

/** A live customer that looks like one being saved. */
export interface DuplicateMatch {
  id: number;
  name: string;
  ownerId: number | null;
  /** Its name's duplicate key is the one being saved. */
  sameName: boolean;
  /** Its name's key is not the same but alike (pg_trgm, at SIMILAR_NAME_THRESHOLD). */
  similarName: boolean;
  sameContact: boolean;
}

export interface DuplicateProbe {
  nameKey: string;
  mobiles: string[];
  phones: string[];
  emails: string[];
}

/** A row of the list statement: the page's columns, its sort key and cursor value, and the capped count. */
type ListRow = CustomerListRow & { sort_key: unknown; cursorValue: string; total: number };

/** What a row of the list shows, the sort key (as `sort_key`) and its text for the cursor. */
const listColumns = (key: string) => `c.id, c.name, c.kind, c.tier, c.vip, c.status, c.city,
  c.owner_id AS "ownerId", c.last_interaction_at AS "lastInteractionAt", c.updated_at AS "updatedAt",
  ${key} AS sort_key, (${key})::text AS "cursorValue"`;

/**
 * The list's filters and search words as SQL conditions on the customer aliased `c` (the scope is
 * not among them, nor the owner filter when `include.owner` is false); `bind` binds a value and
 * answers its placeholder.
 */
function listConditions(
  actor: CustomerActor,
  f: CustomerFilterDto,
  bind: (value: unknown) => string,
  include = { owner: true },
): string[] {
  const where = ['c.deleted_at IS NULL'];
  // Each word must match, in any of the ways searchCondition knows.
  if (f.q) for (const word of searchWords(f.q)) where.push(searchCondition(word, bind));
  if (include.owner && f.owner === 'me') where.push(`c.owner_id = ${bind(actor.user.id)}`);
  else if (include.owner && f.owner === 'pool') where.push('c.owner_id IS NULL');
  else if (include.owner && f.owner) where.push(`c.owner_id = ${bind(Number(f.owner))}`);
  if (f.tier) where.push(`c.tier = ${bind(f.tier)}`);
  if (f.vip) where.push('c.vip');
  if (f.status) where.push(`c.status = ${bind(f.status)}`);
  if (f.industry) where.push(`c.industry = ${bind(f.industry)}`);
  if (f.province) where.push(`c.province = ${bind(f.province)}`);
  if (f.city) where.push(`c.city = ${bind(f.city)}`);
  if (f.tag) where.push(`${bind(f.tag)} = ANY(c.tags)`);
  if (f.idle)
    where.push(
      `coalesce(c.last_interaction_at, '-infinity') < now() - make_interval(days => ${bind(f.idle)})`,
    );
  return where;
}

/**
 * The list page and its capped count as one statement (null: the scope holds no one), in one of two
 * shapes, each reading only what it shows:
 * - browsing: the page walks an index in the sort's order; a scope of owners and the pool is one
 *   index scan per owner and one for the pool, merged (an OR of them would read the whole table);
 *   the count stops after COUNT_CAP + 1 rows of each;
 * - searching: the page is the first matches in the sort's order, the count stops early (a search
 *   that matches hundreds is narrowed by another word, not paged through).
 */
function listStatement(
  actor: CustomerActor,
  f: CustomerFilterDto,
  key: string,
  dir: 'ASC' | 'DESC',
  ownerDir: 'ASC' | 'DESC',
  cursor: { value: string; id: number; cast: string } | null,
  size = PAGE_SIZE,
): { text: string; values: unknown[] } | null {
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  // The owner filter narrows the scope, so the pool or one rep's customers are an index scan too.
  const scope = narrowedToOwner(ownerScope(actor, 'view'), f.owner, actor.user.id);
  if (!scope.everyone && !scope.ownerIds.length && !scope.pool) return null;
  const where = listConditions(actor, f, bind, { owner: false }).join(' AND ');
  const after = (k: string, id: string) =>
    cursor
      ? ` AND (${k}, ${id}) ${dir === 'ASC' ? '>' : '<'} (CAST(${bind(cursor.value)} AS ${cursor.cast}), ${bind(cursor.id)}::int)`
      : '';
  const order = (alias: string) => `ORDER BY ${alias}sort_key ${dir}, ${alias}id ${dir}`;
  const limit = `LIMIT ${size + 1}`;
  let page: string;
  let counted: string;
  if (f.q) {
    // PostgreSQL picks the way from how many match: a common word (华信) walks the sort's index and
    // checks each customer until the page is full; a rare one reads its matches through the search
    // indexes and sorts them. The count is the page's own: counting further would make the index hand
    // over every match of a common word (3,340 for 华信) for a number nobody pages through.
    const matching = `customer c WHERE ${where}${scope.everyone ? '' : ` AND ${scopeCondition(scope, bind)}`}`;
    page = `page AS (SELECT ${listColumns(key)} FROM ${matching}${after(key, 'c.id')}
      ORDER BY ${key} ${dir}, c.id ${dir} ${limit})`;
    counted = `SELECT count(*)::int AS n FROM page`;
  } else {
    // One index scan per owner and one for the pool, each in the list's order; the page's start after
    // the cursor, the count's stop after COUNT_CAP + 1 rows.
    const owners = !scope.everyone && scope.ownerIds.length ? bind(scope.ownerIds) : null;
    const pool =
      !scope.everyone && scope.pool
        ? `${poolCondition(scope, 'c', scope.poolRegion === null ? '' : bind(scope.poolRegion))} AND `
        : null;
    const scans = (
      columns: string,
      rows: number,
      by: { key: string; dir: string; ownerDir: string },
      cursorToo: boolean,
    ) => {
      // Within one owner (or the pool) the owner column is constant: ordering by it first lets the
      // planner see that the owner's index (owner_id, sort key, id) is already in order.
      const scan = (owner: string) =>
        `SELECT ${columns} FROM customer c WHERE ${owner}${where}${cursorToo ? after(key, 'c.id') : ''}
           ORDER BY ${owner ? `c.owner_id ${by.ownerDir}, ` : ''}${by.key} ${by.dir}, c.id ${by.dir} LIMIT ${rows}`;
      if (scope.everyone) return scan('');
      const each: string[] = [];
      if (owners)
        each.push(
          `SELECT b.* FROM unnest(${owners}::int[]) AS o(id) CROSS JOIN LATERAL (${scan('c.owner_id = o.id AND ')}) b`,
        );
      if (pool) each.push(`(${scan(pool)})`);
      return each.join(' UNION ALL ');
    };
    // The scans read the sort key and id from their indexes alone; only the page's rows are then read
    // from the table, not every branch's.
    const top = `SELECT id, sort_key FROM (${scans(`c.id, ${key} AS sort_key`, size + 1, { key, dir, ownerDir }, true)}) b ${order('')} ${limit}`;
    page = `page AS (SELECT l.* FROM (${top}) top CROSS JOIN LATERAL (SELECT ${listColumns(key)} FROM customer c WHERE c.id = top.id) l)`;
    // Whatever the sort, the count walks the indexes by last change, which hold every column it reads.
    const recent = { key: 'c.updated_at', dir: 'DESC', ownerDir: 'ASC' };
    counted = `SELECT count(*)::int AS n FROM (SELECT 1 FROM (${scans('1', COUNT_CAP + 1, recent, false)}) b LIMIT ${COUNT_CAP + 1}) s`;
  }
  return {
    text: `WITH ${page}, counted AS (${counted})
      SELECT counted.n AS total, page.* FROM counted LEFT JOIN page ON true ${order('page.')}`,
    values,
  };
}

/** The scope narrowed by the list's owner filter: me, the pool, or one owner's id. */
function narrowedToOwner(scope: OwnerScope, owner: string | undefined, me: number): OwnerScope {
  if (!owner) return scope;
  if (owner === 'pool')
    return scope.everyone
      ? { everyone: false, ownerIds: [], pool: true, poolRegion: null }
      : { ...scope, ownerIds: [] };
  const id = owner === 'me' ? me : Number(owner);
  return {
    everyone: false,
    ownerIds: scope.everyone || scope.ownerIds.includes(id) ? [id] : [],
    pool: false,
    poolRegion: null,
  };
}

/** The scope's owners and pool as one condition (a search reads few rows: an OR costs nothing there). */
function scopeCondition(
  scope: Extract<OwnerScope, { everyone: false }>,
  bind: (value: unknown) => string,
): string {
  const parts: string[] = [];
  if (scope.ownerIds.length) parts.push(`c.owner_id = ANY(${bind(scope.ownerIds)}::int[])`);
  if (scope.pool)
    parts.push(poolCondition(scope, 'c', scope.poolRegion === null ? '' : bind(scope.poolRegion)));
  return `(${parts.join(' OR ')})`;
}

/** Narrows `qb` (customers aliased `c`) to those the actor may see, or act on. */
function scoped<Q extends WhereExpressionBuilder>(
  qb: Q,
  actor: CustomerActor,
  action: CustomerAction = 'view',
): Q {
  const { sql, params } = conditionFor(actor, action, 'c');
  return sql === 'true' ? qb : qb.andWhere(new Brackets((w) => w.where(sql, params)));
}

/** A customer row as the rules and the recycle bin need it. */
export interface CustomerRef {
  id: number;
  name: string;
  ownerId: number | null;
  status: string;
  province: string | null;
}

/** A live customer's next step, as My day and the morning digest list it. */
export interface NextStepRow {
  customerId: number;
  customerName: string;
  ownerId: number;
  nextStep: string | null;
  nextStepAt: Date;
}

const NEXT_STEP_COLUMNS = `c.id AS "customerId", c.name AS "customerName", c.owner_id AS "ownerId",
  c.next_step AS "nextStep", c.next_step_at AS "nextStepAt"`;

/** What another module's records need to know of a customer: its name, tier, VIP mark and owner. */
export interface CustomerRowFacts {
  id: number;
  name: string;
  tier: 'A' | 'B' | 'C' | null;
  vip: boolean;
  ownerId: number | null;
}

/** The fields a customer's form writes. */
export type CustomerFields = Partial<Customer> & { name: string; nameKey: string; uscc: string | null };

/** All SQL on customers. Every read for a user is narrowed by the customer policy's condition. */
/** A contact as the customer's page shows it. */
export type ProfileContact = Pick<
  Contact,
  | 'id'
  | 'name'
  | 'title'
  | 'mobile'
  | 'phone'
  | 'email'
  | 'wechat'
  | 'primary'
  | 'birthday'
  | 'mailOptOut'
  | 'version'
>;

/** A customer as its page and forms read it: its own columns and its live contacts, primary first. */
export type CustomerProfile = Omit<
  Customer,
  'owner' | 'contacts' | 'deletedAt' | 'mergedInto' | 'searchText' | 'searchTokens'
> & { contacts: ProfileContact[] };

/** The columns of a customer's page and forms: each as the row names it, and its SQL. */
const PROFILE_COLUMNS: [string, string][] = [
  ['id', 'c.id'],
  ['kind', 'c.kind'],
  ['name', 'c.name'],
  ['nameKey', 'c.name_key'],
  ['uscc', 'c.uscc'],
  ['industry', 'c.industry'],
  ['size', 'c.size'],
  ['province', 'c.province'],
  ['city', 'c.city'],
  ['district', 'c.district'],
  ['address', 'c.address'],
  ['website', 'c.website'],
  ['tier', 'c.tier'],
  ['vip', 'c.vip'],
  ['creditLevel', 'c.credit_level'],
  ['source', 'c.source'],
  ['status', 'c.status'],
  ['ownerId', 'c.owner_id'],
  ['birthday', 'c.birthday::text'],
  ['tags', 'c.tags'],
  ['notes', 'c.notes'],
  ['lastInteractionAt', 'c.last_interaction_at'],
  ['nextStepAt', 'c.next_step_at'],
  ['nextStep', 'c.next_step'],
  ['ownedSince', 'c.owned_since'],
  ['poolWarnedAt', 'c.pool_warned_at'],
  ['mergedIntoId', 'c.merged_into_id'],
  ['createdAt', 'c.created_at'],
  ['updatedAt', 'c.updated_at'],
  ['version', 'c.version'],
  [
    'contacts',
    `(SELECT coalesce(json_agg(ct ORDER BY ct."primary" DESC, ct.id), '[]'::json)
        FROM (SELECT id, name, title, mobile, phone, email, wechat, "primary", birthday::text AS birthday,
                     mail_opt_out AS "mailOptOut", version
                FROM contact WHERE customer_id = c.id AND deleted_at IS NULL) ct)`,
  ],
];
const profileColumns = PROFILE_COLUMNS.map(([key, sql]) => `${sql} AS "${key}"`).join(', ');
const profileKeys = new Set(PROFILE_COLUMNS.map(([key]) => key));

@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One page of the list after the cursor `after` (or just before the cursor `before`, going back),
   * the cursors of the next and previous pages, and how many match in all (counting stops past
   * COUNT_CAP): one statement, whatever the role, filters and search (see listStatement). Pages hold
   * `size` rows (the API's `limit`; the pages' PAGE_SIZE).
   */
  async findPage(
    actor: CustomerActor,
    f: CustomerFilterDto,
    size = PAGE_SIZE,
  ): Promise<{
    rows: CustomerListRow[];
    next: string | null;
    prev: string | null;
    total: number;
    totalCapped: boolean;
  }> {
    const sort = SORTS[f.sort ?? 'updated'];
    const back = !f.after && !!f.before;
    const cursor = f.after
      ? decodeCursor(f.after, sort.cast)
      : f.before
        ? decodeCursor(f.before, sort.cast)
        : null;
    // Going back reads the rows before the cursor in the opposite order, then turns them round.
    const dir = back ? (sort.dir === 'ASC' ? 'DESC' : 'ASC') : sort.dir;
    const statement = listStatement(
      actor,
      f,
      sort.key,
      dir,
      // The owner indexes hold each sort in its usual direction; going back reads them backwards.
      dir === sort.dir ? 'ASC' : 'DESC',
      cursor && { value: cursor[0], id: cursor[1], cast: sort.cast },
      size,
    );
    const pool = poolOf(this.dataSource);
    // Browsing walks an index whatever the values: its plan is made once per connection. A search is
    // prepared too (parsed once); PostgreSQL still plans it for each word, as no plan that ignores the
    // word is estimated cheaper than those made for it.
    const found = !statement
      ? []
      : (await pool.query<ListRow>(prepared(statement.text, statement.values))).rows;
    const { rows, capped, ...paging } = pageOf(found, size, back, cursor !== null, f.q ? size : COUNT_CAP);
    // A search counts its first page's matches ("25+" when more follow); past the first page it has
    // more than a page of them, whatever this page holds.
    const searchedOn = f.q && cursor !== null;
    return {
      rows: rows.map(({ total: _total, cursorValue: _cursor, sort_key: _key, ...row }) => row),
      ...paging,
      total: searchedOn ? size : paging.total,
      totalCapped: searchedOn || capped,
    };
  }

  /** The next `size` customers after `afterId` (by id) of the filtered list, with their primary contact. */
  exportBatch(
    actor: CustomerActor,
    f: CustomerFilterDto,
    afterId: number,
    size: number,
    action: CustomerAction = 'view',
  ): Promise<Customer[]> {
    const params: Record<string, unknown> = {};
    const bind = (value: unknown) => {
      const name = `f${Object.keys(params).length}`;
      params[name] = value;
      return `:${name}`;
    };
    const qb = scoped(this.dataSource.getRepository(Customer).createQueryBuilder('c'), actor, action);
    for (const condition of listConditions(actor, f, bind)) qb.andWhere(condition);
    return qb
      .setParameters(params)
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL AND contact.primary')
      .andWhere('c.id > :afterId', { afterId })
      .orderBy('c.id', 'ASC')
      .limit(size)
      .getMany();
  }

  /**
   * Customer $1's owner and its live contacts' names by id (a JSON object), as a SELECT read with the
   * timeline's entries (a follow-up names its contact; a rep sees the tickets of their customers).
   */
  readonly timelineCustomerSql = `SELECT c.owner_id AS "ownerId",
           (SELECT json_object_agg(ct.id, ct.name) FROM contact ct
             WHERE ct.customer_id = c.id AND ct.deleted_at IS NULL) AS contacts
      FROM customer c WHERE c.id = $1`;

  /**
   * A live customer the actor may see, with its live contacts (primary first), as plain rows in one
   * prepared statement (its page and forms); null otherwise. With `also`, the statement selects those
   * columns too (about customer $1, with `also.limit` as $2), answered beside the customer: the 360°
   * page's timeline, read in the same round trip.
   */
  async profile(
    actor: CustomerActor,
    id: number,
    also?: { columns: string; limit: number },
  ): Promise<{ customer: CustomerProfile; also: Record<string, unknown> } | null> {
    const values: unknown[] = also ? [id, also.limit] : [id];
    const bind = (value: unknown) => `$${values.push(value)}`;
    const scope = ownerScope(actor, 'view');
    const visible = scope.everyone
      ? ''
      : ` AND ${scope.ownerIds.length || scope.pool ? scopeCondition(scope, bind) : 'false'}`;
    const { rows } = await poolOf(this.dataSource).query<Record<string, unknown>>(
      prepared(
        `SELECT ${profileColumns}${also ? `,\n       ${also.columns}` : ''}
           FROM customer c WHERE c.id = $1 AND c.deleted_at IS NULL${visible}`,
        values,
      ),
    );
    if (!rows.length) return null;
    const customer: Record<string, unknown> = {};
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rows[0]))
      (profileKeys.has(key) ? customer : extra)[key] = value;
    return { customer: customer as CustomerProfile, also: extra };
  }

  /** A live customer the actor may see, with its live contacts (primary first); null otherwise. */
  findVisible(
    actor: CustomerActor,
    id: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Customer | null> {
    const qb = m
      .getRepository(Customer)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL')
      .where('c.id = :id', { id })
      .orderBy('contact.primary', 'DESC')
      .addOrderBy('contact.id', 'ASC');
    return scoped(qb, actor).getOne();
  }

  /** A live customer by id with its live contacts, whoever looks (a webhook's payload, after the rules passed). */
  async findLive(m: EntityManager, id: number): Promise<Customer | null> {
    return (await this.findLiveMany(m, [id]))[0] ?? null;
  }

  /** Customers by id with their live contacts (primary first), in the order of `ids`: webhook payloads, many at once for an import. */
  async findLiveMany(m: EntityManager, ids: number[]): Promise<Customer[]> {
    const found = await m
      .getRepository(Customer)
      .createQueryBuilder('c')
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL')
      .where('c.id = ANY(:ids)', { ids })
      .orderBy('contact.primary', 'DESC')
      .addOrderBy('contact.id', 'ASC')
      .getMany();
    const byId = new Map(found.map((c) => [c.id, c]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * A live customer the actor may see, locked for a change in the caller's transaction. Scope and
   * lock are one statement, so the customer cannot leave the scope in between.
   */
  lockVisible(m: EntityManager, actor: CustomerActor, id: number): Promise<Customer | null> {
    const qb = m
      .getRepository(Customer)
      .createQueryBuilder('c')
      .where('c.id = :id', { id })
      .setLock('pessimistic_write', undefined, ['c']);
    return scoped(qb, actor).getOne();
  }

  /** A live customer by id alone, locked: whoever owns it now. */
  async lockById(m: EntityManager, id: number): Promise<CustomerRef | null> {
    const [row] = await m.query<
      { id: number; name: string; owner_id: number | null; status: string; province: string | null }[]
    >(
      'SELECT id, name, owner_id, status, province FROM customer WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
      [id],
    );
    return row
      ? { id: row.id, name: row.name, ownerId: row.owner_id, status: row.status, province: row.province }
      : null;
  }

  /** Two people saving the same company at once take turns, so the second sees the first as a duplicate. */
  async lockName(m: EntityManager, nameKey: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`customer:${nameKey}`]);
  }

  /** The live customer holding this USCC, if any. */
  async findByUscc(m: EntityManager, uscc: string): Promise<CustomerRef | null> {
    const c = await m.findOne(Customer, { where: { uscc } });
    return c ? { id: c.id, name: c.name, ownerId: c.ownerId, status: c.status, province: c.province } : null;
  }

  async insert(m: EntityManager, fields: CustomerFields): Promise<number> {
    const { identifiers } = await m.insert(Customer, fields);
    return identifiers[0].id as number;
  }

  async update(m: EntityManager, id: number, fields: Partial<Customer>): Promise<void> {
    await m.update(Customer, { id }, fields);
  }

  async softDelete(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(Customer, { id });
  }

  /** Records an interaction: the customer's last interaction moves forward, never back. */
  async setLastInteraction(m: EntityManager, id: number, at: Date | null): Promise<void> {
    await m.query('UPDATE customer SET last_interaction_at = $2 WHERE id = $1', [id, at]);
  }

  async touch(m: EntityManager, id: number, at: Date): Promise<void> {
    await m.query(
      `UPDATE customer SET last_interaction_at = greatest(coalesce(last_interaction_at, $2), $2), pool_warned_at = NULL WHERE id = $1`,
      [id, at],
    );
  }

  /** What a contract names its customer by: USCC and the address's parts (live or deleted customers). */
  async party(
    id: number,
  ): Promise<Pick<Customer, 'uscc' | 'province' | 'city' | 'district' | 'address'> | null> {
    const rows = await this.dataSource.query<
      Pick<Customer, 'uscc' | 'province' | 'city' | 'district' | 'address'>[]
    >('SELECT uscc, province, city, district, address FROM customer WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  /** Name, tier, VIP mark and owner of live or deleted customers by id (in `m`'s transaction when given). */
  async facts(
    ids: number[],
    m: EntityManager = this.dataSource.manager,
  ): Promise<Map<number, CustomerRowFacts>> {
    if (!ids.length) return new Map();
    const rows = await m.query<CustomerRowFacts[]>(
      'SELECT id, name, tier, vip, owner_id AS "ownerId" FROM customer WHERE id = ANY($1)',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Names of live or deleted customers by id. A list page asks for its rows' names on every view (the
   * board for up to 180 cards): a prepared statement, planned once per connection, each id asked once.
   */
  async names(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const { rows } = await poolOf(this.dataSource).query<{ id: number; name: string }>(
      prepared('SELECT id, name FROM customer WHERE id = ANY($1::int[])', [[...new Set(ids)]]),
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * Sets a customer's next step (the next action and its date its latest live follow-up set), in the
   * caller's transaction. The customer's version and last change stay: logging a follow-up is not an
   * edit of the customer, and must not make an open edit form stale.
   */
  async setNextStep(m: EntityManager, id: number, at: Date | null, action: string | null): Promise<void> {
    await m.query('UPDATE customer SET next_step_at = $2, next_step = $3 WHERE id = $1', [id, at, action]);
  }

  /**
   * The live customers of `ownerId` with a next step before `edges[last]`, in parts: part 0 due before
   * `edges[0]`, part k due from `edges[k - 1]` to before `edges[k]`; each part by due time, then
   * customer, at most `limit` of it. One index scan of ix_customer_owner_next_step per part.
   */
  async nextStepsOf(
    ownerId: number,
    edges: Date[],
    limit: number,
  ): Promise<(NextStepRow & { part: number })[]> {
    const parts = edges.map(
      (_, k) => `(SELECT ${k} AS part, ${NEXT_STEP_COLUMNS} FROM customer c
          WHERE c.owner_id = $1 AND c.deleted_at IS NULL AND c.next_step_at IS NOT NULL
            ${k ? `AND c.next_step_at >= $${k + 1} ` : ''}AND c.next_step_at < $${k + 2}
          ORDER BY c.next_step_at, c.id LIMIT $${edges.length + 2})`,
    );
    const { rows } = await poolOf(this.dataSource).query<NextStepRow & { part: number }>(
      parts.join(' UNION ALL '),
      [ownerId, ...edges, limit],
    );
    return rows;
  }

  /**
   * For each owner, their live customers with a next step before that owner's `before`: how many, and
   * the first `limit` by due time, then customer. Owners with none are left out. One statement: per
   * owner, a count and a short walk of ix_customer_owner_next_step.
   */
  async nextStepsBefore(
    owners: { ownerId: number; before: Date }[],
    limit: number,
  ): Promise<{ ownerId: number; total: number; steps: NextStepRow[] }[]> {
    if (!owners.length) return [];
    const { rows } = await poolOf(this.dataSource).query<NextStepRow & { total: number }>(
      `SELECT n.total, s.* FROM unnest($1::int[], $2::timestamptz[]) WITH ORDINALITY AS o(id, before, k)
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS total FROM customer c
            WHERE c.owner_id = o.id AND c.deleted_at IS NULL AND c.next_step_at IS NOT NULL
              AND c.next_step_at < o.before) n
         CROSS JOIN LATERAL (
           SELECT ${NEXT_STEP_COLUMNS} FROM customer c
            WHERE c.owner_id = o.id AND c.deleted_at IS NULL AND c.next_step_at IS NOT NULL
              AND c.next_step_at < o.before
            ORDER BY c.next_step_at, c.id LIMIT $3) s
        ORDER BY o.k, s."nextStepAt", s."customerId"`,
      [owners.map((o) => o.ownerId), owners.map((o) => o.before), limit],
    );
    const byOwner = new Map<number, { ownerId: number; total: number; steps: NextStepRow[] }>();
    for (const { total, ...step } of rows) {
      let owner = byOwner.get(step.ownerId);
      if (!owner) byOwner.set(step.ownerId, (owner = { ownerId: step.ownerId, total, steps: [] }));
      owner.steps.push(step);
    }
    return [...byOwner.values()];
  }

  // The recycle bin

  /** Deleted (not merged) customers the actor may edit, last deleted first. */
  async findDeleted(actor: CustomerActor, limit: number): Promise<(CustomerRef & { deletedAt: Date })[]> {
    const rows = await scoped(
      this.dataSource.getRepository(Customer).createQueryBuilder('c').withDeleted(),
      actor,
      'edit',
    )
      .andWhere('c.deleted_at IS NOT NULL AND c.merged_into_id IS NULL')
      .orderBy('c.deleted_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit)
      .getMany();
    return rows.map((c) => ({
      id: c.id,
      name: c.name,
      ownerId: c.ownerId,
      status: c.status,
      province: c.province,
      deletedAt: c.deletedAt!,
    }));
  }

  /** A deleted (not merged) customer the actor may edit, locked; null otherwise. */
  async lockDeleted(
    m: EntityManager,
    actor: CustomerActor,
    id: number,
  ): Promise<{ name: string; uscc: string | null } | null> {
    const c = await scoped(m.getRepository(Customer).createQueryBuilder('c').withDeleted(), actor, 'edit')
      .andWhere('c.id = :id AND c.deleted_at IS NOT NULL AND c.merged_into_id IS NULL', { id })
      .setLock('pessimistic_write', undefined, ['c'])
      .getOne();
    return c ? { name: c.name, uscc: c.uscc } : null;
  }

  async restore(m: EntityManager, id: number): Promise<void> {
    await m.query(
      'UPDATE customer SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE id = $1',
      [id],
    );
  }

  /**
   * The live customer a merged-away customer lives on in, following merges of merges (a chain a few
   * links long at most); null when `id` was not merged or its survivor is gone too.
   */
  async survivorOf(id: number): Promise<number | null> {
    const [row] = await this.dataSource.query<{ id: number }[]>(
      `WITH RECURSIVE chain(id, merged_into_id, deleted_at, depth) AS (
         SELECT id, merged_into_id, deleted_at, 0 FROM customer WHERE id = $1 AND merged_into_id IS NOT NULL
         UNION ALL
         SELECT c.id, c.merged_into_id, c.deleted_at, chain.depth + 1
           FROM customer c JOIN chain ON c.id = chain.merged_into_id
          WHERE chain.depth < 20)
       SELECT id FROM chain WHERE deleted_at IS NULL AND depth > 0 ORDER BY depth LIMIT 1`,
      [id],
    );
    return row?.id ?? null;
  }

  /** Closes a customer merged into another: soft-deleted and pointing at the survivor. */
  async markMerged(m: EntityManager, id: number, survivorId: number): Promise<void> {
    await m.update(Customer, { id }, { mergedIntoId: survivorId });
    await m.softDelete(Customer, { id });
  }

  // Duplicates

  /**
   * Live customers that look like the probe, whoever owns them: the same duplicate key, a similar
   * one (trigram similarity at least SIMILAR_NAME_THRESHOLD), or a contact with the same mobile,
   * phone or e-mail.
   */
  async findDuplicates(
    m: EntityManager,
    p: DuplicateProbe,
    exceptId: number | null,
  ): Promise<DuplicateMatch[]> {
    // `%` then means "similar enough" at the rule's threshold, so the trigram index returns only real candidates.
    await m.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [
      String(SIMILAR_NAME_THRESHOLD),
    ]);
    const rows = await m.query<
      {
        id: number;
        name: string;
        owner_id: number | null;
        same_name: boolean;
        similar_name: boolean;
        same_contact: boolean;
      }[]
    >(
      `WITH by_contact AS (
         SELECT DISTINCT customer_id FROM contact
          WHERE deleted_at IS NULL AND (mobile = ANY($2) OR phone = ANY($3) OR lower(email) = ANY($4)))
       SELECT c.id, c.name, c.owner_id, c.name_key = $1 AS same_name,
              c.name_key <> $1 AND similarity(c.name_key, $1) >= $6 AS similar_name,
              c.id IN (SELECT customer_id FROM by_contact) AS same_contact
         FROM customer c
        WHERE c.deleted_at IS NULL AND c.id <> $5
          AND (c.name_key = $1 OR (c.name_key % $1 AND similarity(c.name_key, $1) >= $6)
               OR c.id IN (SELECT customer_id FROM by_contact))
        ORDER BY c.name_key = $1 DESC, similarity(c.name_key, $1) DESC, c.id
        LIMIT 10`,
      [p.nameKey, p.mobiles, p.phones, p.emails, exceptId ?? -1, SIMILAR_NAME_THRESHOLD],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      ownerId: r.owner_id,
      sameName: r.same_name,
      similarName: r.similar_name,
      sameContact: r.same_contact,
    }));
  }

  // Requesters: who a service request comes from

  /**
   * The live contact, at a live customer, with this e-mail (in any case) or this mobile (normalised,
   * as contacts store it): an active customer's first, then an e-mail match before a mobile one, then
   * the customer interacted with last. Null when none has either.
   */
  async findRequesterContact(
    m: EntityManager,
    email: string | null,
    mobile: string | null,
  ): Promise<{ contactId: number; customerId: number } | null> {
    if (email === null && mobile === null) return null;
    const [row] = await m.query<{ contact_id: number; customer_id: number }[]>(
      `SELECT k.id AS contact_id, k.customer_id
         FROM contact k JOIN customer c ON c.id = k.customer_id
        WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL
          AND (lower(k.email) = $1 OR k.mobile = $2)
        ORDER BY c.status = 'active' DESC, lower(k.email) IS NOT DISTINCT FROM $1 DESC,
                 c.last_interaction_at DESC NULLS LAST, k.id
        LIMIT 1`,
      [email, mobile],
    );
    return row ? { contactId: row.contact_id, customerId: row.customer_id } : null;
  }

  /** Up to `limit` live customers whose duplicate key is `nameKey`, oldest first. */
  async liveIdsByNameKey(m: EntityManager, nameKey: string, limit: number): Promise<number[]> {
    const rows = await m.query<{ id: number }[]>(
      'SELECT id FROM customer WHERE name_key = $1 AND deleted_at IS NULL ORDER BY id LIMIT $2',
      [nameKey, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Two requests from the same unknown person at once (a mail and its resend) take turns, so the
   * second finds the contact the first created instead of making a second lead.
   */
  async lockRequester(m: EntityManager, keys: string[]): Promise<void> {
    for (const key of [...new Set(keys)].sort())
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`requester:${key}`]);
  }

  // Search and duplicate keys

  /** Customers whose keys were never computed (older rows, bulk inserts), up to `limit`. */
  withoutKeys(limit: number): Promise<{ id: number; name: string }[]> {
    return this.dataSource.query<{ id: number; name: string }[]>(
      `SELECT id, name FROM customer WHERE search_text = '' ORDER BY id LIMIT $1`,
      [limit],
    );
  }

  async setKeys(rows: { id: number; nameKey: string; searchText: string }[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE customer c SET name_key = k.name_key, search_text = k.search_text
         FROM unnest($1::int[], $2::text[], $3::text[]) AS k(id, name_key, search_text) WHERE c.id = k.id`,
      [rows.map((r) => r.id), rows.map((r) => r.nameKey), rows.map((r) => r.searchText)],
    );
  }

  /** A customer, deleted or not: what Kehu holds on a person-customer (a PIPL request). */
  findAnyState(id: number): Promise<Customer | null> {
    return this.dataSource.getRepository(Customer).findOne({ where: { id }, withDeleted: true });
  }

  /**
   * Erasing a person-customer: their own fields give way to `name` (and its keys), the rest of what
   * identifies them is cleared; figures, status and owner stay.
   */
  async erasePersonFields(
    m: EntityManager,
    id: number,
    fields: { name: string; nameKey: string; searchText: string },
  ): Promise<void> {
    await m.query(
      `UPDATE customer SET name = $2, name_key = $3, search_text = $4, address = NULL, birthday = NULL,
         notes = NULL, website = NULL, uscc = NULL, version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id, fields.name, fields.nameKey, fields.searchText],
    );
  }

  /** Masks whatever matches `pattern` (a regular expression) in the customer's free text. */
  async maskText(m: EntityManager, id: number, pattern: string, mask: string): Promise<void> {
    await m.query(
      `UPDATE customer SET notes = regexp_replace(notes, $2, $3, 'gi'), next_step = regexp_replace(next_step, $2, $3, 'gi'),
         address = regexp_replace(address, $2, $3, 'gi'), version = version + 1, updated_at = now()
       WHERE id = $1 AND (notes ~* $2 OR next_step ~* $2 OR address ~* $2)`,
      [id, pattern, mask],
    );
  }
}
