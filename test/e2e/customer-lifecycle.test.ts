import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerLifecycles } from '../../src/common/customer-lifecycle.js';
import { signedIn, startApp, type TestApp } from '../helpers/app.js';
import { createContact, createCustomer, createTeam, createUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

/** Every column, in any table, that holds a reference to `table`'s id (its foreign keys). */
async function referencesTo(db: pg.Pool, table: string): Promise<{ table: string; column: string }[]> {
  const { rows } = await db.query<{ table: string; column: string }>(
    `SELECT cl.relname AS table, a.attname AS column
       FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
      WHERE k.contype = 'f' AND k.confrelid = $1::regclass
      ORDER BY 1, 2`,
    [table],
  );
  return rows;
}

async function countReferring(
  db: pg.Pool,
  ref: { table: string; column: string },
  id: number,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${ref.table}" WHERE "${ref.column}" = $1`,
    [id],
  );
  return rows[0].n;
}

/** A deal on the customer, owned by `ownerId`, with its first stage in the history. */
async function opportunity(db: pg.Pool, customerId: number, ownerId: number): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO opportunity (customer_id, owner_id, title, stage, amount, probability, expected_close_date, version)
     VALUES ($1, $2, 'Deal', 'proposal', 1000, 50, '2027-01-31', 1) RETURNING id`,
    [customerId, ownerId],
  );
  await db.query(
    `INSERT INTO opportunity_stage_change (opportunity_id, to_stage, by_id) VALUES ($1, 'proposal', $2)`,
    [rows[0].id, ownerId],
  );
  return rows[0].id;
}

/** An open contract (a draft with one line) on the customer, owned by `ownerId`. */
async function contract(db: pg.Pool, customerId: number, ownerId: number): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO contract (number, customer_id, customer_name, owner_id, title, amount, status, version)
     VALUES ($3, $1, 'Customer', $2, 'Contract', 1000, 'draft', 1) RETURNING id`,
    [customerId, ownerId, `HT-TEST-${customerId}-${ownerId}`],
  );
  await db.query(
    `INSERT INTO contract_line (contract_id, position, item, quantity, unit_price, line_total)
     VALUES ($1, 1, 'Item', 1, 1000, 1000)`,
    [rows[0].id],
  );
  return rows[0].id;
}

/** A quote on the deal, prepared by `ownerId`. */
async function quote(db: pg.Pool, dealId: number, customerId: number, ownerId: number): Promise<void> {
  await db.query(
    `INSERT INTO quote (number, opportunity_id, customer_id, owner_id, status, tax_rate, prices_include_tax,
       valid_until, list_total, subtotal, discount_amount, net, tax, total, version)
     VALUES ('BJ-T-' || $1, $1::int, $2, $3, 'draft', 13, false, '2099-12-31', 100, 100, 0, 100, 13, 113, 1)`,
    [dealId, customerId, ownerId],
  );
}

