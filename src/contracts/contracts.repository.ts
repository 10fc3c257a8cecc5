import { Injectable } from '@nestjs/common';
import { at } from '../common/customer-lifecycle.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { decodeCursor, pageOf } from '../common/list-cursor.js';
import { type Fen, fromNumeric } from '../common/money.js';
import { poolOf, prepared } from '../common/sql.js';
import type { ContractFilterDto } from './dto/contract-filter.dto.js';
import type { ExactLine } from './contract-lines.js';
import { ContractLine } from './contract-line.entity.js';
import { Contract } from './contract.entity.js';
import { type ContractStatus, OPEN_CONTRACT_STATUSES } from './contract.options.js';
import type { ContractScope } from './contract.policy.js';

export const PAGE_SIZE = 25;
export const COUNT_CAP = 1000;

/** A row of the list: the columns it shows. */
export interface ContractRow {
  id: number;
  number: string;
  title: string;
  customerId: number;
  customerName: string;
  ownerId: number;
  status: ContractStatus;
  amount: Fen;
  startOn: string | null;
  endOn: string | null;
  signedOn: string | null;
  createdAt: Date;
}

const rowColumns = `o.id, o.number, o.title, o.customer_id AS "customerId", o.customer_name AS "customerName",
  o.owner_id AS "ownerId", o.status, o.amount::text AS amount, o.start_on::text AS "startOn",
  o.end_on::text AS "endOn", o.signed_on::text AS "signedOn", o.created_at AS "createdAt"`;

type RawRow = Omit<ContractRow, 'amount'> & { amount: string };
const toRow = (r: RawRow): ContractRow => ({ ...r, amount: fromNumeric(r.amount) });

const like = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The list's filters as SQL conditions on the contract aliased `o` (scope and owner not among them). */
function filterConditions(f: ContractFilterDto, bind: (value: unknown) => string): string[] {
  const where = ['o.deleted_at IS NULL'];
  for (const word of (f.q ?? '').split(/\s+/).filter(Boolean).slice(0, 5)) {
    const w = bind(like(word));
    where.push(`(o.number ILIKE ${w} OR o.title ILIKE ${w} OR o.customer_name ILIKE ${w})`);
  }
  if (f.status) where.push(`o.status = ${bind(f.status)}`);
  if (f.customer) where.push(`o.customer_id = ${bind(f.customer)}`);
  return where;
}

/** The scope narrowed by the owner filter: me, or one owner's id (only within the scope). */
export function narrowedToOwner(scope: ContractScope, owner: string | undefined, me: number): ContractScope {
  if (!owner) return scope;
  const id = owner === 'me' ? me : Number(owner);
  return { everyone: false, ownerIds: scope.everyone || scope.ownerIds.includes(id) ? [id] : [] };
}

/**
 * The list page and its capped count as one statement (null: the scope holds no one), newest first.
 * As the other lists (README, "The list pattern"): one index scan per owner by creation (by owner,
 * status and creation when filtered by status), merged, then only the page's rows read from the
 * table; the count walks the same scans and stops after COUNT_CAP + 1 rows.
 */
export function listStatement(
  scope: ContractScope,
  f: ContractFilterDto,
  dir: 'ASC' | 'DESC',
  cursor: { value: string; id: number } | null,
  size = PAGE_SIZE,
): { text: string; values: unknown[] } | null {
  if (!scope.everyone && !scope.ownerIds.length) return null;
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  const where = filterConditions(f, bind).join(' AND ');
  const after = cursor
    ? ` AND (o.created_at, o.id) ${dir === 'ASC' ? '>' : '<'} (CAST(${bind(cursor.value)} AS timestamptz), ${bind(cursor.id)}::int)`
    : '';
  const owners = scope.everyone ? null : bind(scope.ownerIds);
  const scans = (columns: string, rows: number, withCursor: boolean, order: 'ASC' | 'DESC') => {
    const scan = (owner: string) =>
      `SELECT ${columns} FROM contract o WHERE ${owner}${where}${withCursor ? after : ''}
         ORDER BY ${owner ? `o.owner_id ${order}, ` : ''}o.created_at ${order}, o.id ${order} LIMIT ${rows}`;
    return owners === null
      ? scan('')
      : `SELECT b.* FROM unnest(${owners}::int[]) AS w(id) CROSS JOIN LATERAL (${scan('o.owner_id = w.id AND ')}) b`;
  };
  const top = `SELECT id, sort_key FROM (${scans('o.id, o.created_at AS sort_key', size + 1, true, dir)}) b
    ORDER BY sort_key ${dir}, id ${dir} LIMIT ${size + 1}`;
  const page = `page AS (SELECT l.* FROM (${top}) top CROSS JOIN LATERAL (
      SELECT ${rowColumns}, o.created_at AS sort_key, (o.created_at)::text AS "cursorValue" FROM contract o WHERE o.id = top.id) l)`;
  const counted = `SELECT count(*)::int AS n FROM (SELECT 1 FROM (${scans('1', COUNT_CAP + 1, false, 'DESC')}) b LIMIT ${COUNT_CAP + 1}) s`;
  return {
    text: `WITH ${page}, counted AS (${counted})
      SELECT counted.n AS total, page.* FROM counted LEFT JOIN page ON true ORDER BY page.sort_key ${dir}, page.id ${dir}`,
    values,
  };
}

