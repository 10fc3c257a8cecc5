import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Brackets,
  DataSource,
  type EntityManager,
  type SelectQueryBuilder,
  type WhereExpressionBuilder,
} from 'typeorm';
import { Customer } from './customer.entity.js';
import { type CustomerAction, type CustomerActor, conditionFor } from './customer.policy.js';
import { SIMILAR_NAME_THRESHOLD } from './duplicates.js';
import { searchLookup, searchWords } from './customer-search.js';
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

/** The fields a customer's form writes. */
export type CustomerFields = Partial<Customer> & { name: string; nameKey: string; uscc: string | null };

/** All SQL on customers. Every read for a user is narrowed by the customer policy's condition. */
@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One page of the list after the cursor `after` (or just before the cursor `before`, going back),
   * the cursors of the next and previous pages, and how many match in all.
   */
  async findPage(
    actor: CustomerActor,
    f: CustomerFilterDto,
  ): Promise<{
    rows: CustomerListRow[];
    next: string | null;
    prev: string | null;
    total: number;
    totalCapped: boolean;
  }> {
    const sort = SORTS[f.sort ?? 'updated'];
    // Only the columns the list shows: hydrating whole customers cost more than the query.
    const qb = this.filtered(actor, f).select([
      'c.id',
      'c.name',
      'c.kind',
      'c.tier',
      'c.vip',
      'c.status',
      'c.city',
      'c.ownerId',
      'c.lastInteractionAt',
      'c.updatedAt',
    ]);
    const back = !f.after && !!f.before;
    const cursor = f.after
      ? decodeCursor(f.after, sort.cast)
      : f.before
        ? decodeCursor(f.before, sort.cast)
        : null;
    // Going back reads the rows before the cursor in the opposite order, then turns them round.
    const dir = back ? (sort.dir === 'ASC' ? 'DESC' : 'ASC') : sort.dir;
    if (cursor) {
      const op = dir === 'ASC' ? '>' : '<';
      qb.andWhere(`(${sort.key}, c.id) ${op} (CAST(:cursorValue AS ${sort.cast}), :cursorId)`, {
        cursorValue: cursor[0],
        cursorId: cursor[1],
      });
    }
    // The cursor value is read as text from PostgreSQL: a JS Date would drop the microseconds.
    qb.addSelect(`(${sort.key})::text`, 'cursor_value');
    const { entities, raw } = await qb
      .orderBy(sort.key, dir)
      .addOrderBy('c.id', dir)
      .limit(PAGE_SIZE + 1)
      .getRawAndEntities<{ c_id: number; cursor_value: string }>();
    const more = entities.length > PAGE_SIZE;
    const rows = entities.slice(0, PAGE_SIZE);
    if (back) rows.reverse();
    const cursorOf = (row: CustomerListRow | undefined) => {
      const value = row && raw.find((r) => r.c_id === row.id)?.cursor_value;
      return row && value !== undefined ? encodeCursor(value, row.id) : null;
    };
    // Forward, a next page exists when a row was left over; back, there is always the page we came from.
    const next = back ? cursorOf(rows.at(-1)) : more ? cursorOf(rows.at(-1)) : null;
    const prev = back ? (more ? cursorOf(rows[0]) : null) : cursor ? cursorOf(rows[0]) : null;
    // A first page with room to spare holds every match: no need to count them again.
    const n = !cursor && entities.length <= PAGE_SIZE ? entities.length : await this.countUpToCap(actor, f);
    return { rows, next, prev, total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
  }

  /** How many customers the filtered list holds; counting stops at COUNT_CAP + 1. */
  private async countUpToCap(actor: CustomerActor, f: CustomerFilterDto): Promise<number> {
    // "1000+" is as useful as an exact figure and costs no full scan.
    const [sql, params] = this.filtered(actor, f)
      .select('1')
      .limit(COUNT_CAP + 1)
      .getQueryAndParameters();
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (${sql}) s`,
      params,
    );
    return n;
  }

  /** The next `size` customers after `afterId` (by id) of the filtered list, with their primary contact. */
  exportBatch(
    actor: CustomerActor,
    f: CustomerFilterDto,
    afterId: number,
    size: number,
    action: CustomerAction = 'view',
  ): Promise<Customer[]> {
    return this.filtered(actor, f, action)
      .leftJoinAndSelect('c.contacts', 'contact', 'contact.deleted_at IS NULL AND contact.primary')
      .andWhere('c.id > :afterId', { afterId })
      .orderBy('c.id', 'ASC')
      .limit(size)
      .getMany();
  }

  /** The filtered, scoped query behind the list and the export. */
  private filtered(
    actor: CustomerActor,
    f: CustomerFilterDto,
    action: CustomerAction = 'view',
  ): SelectQueryBuilder<Customer> {
    const qb = scoped(this.dataSource.getRepository(Customer).createQueryBuilder('c'), actor, action);
    if (f.q) {
      // Each word must match (北京 华信, beijing huaxin), in any of the ways searchLookup knows; a
      // number written in groups (138 1111 2222, 010-1234 5678) is one word.
      searchWords(f.q).forEach((word, i) => {
        const params: Record<string, unknown> = {};
        const sql = searchLookup(word, (value) => {
          const name = `q${i}_${Object.keys(params).length}`;
          params[name] = value;
          return `:${name}`;
        });
        qb.andWhere(`c.id IN (${sql})`, params);
      });
    }
    if (f.owner === 'me') qb.andWhere('c.owner_id = :me', { me: actor.user.id });
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

  /** Names of live or deleted customers by id. */
  async names(ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.query<{ id: number; name: string }[]>(
      'SELECT id, name FROM customer WHERE id = ANY($1)',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Live customers owned by `ownerId`. */
  async idsOwnedBy(ownerId: number): Promise<number[]> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      'SELECT id FROM customer WHERE owner_id = $1 AND deleted_at IS NULL',
      [ownerId],
    );
    return rows.map((r) => r.id);
  }

  /** Live customers owned by any of `ownerIds`, with their names and owners. */
  async ownedByAny(ownerIds: number[]): Promise<{ id: number; name: string; ownerId: number }[]> {
    const rows = await this.dataSource.query<{ id: number; name: string; owner_id: number }[]>(
      'SELECT id, name, owner_id FROM customer WHERE owner_id = ANY($1) AND deleted_at IS NULL',
      [ownerIds],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, ownerId: r.owner_id }));
  }

  /** The owners of live customers among `ids`, with the customers' names. */
  async owners(ids: number[]): Promise<{ id: number; name: string; ownerId: number }[]> {
    if (!ids.length) return [];
    const rows = await this.dataSource.query<{ id: number; name: string; owner_id: number }[]>(
      'SELECT id, name, owner_id FROM customer WHERE id = ANY($1) AND deleted_at IS NULL AND owner_id IS NOT NULL',
      [ids],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, ownerId: r.owner_id }));
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
}