/** A resolved ticket on the customer with its survey answered (tickets and surveys refer to customers). */
async function ticket(db: pg.Pool, customerId: number, contactId: number): Promise<void> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO ticket (number, customer_id, contact_id, requester_name, channel, type, priority, status, subject,
       received_at, first_response_target_minutes, resolution_target_minutes, first_response_due_at,
       resolution_due_at, resolved_at, tracking_token, version)
     VALUES ('T-L' || $1, $1::int, $2, 'Requester', 'phone', 'billing', 'normal', 'resolved', 'Invoice',
       now(), 240, 1350, now(), now(), now(), 'track-' || $1::int, 1) RETURNING id`,
    [customerId, contactId],
  );
  await db.query(
    `INSERT INTO survey_response (kind, ticket_id, customer_id, contact_id, sent_to, token, sent_at, expires_at, answered_at, csat)
     VALUES ('ticket', $1::int, $2, $3, 'r@example.cn', 'survey-' || $1::int, now(), now() + interval '7 days', now(), 4)`,
    [rows[0].id, customerId, contactId],
  );
}

/** A follow-up on the customer, so every module has rows referring to it. */
async function followUp(db: pg.Pool, customerId: number, authorId: number, contactId: number | null) {
  await db.query(
    `INSERT INTO follow_up (customer_id, contact_id, author_id, method, happened_at, summary, version)
     VALUES ($1, $2, $3, 'visit', now(), 'Visited', 1)`,
    [customerId, contactId, authorId],
  );
}

describe('the customer lifecycle', () => {
  it('has every module that keeps customer records registered', () => {
    const lifecycles = t.app.get(CustomerLifecycles);
    // Each step moves its own rows: their order (that of the modules' start) does not matter.
    expect(
      lifecycles
        .mergeSteps()
        .map((s) => s.entity)
        .sort(),
    ).toEqual(['contract', 'follow_up', 'opportunity', 'quote', 'rule_firing', 'survey', 'ticket']);
    expect(lifecycles.handOvers().map((h) => h.labelKey)).toEqual([
      'hand_over.customers',
      'hand_over.opportunities',
      'hand_over.quotes',
      'contract.hand_over_label',
    ]);
    expect(lifecycles.fieldLabel('contract', 'status')).toBe('contract.status_label');
    expect(lifecycles.fieldLabel('opportunity', 'stage')).toBe('opportunity.stage_label');
    expect(lifecycles.fieldLabel('follow_up', 'summary')).toBe('follow_up.summary');
    expect(lifecycles.fieldLabel('user', 'role')).toBe('user.role');
    expect(lifecycles.fieldLabel('ticket', 'priority')).toBe('tickets.audit.priority');
    // Labels belong to their record: a contact's name is not a customer's name.
    expect(lifecycles.fieldLabel('contact', 'name')).not.toBe(lifecycles.fieldLabel('customer', 'name'));
  });

  it('leaves nothing on a merged customer: every table referring to it now refers to the survivor', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const rep = await createUser(t.db, { role: 'sales' });
    const survivor = await createCustomer(t.db, { ownerId: rep.id, name: 'Survivor Ltd' });
    const merged = await createCustomer(t.db, { ownerId: rep.id, name: 'Merged Ltd' });
    const contact = await createContact(t.db, merged);
    await followUp(t.db, merged, rep.id, contact);
    await followUp(t.db, merged, rep.id, null);
    await quote(t.db, await opportunity(t.db, merged, rep.id), merged, rep.id);
    await contract(t.db, merged, rep.id);
    await ticket(t.db, merged, contact);
    await t.db.query(
      `INSERT INTO rule_firing (rule, subject_kind, subject_id, period, customer_id) VALUES ('vip_idle', 'customer', $1, 'never', $1)`,
      [merged],
    );

    const references = (await referencesTo(t.db, 'customer')).filter((r) => r.table !== 'customer');
    // The registered steps and the contacts between them cover every table that refers to customers.
    expect(references.map((r) => r.table).sort()).toEqual([
      'contact',
      'contract',
      'follow_up',
      'opportunity',
      'quote',
      'rule_firing',
      'survey_response',
      'ticket',
    ]);
    const before = await Promise.all(references.map((r) => countReferring(t.db, r, merged)));
    expect(before.every((n) => n > 0)).toBe(true);

    const c = await signedIn(t, admin);
    expect((await c.post(`/customers/${survivor}/merge`, { otherId: String(merged) })).status).toBe(303);

    for (const [i, ref] of references.entries()) {
      expect(await countReferring(t.db, ref, merged), `${ref.table}.${ref.column}`).toBe(0);
      expect(await countReferring(t.db, ref, survivor), `${ref.table}.${ref.column}`).toBe(before[i]);
    }
  });

  it('leaves a leaving rep owning nothing once their hand-over ran', async () => {
    const admin = await createUser(t.db, { role: 'admin' });
    const team = await createTeam(t.db);
    const leaving = await createUser(t.db, { role: 'sales', teamId: team });
    const colleague = await createUser(t.db, { role: 'sales', teamId: team });
    const customers = [
      await createCustomer(t.db, { ownerId: leaving.id }),
      await createCustomer(t.db, { ownerId: leaving.id }),
    ];
    const deals = [
      await opportunity(t.db, customers[0], leaving.id),
      await opportunity(t.db, customers[1], leaving.id),
    ];
    await quote(t.db, deals[0], customers[0], leaving.id);
    const contracts = [await contract(t.db, customers[0], leaving.id)];
    const owners = (await referencesTo(t.db, 'app_user')).filter((r) => r.column === 'owner_id');
    expect(owners.map((r) => r.table)).toEqual(['contract', 'customer', 'opportunity', 'quote']);

    const c = await signedIn(t, admin);
    const reply = await c.post(`/admin/users/${leaving.id}/deactivate`, { handOverTo: String(colleague.id) });
    expect(reply.status).toBe(303);

    for (const ref of owners) expect(await countReferring(t.db, ref, leaving.id)).toBe(0);
    const { rows } = await t.db.query('SELECT owner_id FROM customer WHERE id = ANY($1)', [customers]);
    expect(rows.map((r) => r.owner_id)).toEqual([colleague.id, colleague.id]);
    const { rows: moved } = await t.db.query('SELECT owner_id FROM opportunity WHERE id = ANY($1)', [deals]);
    expect(moved.map((r) => r.owner_id)).toEqual([colleague.id, colleague.id]);
    const { rows: open } = await t.db.query('SELECT owner_id FROM contract WHERE id = ANY($1)', [contracts]);
    expect(open.map((r) => r.owner_id)).toEqual([colleague.id]);
  });
});
