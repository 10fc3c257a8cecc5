import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/** A VIP customer nobody has been in touch with for a while. */
export interface IdleVipRow {
  id: number;
  name: string;
  ownerId: number;
  lastInteractionAt: Date | null;
}

/** A contact a rule may mail: with an address, not opted out, of a live customer. */
export interface MailableContactRow {
  contactId: number;
  customerId: number;
  customerName: string;
  ownerId: number | null;
  name: string;
  email: string;
  birthday: string | null;
}

const MAILABLE = `c.email IS NOT NULL AND NOT c.mail_opt_out AND c.deleted_at IS NULL AND cu.deleted_at IS NULL`;
const CONTACT_COLUMNS = `c.id AS "contactId", cu.id AS "customerId", cu.name AS "customerName", cu.owner_id AS "ownerId",
  c.name, c.email, c.birthday::text AS birthday`;

/** The SQL of the customer-care rules: whom they look at and whom they may mail. */
@Injectable()
export class CustomerCareRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Owned live VIP customers with no interaction since `before` (never: counted from their creation). */
  idleVips(before: Date): Promise<IdleVipRow[]> {
    return this.dataSource.query<IdleVipRow[]>(
      `SELECT id, name, owner_id AS "ownerId", last_interaction_at AS "lastInteractionAt"
         FROM customer
        WHERE vip AND deleted_at IS NULL AND owner_id IS NOT NULL
          AND COALESCE(last_interaction_at, created_at) < $1
        ORDER BY id`,
      [before],
    );
  }

  /** The mailable primary contact of each of these customers (at most one each). */
  primaryContactsOf(customerIds: number[]): Promise<MailableContactRow[]> {
    if (!customerIds.length) return Promise.resolve([]);
    return this.dataSource.query<MailableContactRow[]>(
      `SELECT ${CONTACT_COLUMNS} FROM contact c JOIN customer cu ON cu.id = c.customer_id
        WHERE c.customer_id = ANY($1) AND c."primary" AND ${MAILABLE} ORDER BY c.id`,
      [customerIds],
    );
  }

  /** The mailable primary contacts of every active customer. */
  primaryContactsOfActive(): Promise<MailableContactRow[]> {
    return this.dataSource.query<MailableContactRow[]>(
      `SELECT ${CONTACT_COLUMNS} FROM contact c JOIN customer cu ON cu.id = c.customer_id
        WHERE cu.status = 'active' AND c."primary" AND ${MAILABLE} ORDER BY c.id`,
    );
  }

  /** The mailable contacts of VIP customers (greetings), optionally only those born on `monthDay` (MM-DD). */
  vipContacts(monthDay?: string): Promise<MailableContactRow[]> {
    return this.dataSource.query<MailableContactRow[]>(
      `SELECT ${CONTACT_COLUMNS} FROM contact c JOIN customer cu ON cu.id = c.customer_id
        WHERE cu.vip AND ${MAILABLE} AND ($1::text IS NULL OR to_char(c.birthday, 'MM-DD') = $1)
        ORDER BY c.id`,
      [monthDay ?? null],
    );
  }

  /** Live customers' names and owners, by id. */
  async ownersOf(ids: number[]): Promise<Map<number, { name: string; ownerId: number | null }>> {
    if (!ids.length) return new Map();
    const rows = await this.dataSource.query<{ id: number; name: string; ownerId: number | null }[]>(
      `SELECT id, name, owner_id AS "ownerId" FROM customer WHERE id = ANY($1) AND deleted_at IS NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, ownerId: r.ownerId }]));
  }

  /** A contact's name, address and choice, by id (deleted ones too: an old link still unsubscribes). */
  async contact(id: number): Promise<{ id: number; name: string; mailOptOut: boolean } | null> {
    const [row] = await this.dataSource.query<{ id: number; name: string; mailOptOut: boolean }[]>(
      `SELECT id, name, mail_opt_out AS "mailOptOut" FROM contact WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** Whether the contact opted out, read in the caller's transaction (locked): a rule checks it as it mails. */
  async optedOut(m: EntityManager, id: number): Promise<boolean> {
    const [row] = await m.query<{ out: boolean }[]>(
      'SELECT mail_opt_out AS out FROM contact WHERE id = $1 FOR SHARE',
      [id],
    );
    return row?.out ?? true;
  }

  async setOptOut(id: number, out: boolean): Promise<void> {
    await this.dataSource.query(
      'UPDATE contact SET mail_opt_out = $2, version = version + 1, updated_at = now() WHERE id = $1',
      [id, out],
    );
  }
}