/** A contract as a person's PIPL export lists it. */
export interface ContractOfPerson {
  number: string;
  title: string;
  amount: string;
  status: string;
  customerName: string;
  customerSignatoryName: string | null;
  signedOn: string | null;
}

/** All SQL on contracts and their lines. */
@Injectable()
export class ContractsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, fields: Partial<Contract>): Promise<number> {
    const { identifiers } = await m.insert(Contract, fields);
    return identifiers[0].id as number;
  }

  /** The contract's lines become exactly these (in one transaction with the contract's amount). */
  async replaceLines(m: EntityManager, contractId: number, lines: ExactLine[]): Promise<void> {
    await m.delete(ContractLine, { contractId });
    if (lines.length)
      await m.insert(
        ContractLine,
        lines.map((l) => ({ ...l, contractId })),
      );
  }

  /** A live contract (in the caller's transaction, if given). */
  findLive(id: number, m: EntityManager = this.dataSource.manager): Promise<Contract | null> {
    return m.findOne(Contract, { where: { id } });
  }

  /** A live contract, locked for a change until the transaction ends. */
  lock(m: EntityManager, id: number): Promise<Contract | null> {
    return m.findOne(Contract, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** The contract's lines in order. */
  lines(id: number, m: EntityManager = this.dataSource.manager): Promise<ContractLine[]> {
    return m.find(ContractLine, { where: { contractId: id }, order: { position: 'ASC' } });
  }

  /** Saves changed fields; the version moves on. */
  async update(m: EntityManager, id: number, fields: Partial<Contract>): Promise<void> {
    await m.update(Contract, { id }, fields);
  }

  async softDelete(m: EntityManager, id: number): Promise<void> {
    await m.softDelete(Contract, { id });
  }

  /** A page of the list with its capped count, in one prepared statement (see listStatement). */
  async findPage(
    scope: ContractScope,
    f: ContractFilterDto,
    size = PAGE_SIZE,
  ): Promise<{
    rows: ContractRow[];
    next: string | null;
    prev: string | null;
    total: number;
    capped: boolean;
  }> {
    const back = !f.after && !!f.before;
    const cursor = f.after
      ? decodeCursor(f.after, 'timestamptz')
      : f.before
        ? decodeCursor(f.before, 'timestamptz')
        : null;
    const dir = back ? 'ASC' : 'DESC';
    const statement = listStatement(scope, f, dir, cursor && { value: cursor[0], id: cursor[1] }, size);
    type ListRow = RawRow & { total: number; cursorValue: string; sort_key: unknown };
    const found = statement
      ? (await poolOf(this.dataSource).query<ListRow>(prepared(statement.text, statement.values))).rows
      : [];
    const { rows, ...paging } = pageOf(found, size, back, cursor !== null, COUNT_CAP);
    return { rows: rows.map(({ total: _t, cursorValue: _c, sort_key: _k, ...r }) => toRow(r)), ...paging };
  }

  /**
   * A customer's ($1) live contracts, newest first, at most $2, as a SELECT for its timeline (read
   * with the other modules' entries in one statement).
   */
  readonly timelineSql = `SELECT ${rowColumns} FROM contract o
     WHERE o.customer_id = $1 AND o.deleted_at IS NULL ORDER BY o.created_at DESC, o.id DESC LIMIT $2`;

  /** The timeline's rows (JSON: the time as ISO text) as contract rows. */
  timelineRows(rows: (Omit<RawRow, 'createdAt'> & { createdAt: string })[]): ContractRow[] {
    return rows.map((r) => toRow({ ...r, createdAt: at(r.createdAt) }));
  }

  /** The API's list: live contracts of the scope by id after `afterId`; `limit` + 1 rows tell whether more follow. */
  findApiPage(
    scope: ContractScope,
    f: { customerId?: number; ownerId?: number; status?: ContractStatus },
    afterId: number,
    limit: number,
  ): Promise<Contract[]> {
    const qb = this.dataSource
      .getRepository(Contract)
      .createQueryBuilder('o')
      .where('o.id > :afterId', { afterId });
    if (!scope.everyone) qb.andWhere('o.owner_id = ANY(:owners)', { owners: scope.ownerIds });
    if (f.customerId) qb.andWhere('o.customer_id = :customerId', { customerId: f.customerId });
    if (f.ownerId) qb.andWhere('o.owner_id = :ownerId', { ownerId: f.ownerId });
    if (f.status) qb.andWhere('o.status = :status', { status: f.status });
    return qb
      .orderBy('o.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  /** The lines of these contracts, by contract, in order (for the API's list). */
  async linesOf(ids: number[]): Promise<Map<number, ContractLine[]>> {
    const out = new Map<number, ContractLine[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const rows = await this.dataSource
      .getRepository(ContractLine)
      .createQueryBuilder('l')
      .where('l.contract_id = ANY(:ids)', { ids })
      .orderBy('l.contract_id')
      .addOrderBy('l.position')
      .getMany();
    for (const r of rows) out.get(r.contractId)!.push(r);
    return out;
  }

  /** Moves a merged customer's contracts to the survivor; returns how many. */
  async moveToCustomer(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      'UPDATE contract SET customer_id = $2 WHERE customer_id = $1',
      [fromId, toId],
    );
    return moved;
  }

  /** Contracts completed before `before` (and not long before: `since`), oldest first: the survey rule's candidates. */
  completedBetween(
    since: Date,
    before: Date,
  ): Promise<{ id: number; number: string; customerId: number; ownerId: number; completedAt: Date }[]> {
    return this.dataSource.query(
      `SELECT id, number, customer_id AS "customerId", owner_id AS "ownerId", completed_at AS "completedAt"
         FROM contract
        WHERE status = 'completed' AND deleted_at IS NULL AND completed_at >= $1 AND completed_at < $2
        ORDER BY completed_at, id`,
      [since, before],
    );
  }

  /** How many open contracts (not yet completed or terminated) a user owns. */
  async countOpenOwnedBy(userId: number): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM contract WHERE owner_id = $1 AND status = ANY($2) AND deleted_at IS NULL',
      [userId, OPEN_CONTRACT_STATUSES],
    );
    return row.n;
  }

  /** Gives a leaving user's open contracts to another; returns how many. */
  async moveOpenOwner(m: EntityManager, fromId: number, toId: number): Promise<number> {
    const [, moved] = await m.query<[unknown[], number]>(
      `UPDATE contract SET owner_id = $2, version = version + 1, updated_at = now()
        WHERE owner_id = $1 AND status = ANY($3) AND deleted_at IS NULL`,
      [fromId, toId, OPEN_CONTRACT_STATUSES],
    );
    return moved;
  }

  /** A customer's contracts, deleted or not, oldest first (a PIPL request). */
  findOfCustomer(customerId: number): Promise<ContractOfPerson[]> {
    return this.dataSource.query(
      `SELECT number, title, amount::text AS amount, status, customer_name AS "customerName",
         customer_signatory_name AS "customerSignatoryName", signed_on::text AS "signedOn"
         FROM contract WHERE customer_id = $1 ORDER BY created_at, id`,
      [customerId],
    );
  }

  /**
   * Erasing a person: masks what matches `pattern` in the customer's contracts (the customer's name as
   * signed, the title, terms, their signatory, a termination reason); numbers, amounts and statuses stay.
   */
  async maskOfCustomer(m: EntityManager, customerId: number, pattern: string, mask: string): Promise<number> {
    const [, count] = (await m.query(
      `UPDATE contract SET customer_name = regexp_replace(customer_name, $2, $3, 'gi'), title = regexp_replace(title, $2, $3, 'gi'),
         payment_terms = regexp_replace(payment_terms, $2, $3, 'gi'),
         customer_signatory_name = regexp_replace(customer_signatory_name, $2, $3, 'gi'),
         customer_signatory_title = regexp_replace(customer_signatory_title, $2, $3, 'gi'),
         termination_reason = regexp_replace(termination_reason, $2, $3, 'gi'), version = version + 1, updated_at = now()
       WHERE customer_id = $1
         AND concat_ws(' ', customer_name, title, payment_terms, customer_signatory_name, customer_signatory_title, termination_reason) ~* $2`,
      [customerId, pattern, mask],
    )) as [unknown, number];
    return count;
  }
}
