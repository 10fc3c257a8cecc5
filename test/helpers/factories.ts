import type pg from 'pg';
import { duplicateKey, searchText } from '../../src/customers/customer-keys.js';
import { hashPassword } from '../../src/users/password.js';
import type { Role } from '../../src/common/roles.js';

export const PASSWORD = 'correct-horse-battery';
let hash: Promise<string> | undefined;
let counter = 0;
const unique = () => `${process.pid}-${++counter}`;

export async function createTeam(db: pg.Pool, name = `Team ${unique()}`): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO team (name, version) VALUES ($1, 1) RETURNING id`,
    [name],
  );
  return rows[0].id;
}

export interface UserRow {
  id: number;
  email: string;
}

export async function createUser(
  db: pg.Pool,
  fields: {
    role: Role;
    teamId?: number | null;
    region?: string | null;
    locale?: 'en' | 'zh-CN';
    name?: string;
    active?: boolean;
  },
): Promise<UserRow> {
  const email = `${fields.role}-${unique()}@test.kehu`;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO app_user (email, name, role, team_id, region, locale, active, password_hash, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id`,
    [
      email,
      fields.name ?? `User ${unique()}`,
      fields.role,
      fields.teamId ?? null,
      fields.region ?? null,
      fields.locale ?? 'en',
      fields.active ?? true,
      await (hash ??= hashPassword(PASSWORD)),
    ],
  );
  return { id: rows[0].id, email };
}

export async function createCustomer(
  db: pg.Pool,
  fields: {
    name?: string;
    ownerId?: number | null;
    status?: string;
    province?: string | null;
    uscc?: string | null;
    lastInteractionAt?: Date | null;
  } = {},
): Promise<number> {
  const name = fields.name ?? `Customer ${unique()}`;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO customer (kind, name, owner_id, status, province, uscc, last_interaction_at, owned_since, name_key, search_text, version)
     VALUES ('company', $1, $2, $3, $4, $5, $6, CASE WHEN $2::int IS NULL THEN NULL ELSE now() END, $7, $8, 1) RETURNING id`,
    [
      name,
      fields.ownerId ?? null,
      fields.status ?? 'active',
      fields.province ?? null,
      fields.uscc ?? null,
      fields.lastInteractionAt ?? null,
      duplicateKey(name),
      searchText(name),
    ],
  );
  return rows[0].id;
}

export async function createContact(
  db: pg.Pool,
  customerId: number,
  name = `Contact ${unique()}`,
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO contact (customer_id, name, version) VALUES ($1, $2, 1) RETURNING id`,
    [customerId, name],
  );
  return rows[0].id;
}

/**
 * After follow-ups were written straight into the table (as a test sets the scene), gives these
 * customers the next step their latest live follow-up set, as logging it through Kehu does.
 */
export async function settleNextSteps(db: pg.Pool, customerIds: number[]): Promise<void> {
  await db.query(
    `UPDATE customer c SET next_step_at = f.next_follow_up_at, next_step = f.next_action
       FROM (SELECT c2.id, l.next_action, l.next_follow_up_at FROM customer c2
               LEFT JOIN LATERAL (SELECT next_action, next_follow_up_at FROM follow_up
                                   WHERE customer_id = c2.id AND deleted_at IS NULL
                                   ORDER BY happened_at DESC, id DESC LIMIT 1) l ON true
              WHERE c2.id = ANY($1)) f
      WHERE c.id = f.id`,
    [customerIds],
  );
}
